"""Per-client-IP rate limits: a sliding one-minute window of hits per key."""

from __future__ import annotations

from collections import deque


class SlidingWindow:
    """At most ``limit`` hits per ``window`` seconds per key; ``limit <= 0`` means no limit.

    A deque of hit times per key: exact (no burst at window edges, unlike fixed
    buckets) and cheap at the contract's sizes (a few hundred entries per IP).
    """

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float) -> float | None:
        """Record one hit. None if allowed, else seconds until a slot frees (hit not recorded)."""
        if self.limit <= 0:
            return None
        hits = self._hits.setdefault(key, deque())
        cutoff = now - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return None

    def prune(self, now: float) -> None:
        """Forget keys whose hits all left the window (keeps memory bounded)."""
        cutoff = now - self.window
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= cutoff]:
            del self._hits[key]
