"""Turn pokes (``changed`` events) into list calls: at once while a small budget lasts, paced after.

A lone event is fetched immediately (latency matters most for a one-time
code). Pokes that arrive while a call runs are merged into one call right
after it, so a burst never queues a call per event, and the last mail of a
burst is not held back by a quiet window. A token bucket bounds the rate
within a burst: ``burst`` calls may go back to back, then at most ``rate``
calls a second. A pause of ``quiet`` seconds between events ends a burst and
the next one starts with the whole budget: mails that come one at a time
(a sign-up, then its code) each get their call at once, however many there
are, where a bucket refilled at 2 a second held every mail after the tenth
for ~300 ms. A second, slower bucket (``sustained`` a second, ``reserve``
ahead) bounds any spacing of events over the long run, which keeps a busy
mailbox inside the server's per-client request limit (380 a minute in the
contract's notes) however much mail arrives.

``wanted()`` lets the owner skip a merged call that is no longer needed (the
previous listing already covered every event that came in meanwhile).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

# Calls that may go back to back: a burst of 20 mails (a test run, a bulk send) is listed as it
# lands, not paced at RATE after its tenth mail (that tail was p99 ~500 ms). The long-run bucket
# below, not this one, is what keeps a flood under the server's per-client limit.
BURST = 20
RATE = 2.0  # calls a second once the burst budget is spent
QUIET = 0.12  # seconds without an event that end a burst: the next event starts with the whole budget
SUSTAINED = 5.0  # calls a second over the long run: 300 a minute, with RESERVE on top, under 380
RESERVE = 60


class Coalescer:
    def __init__(self, action: Callable[[], Awaitable[None]], *, burst: int = BURST, rate: float = RATE,
                 quiet: float = QUIET, sustained: float = SUSTAINED, reserve: int = RESERVE,
                 wanted: Callable[[], bool] = lambda: True) -> None:
        self._action = action
        self._burst = float(burst)
        self._rate = rate
        self._quiet = quiet
        self._sustained = sustained
        self._reserve = float(reserve)
        self._wanted = wanted
        self._tokens = float(burst)
        self._long = float(reserve)  # the long-run bucket
        self._stamp: float | None = None
        self._last_poke: float | None = None
        self._poked = asyncio.Event()
        self.calls = 0

    def poke(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._last_poke is not None and now - self._last_poke >= self._quiet:
            self._tokens = self._burst  # the burst before has ended: this event is a new one
        self._last_poke = now
        self._poked.set()

    def _refill(self, now: float) -> None:
        if self._stamp is not None:
            elapsed = now - self._stamp
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
            self._long = min(self._reserve, self._long + elapsed * self._sustained)
        self._stamp = now

    def _wait(self) -> float:
        """Seconds until both buckets hold a call."""
        return max((1.0 - self._tokens) / self._rate, (1.0 - self._long) / self._sustained, 0.0)

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
            wait = self._wait()
            if wait > 0:  # budget spent: pace, and merge what comes meanwhile
                await asyncio.sleep(wait)
                self._refill(loop.time())
                # Waited what both needed: a timer's rounding must not cost another round.
                self._tokens, self._long = max(self._tokens, 1.0), max(self._long, 1.0)
            self._poked.clear()
            if self.calls and not self._wanted():
                continue
            self._tokens -= 1.0
            self._long -= 1.0
            self.calls += 1
            await self._action()
