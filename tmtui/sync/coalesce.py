"""Turn a burst of pokes into few calls: the first at once, the rest once it is quiet.

A single ``changed`` event is fetched immediately (latency matters most for a
one-time code); events that keep arriving are merged until ``quiet`` seconds
pass without one, but never held longer than ``max_wait``.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Awaitable, Callable

MIN_QUIET = 0.02  # seconds: a burst is never judged over sooner than this


class Coalescer:
    def __init__(self, action: Callable[[], Awaitable[None]], *, quiet: float = 0.1,
                 max_wait: float = 1.0) -> None:
        self._action = action
        self._quiet = quiet
        self._max_wait = max_wait
        self._poked = asyncio.Event()
        self.calls = 0

    def poke(self) -> None:
        self._poked.set()

    async def _quiet_period(self) -> bool:
        """Wait for the burst to settle; False when nothing arrived at all.

        The quiet window adapts to the burst: events 5 ms apart are settled after
        ~20 ms, a slow dribble waits up to ``quiet``. So a fast burst shows soon
        and a dribble still costs few calls.
        """
        loop = asyncio.get_running_loop()
        start = last = loop.time()
        gaps: list[float] = []
        arrived = False
        while True:
            remaining = self._max_wait - (loop.time() - start)
            if remaining <= 0:
                return arrived
            window = self._quiet
            if gaps:
                window = min(self._quiet, max(MIN_QUIET, 3 * statistics.median(gaps)))
            try:
                await asyncio.wait_for(self._poked.wait(), min(window, remaining))
            except TimeoutError:
                return arrived
            self._poked.clear()
            now = loop.time()
            if arrived:
                gaps.append(now - last)
            last, arrived = now, True

    async def run(self, *, idle_timeout: Callable[[], float | None] = lambda: None,
                  on_idle: Callable[[], Awaitable[None]] | None = None) -> None:
        """Serve pokes forever; ``on_idle`` runs when nothing came for ``idle_timeout()`` s."""
        while True:
            try:
                await asyncio.wait_for(self._poked.wait(), idle_timeout())
            except TimeoutError:
                if on_idle is not None:
                    await on_idle()
                continue
            self._poked.clear()
            await self._call()
            while await self._quiet_period():
                await self._call()

    async def _call(self) -> None:
        self.calls += 1
        await self._action()
