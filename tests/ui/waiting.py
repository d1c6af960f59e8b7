"""Wait on the store or the screen with a timeout, never a fixed sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot

from tmtui.store import SessionStore


async def store_until(store: SessionStore, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
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
    finally:
        unsubscribe()


async def screen_until(pilot: Pilot[object], predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app process messages until ``predicate()`` holds (for screen state)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("condition not met on screen")
        await pilot.pause(0.01)  # one frame-ish: lets the screen refresh between checks


def screen_text(pilot: Pilot[object]) -> str:
    """What the terminal shows right now, as plain text lines."""
    strips = pilot.app.screen._compositor.render_strips()  # noqa: SLF001 - no public text export
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
