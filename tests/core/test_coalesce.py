"""`changed` events become list calls: a lone event at once, a burst merged and rate-bounded.

The coalescer runs on an event loop with a virtual clock: time moves only when
every task is waiting, straight to the next timer. Schedules are exact and a
busy machine cannot change a result.
"""

from __future__ import annotations

import asyncio
import random
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from tmtui.sync.coalesce import QUIET, RESERVE, SUSTAINED, Coalescer

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


async def _run(pokes: list[float], *, call_takes: float = 0.005, burst: int = 10, rate: float = 2.0,
               wanted: bool = True) -> tuple[int, list[float]]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    calls: list[float] = []

    async def action() -> None:
        calls.append(loop.time() - start)
        await asyncio.sleep(call_takes)  # a listing takes a while; pokes meanwhile are merged

    coalescer = Coalescer(action, burst=burst, rate=rate, wanted=lambda: wanted)
    task = asyncio.create_task(coalescer.run())
    for at in pokes:
        await asyncio.sleep(max(0.0, at - (loop.time() - start)))  # the schedule under test
        coalescer.poke()
    await asyncio.sleep(2.0 / rate)  # long enough for the trailing call
    task.cancel()
    return coalescer.calls, calls


def test_single_event_is_fetched_immediately() -> None:
    count, calls = run_virtual(_run([0.0]))
    assert count == 1
    assert calls == [0.0]  # no wait at all


def test_pokes_during_a_call_become_one_call_right_after_it() -> None:
    # Five events while a 20 ms listing runs: one more call, the moment it ends.
    count, calls = run_virtual(_run([0.0, 0.002, 0.005, 0.01, 0.015, 0.019], call_takes=0.02))
    assert count == 2
    assert calls == pytest.approx([0.0, 0.02])


def test_a_fast_burst_is_not_held_by_a_quiet_window() -> None:
    # 20 events 3 ms apart (a burst of mail): the last one is listed within one call of arriving.
    pokes = [i * 0.003 for i in range(20)]
    count, calls = run_virtual(_run(pokes, call_takes=0.01))
    assert calls[-1] - pokes[-1] <= 0.01 + 1e-9
    assert count <= 8


def test_the_rate_is_bounded_however_many_events_come() -> None:
    # 1,000 events over 10 s: the burst budget (10), then 2 calls a second.
    count, _ = run_virtual(_run([i * 0.01 for i in range(1000)]))
    assert count <= 10 + 10 * 2 + 1


def test_events_after_quiet_get_their_own_call() -> None:
    count, calls = run_virtual(_run([0.0, 0.5]))
    assert count == 2
    assert calls == pytest.approx([0.0, 0.5])


def test_a_merged_call_the_owner_no_longer_wants_is_skipped() -> None:
    count, _ = run_virtual(_run([0.0, 0.002, 0.004], call_takes=0.01, wanted=False))
    assert count == 1  # the first call always runs; the merged one was not wanted


def test_mails_one_at_a_time_each_get_their_call_at_once() -> None:
    # 200 lone mails 120-220 ms apart (~6 a second, for 34 s): none waits for the burst budget.
    gaps = random.Random(6).choices([0.12 + i * 0.01 for i in range(11)], k=200)
    pokes = [sum(gaps[:i]) for i in range(200)]
    count, calls = run_virtual(_run(pokes))
    assert count == 200
    assert calls == pytest.approx(pokes)


def test_a_flood_without_pauses_keeps_to_the_burst_budget() -> None:
    # 50 mails evenly over 0.9 s (the economy benchmark's burst): the budget, then 2 a second.
    count, _ = run_virtual(_run([i * 0.9 / 49 for i in range(50)], call_takes=0.01))
    assert count <= 10 + 2


def test_events_spaced_just_past_the_pause_are_bounded_over_the_long_run() -> None:
    # Each event after a pause starts a burst; the long-run bucket still bounds a minute of them.
    pokes = [i * (QUIET + 0.001) for i in range(int(60 / (QUIET + 0.001)))]
    count, _ = run_virtual(_run(pokes))
    assert count <= RESERVE + SUSTAINED * 60 + 1
    assert count < len(pokes)
