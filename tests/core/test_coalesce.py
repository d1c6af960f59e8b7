"""Bursts of `changed` events become few list calls; a lone event is fetched at once.

The coalescer runs on an event loop with a virtual clock: time moves only when
every task is waiting, straight to the next timer. Schedules are exact and a
busy machine cannot change a result.
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from tmtui.sync.coalesce import Coalescer

T = TypeVar("T")


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock jumps to the next timer instead of sleeping."""

    def __init__(self) -> None:
        super().__init__(selectors.DefaultSelector())
        self._now = 0.0
        self._real_select = self._selector.select
        self._selector.select = self._jump

    def time(self) -> float:
        return self._now

    def _jump(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._real_select(0)
        if not ready and timeout:
            self._now += timeout
        return ready


def run_virtual(main: Coroutine[Any, Any, T]) -> T:
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


async def _run(pokes: list[float], *, quiet: float = 0.05, max_wait: float = 0.4) -> tuple[int, list[float]]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    calls: list[float] = []

    async def action() -> None:
        calls.append(loop.time() - start)

    coalescer = Coalescer(action, quiet=quiet, max_wait=max_wait)
    task = asyncio.create_task(coalescer.run())
    for at in pokes:
        await asyncio.sleep(max(0.0, at - (loop.time() - start)))  # the schedule under test
        coalescer.poke()
    await asyncio.sleep(max_wait + quiet)  # long enough for the trailing call
    task.cancel()
    return coalescer.calls, calls


def test_single_event_is_fetched_immediately() -> None:
    count, calls = run_virtual(_run([0.0]))
    assert count == 1
    assert calls == [0.0]  # no wait at all


def test_burst_of_fifty_within_half_a_second_is_at_most_three_calls() -> None:
    count, calls = run_virtual(_run([i * 0.01 for i in range(50)]))
    assert 2 <= count <= 3
    assert calls[0] == 0.0  # the first at once


def test_events_after_quiet_get_their_own_call() -> None:
    count, calls = run_virtual(_run([0.0, 0.5]))
    assert count == 2
    assert calls == pytest.approx([0.0, 0.5])


def test_a_fast_burst_settles_sooner_than_the_quiet_window() -> None:
    # 20 events 5 ms apart: the trailing call comes ~20 ms after the last, not 100 ms.
    pokes = [i * 0.005 for i in range(20)]
    count, calls = run_virtual(_run(pokes, quiet=0.1, max_wait=1.0))
    assert count == 2
    assert calls[-1] - pokes[-1] < 0.08
