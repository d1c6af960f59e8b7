"""The cyclic collector's full passes run when the user pauses, not on a key.

A full (generation 2) pass walks every tracked object it is not told to skip.
CPython starts one by itself after ten young (generation 1) passes, in the
middle of whatever allocates: opening a 1 MB newsletter set one off each time,
a 50-95 ms stall on the key (two frames are 33 ms). So:

* The app's automatic full pass waits for :data:`VALVE` young passes instead
  of 10: a user who never pauses still gets one, memory stays bounded.
* :class:`IdleCollector` runs ``gc.collect()`` itself once input has been quiet
  for :data:`IDLE` seconds and a young pass has moved something to the old
  generation since the last full pass (``gc.get_count()[2]`` counts them):
  once per pause, again every :data:`REPEAT` seconds of a long one. A closed
  screen leaves a pile of cycles (a reader: its whole body): :meth:`soon`
  collects them after only :data:`SOON` seconds of quiet, between that key and
  the next, before the next screen's work can set off the valve with them in.
* Long-lived objects are frozen (``gc.freeze``: the permanent generation, never
  walked; still freed by reference counting): start-up's, and a big listing's
  summaries and rows (:func:`settle`). A frozen cycle is never collected, so a
  closed inbox unfreezes (:func:`release`); the next idle pass collects what it
  left and freezes the survivors again, start-up's objects among them.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable

IDLE = 1.0  # seconds without a key or mouse event: the user has paused
SOON = 0.2  # seconds of quiet after a screen closed: its cycles (a reader's megabyte) go before the next key
BUSY_LOOK = 0.1  # seconds between looks while a screen works (briefly: a body converting)
BUSY_MAX = 5.0  # seconds: a worker busy for longer is background work, not an answer the user waits for
REPEAT = 30.0  # seconds: a long pause (mail arriving, nobody typing) still gets its garbage collected
VALVE = 100  # young passes before CPython's own full pass (its default is 10)

_refreeze = False  # release() gave frozen objects back: freeze again after the next full pass


def settle() -> None:
    """Freeze what is alive now (after start-up, after a big listing landed)."""
    gc.collect(0)  # the young garbage of the load itself is not worth keeping forever
    gc.freeze()


def release() -> None:
    """Give frozen objects back to the collector: a closed screen's cycles are garbage only it can find.

    Frozen, a popped inbox (screen, widgets and, through them, 10,000 rows) would
    never be collected. The next idle pass collects them and freezes the rest again.
    """
    global _refreeze
    gc.unfreeze()
    _refreeze = True


class IdleCollector:
    """Full passes in the user's pauses; :meth:`touched` on every key and mouse event.

    No polling (the idle app wakes ~2 times a second as it is): one timer, armed
    by input for IDLE seconds after it, else every REPEAT seconds.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, busy: Callable[[], bool] = lambda: False) -> None:
        """``busy``: is a screen still working on what the user asked (a reader converting)?
        Waiting for an answer is not a pause: a busy moment counts as input."""
        self._clock = clock
        self._busy = busy
        self.last_input = clock()
        self.last_pass: float | None = None  # when this collector last ran a full pass
        self.passes = 0
        self._threshold: tuple[int, int, int] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._soon = False  # a screen closed: a shorter pause will do
        self._busy_since: float | None = None

    def start(self) -> None:
        """Take over the full passes (call on the app's loop)."""
        if self._threshold is None:
            self._threshold = gc.get_threshold()
            young, middle, _old = self._threshold
            gc.set_threshold(young, middle, VALVE)
            self._arm(IDLE)

    @property
    def running(self) -> bool:
        """This collector has taken over the full passes (from the app's settle, 0.5 s after mount)."""
        return self._threshold is not None

    def stop(self) -> None:
        """CPython's own thresholds again (the app has exited; tests run many apps in one process)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._threshold is not None:
            gc.set_threshold(*self._threshold)
            self._threshold = None

    def touched(self) -> None:
        self.last_input = self._clock()
        if self._threshold is not None and (self._timer is None or self._timer.when() > self._idle_at()):
            self._arm(IDLE)

    def soon(self) -> None:
        """A screen has closed: collect after SOON seconds of quiet instead of IDLE."""
        self._soon = True
        if self._threshold is not None:
            self._arm(SOON)

    @property
    def wait(self) -> float:
        return SOON if self._soon else IDLE

    def _idle_at(self) -> float:
        return asyncio.get_running_loop().time() + IDLE

    def _arm(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay, self.check)

    @staticmethod
    def pending() -> int:
        """Young passes since the last full one: each moved survivors (and cycles) to the old generation."""
        return gc.get_count()[2]

    def due(self) -> bool:
        now = self._clock()
        if now - self.last_input < self.wait or not (self.pending() or _refreeze):
            return False
        # Once per pause: a pass already made since the last input waits REPEAT seconds.
        return (self._soon or self.last_pass is None or self.last_pass < self.last_input
                or now - self.last_pass >= REPEAT)

    def check(self) -> None:
        self._timer = None
        if self._threshold is None:
            return
        if self._busy():
            now = self._clock()
            self._busy_since = self._busy_since if self._busy_since is not None else now
            if now - self._busy_since < BUSY_MAX:
                self.touched()
                self._arm(BUSY_LOOK)
                return
        else:
            self._busy_since = None
        quiet = self._clock() - self.last_input
        if quiet < self.wait:  # typed since: look again when the pause is long enough
            self._arm(self.wait - quiet)
            return
        if self.due():
            self.collect()
        self._arm(REPEAT)

    def collect(self) -> None:
        global _refreeze
        gc.collect()
        self.last_pass = self._clock()
        self.passes += 1
        self._soon = False
        if _refreeze:  # what survived a release (start-up's objects, the open screens): out of the passes again
            gc.freeze()
            _refreeze = False
