"""ByteBudget: how many bytes of mail may be in flight (received, not yet stored).

Ten 24 MiB messages at once used to take a gigabyte of memory and lose half of
them. Now DATA is spooled to disk past a small threshold (spool.py), and the
bytes held, in memory or spooled, are counted here in all and per client IP.
A transaction that would pass either budget is not dropped: it is answered
with a temporary 451/452, so a real MTA retries later. The per-IP share keeps
one sender from taking the whole budget from everyone else.
"""

from __future__ import annotations

from collections import Counter


class ByteBudget:
    def __init__(self, total: int, per_ip: int) -> None:
        self.total = total
        self.per_ip = per_ip
        self._held: Counter[str] = Counter()
        self._used = 0

    @property
    def used(self) -> int:
        return self._used

    def room(self, ip: str) -> int:
        """Bytes ``ip`` may still take."""
        return max(0, min(self.total - self._used, self.per_ip - self._held[ip]))

    def take(self, ip: str, n: int) -> bool:
        """Hold ``n`` more bytes for ``ip``; False (and nothing held) if that passes a budget."""
        if n > self.room(ip):
            return False
        self._held[ip] += n
        self._used += n
        return True

    def give(self, ip: str, n: int) -> None:
        """Release bytes taken earlier."""
        n = min(n, self._held[ip])
        self._used -= n
        self._held[ip] -= n
        if self._held[ip] <= 0:
            del self._held[ip]
