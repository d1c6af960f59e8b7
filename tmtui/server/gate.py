"""ConnectionGate: at most N open connections in all and M per client IP.

HTTP and SMTP each have one (httpguard.py, smtp.py). A connection over a cap
is answered at once (503/429, or SMTP 421) and closed before anything of it is
read, so half-sent requests from one address cannot use up the file
descriptors that every other client, and the other protocol, need.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

Refusal = Literal["total", "per_ip"]


class ConnectionGate:
    def __init__(self, total: int, per_ip: int) -> None:
        self.total = total
        self.per_ip = per_ip
        self._open: Counter[str] = Counter()
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def count_for(self, ip: str) -> int:
        return self._open[ip]

    def admit(self, ip: str) -> Refusal | None:
        """Count the connection in and return None, or say which cap refuses it (then nothing is counted)."""
        if self._count >= self.total:
            return "total"
        if self._open[ip] >= self.per_ip:
            return "per_ip"
        self._open[ip] += 1
        self._count += 1
        return None

    def release(self, ip: str) -> None:
        self._count -= 1
        self._open[ip] -= 1
        if self._open[ip] <= 0:
            del self._open[ip]
