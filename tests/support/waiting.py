"""Wait until something holds, with a timeout: never a fixed sleep.

The one "wait until the screen shows X" helper of the tests, the scenes, the
benchmarks and the tmux smoke test:

* ``until(predicate, timeout, what=..., tick=...)``: re-check after each
  ``tick`` (default: 10 ms of the running loop);
* ``screen_until(pilot, predicate, ...)``: the same, letting the app process
  its messages and refresh between checks;
* ``store_until(store, predicate, ...)``: re-check on every store change (no
  polling at all);
* ``until_sync(predicate, ...)``: for something outside any event loop (a tmux
  pane, a file another process writes), checked every ``step`` seconds;
* ``screen_text(app_or_pilot)``: what the terminal shows now, as plain text.

Each raises ``TimeoutError`` naming ``what`` when the time is up. Light on
purpose (Textual is imported only when a screen is read), so a benchmark child
pays nothing for importing it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tmtui.store import Mailbox, SessionStore

DEFAULT_TIMEOUT = 10.0
Tick = Callable[[], Awaitable[object]]


def _tick() -> Awaitable[object]:
    return asyncio.sleep(0.01)


async def until(predicate: Callable[[], object], timeout: float = DEFAULT_TIMEOUT, *,
                what: str = "condition", tick: Tick = _tick) -> None:
    """Resolve once ``predicate()`` is true, checking it again after each ``tick()``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout:g} s")
        await tick()


async def screen_until(pilot: Pilot[Any], predicate: Callable[[], object],
                       timeout: float = DEFAULT_TIMEOUT, *, what: str = "condition on screen") -> None:
    """Let the app process messages until ``predicate()`` holds (for screen state)."""
    # About a frame between checks: the screen refreshes in between.
    await until(predicate, timeout, what=what, tick=lambda: pilot.pause(0.01))


async def store_until(store: SessionStore, predicate: Callable[[], object],
                      timeout: float = DEFAULT_TIMEOUT, *, what: str = "store condition") -> None:
    """Resolve when ``predicate()`` holds, re-checking on every store change."""
    if predicate():
        return
    ready = asyncio.Event()

    def check(_change: object) -> None:
        if predicate():
            ready.set()

    unsubscribe = store.subscribe(check)
    try:
        await asyncio.wait_for(ready.wait(), timeout)
    except TimeoutError:
        raise TimeoutError(f"{what} not reached in {timeout:g} s") from None
    finally:
        unsubscribe()


def until_sync(predicate: Callable[[], object], timeout: float = DEFAULT_TIMEOUT, *,
               what: str = "condition", step: float = 0.05) -> None:
    """``until`` for callers outside an event loop: the condition belongs to another process."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout:g} s")
        time.sleep(step)


def screen_text(target: Any) -> str:
    """What the terminal shows right now (``target``: an App or its Pilot), as plain text lines."""
    from textual.pilot import Pilot

    app = target.app if isinstance(target, Pilot) else target
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def listed_and_live(store: SessionStore, address: str, count: int, timeout: float = DEFAULT_TIMEOUT) -> None:
    """A saved mailbox opened at start: fully listed (``count`` rows) and streaming."""
    mailbox = store.get(address)
    assert mailbox is not None
    await store_until(store, lambda: mailbox.complete and mailbox.connection == "live"
                      and len(mailbox.messages) == count, timeout)


async def first_inbox(pilot: Pilot[Any]) -> Mailbox:
    """The first run's own mailbox, streaming, with its inbox on screen."""
    app = pilot.app
    store: SessionStore = app.store  # type: ignore[attr-defined]
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    await screen_until(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
    return store.mailboxes[0]
