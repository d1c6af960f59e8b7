"""Turn pokes (``changed`` events) into list calls: at once while a small budget lasts, paced after.

A lone event is fetched immediately (latency matters most for a one-time
code). Pokes that arrive while a call runs are merged into one call right
after it, so a burst never queues a call per event, and the last mail of a
burst is not held back by a quiet window. A token bucket bounds the rate:
``burst`` calls may go back to back, then at most ``rate`` calls a second,
which keeps a busy mailbox well inside the server's per-client request limit
(380 a minute in the contract's notes) however much mail arrives.

``wanted()`` lets the owner skip a merged call that is no longer needed (the
previous listing already covered every event that came in meanwhile).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

BURST = 10  # calls that may go back to back (a burst of mail rarely needs more)
RATE = 2.0  # calls a second once the burst budget is spent


class Coalescer:
    def __init__(self, action: Callable[[], Awaitable[None]], *, burst: int = BURST, rate: float = RATE,
                 wanted: Callable[[], bool] = lambda: True) -> None:
        self._action = action
        self._burst = float(burst)
        self._rate = rate
        self._wanted = wanted
        self._tokens = float(burst)
        self._stamp: float | None = None
        self._poked = asyncio.Event()
        self.calls = 0

    def poke(self) -> None:
        self._poked.set()

    def _refill(self, now: float) -> None:
        if self._stamp is not None:
            self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now

    async def run(self, *, idle_timeout: Callable[[], float | None] = lambda: None,
                  on_idle: Callable[[], Awaitable[None]] | None = None) -> None:
        """Serve pokes forever; ``on_idle`` runs when nothing came for ``idle_timeout()`` s."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.wait_for(self._poked.wait(), idle_timeout())
            except TimeoutError:
                if on_idle is not None:
                    await on_idle()
                continue
            self._refill(loop.time())
            if self._tokens < 1.0:  # budget spent: pace, and merge what comes meanwhile
                await asyncio.sleep((1.0 - self._tokens) / self._rate)
                self._refill(loop.time())
            self._poked.clear()
            if self.calls and not self._wanted():
                continue
            self._tokens -= 1.0
            self.calls += 1
            await self._action()
