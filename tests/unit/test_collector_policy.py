"""When the idle collector runs a full pass, and what a released inbox gets back (tmtui.ui.collector).

The clock is the collector's own seam (the app's runs on time.monotonic); the
passes, counts and freezing are the interpreter's.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from tmtui.ui import collector
from tmtui.ui.collector import IDLE, REPEAT, SOON, IdleCollector


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    collector._refreeze = False  # an app closed earlier in this process may have released its inbox
    yield
    gc.unfreeze()
    collector._refreeze = False


def _young_pass() -> None:
    gc.collect(1)  # what a busy screen's allocations set off: survivors move to the old generation


def test_a_pass_waits_for_a_pause_and_something_to_collect(clock: Clock) -> None:
    idle = IdleCollector(clock)
    gc.collect()
    clock.now += IDLE
    assert not idle.due()  # a pause, but no young pass since the last full one: nothing to gain
    _young_pass()
    idle.touched()
    clock.now += IDLE / 2
    assert not idle.due()  # typing
    clock.now += IDLE / 2
    assert idle.due()
    idle.collect()
    assert gc.get_count()[2] == 0


def test_one_pass_per_pause_then_one_every_repeat(clock: Clock) -> None:
    idle = IdleCollector(clock)
    idle.touched()
    clock.now += IDLE
    _young_pass()
    idle.collect()
    _young_pass()
    clock.now += IDLE
    assert not idle.due()  # the same pause
    clock.now += REPEAT
    assert idle.due()  # a long one
    idle.collect()
    _young_pass()
    clock.now += 0.1
    idle.touched()
    clock.now += IDLE
    assert idle.due()  # a new pause


def test_a_released_inbox_gets_start_up_objects_frozen_again_by_the_next_pass(clock: Clock) -> None:
    idle = IdleCollector(clock)
    collector.settle()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    collector.release()
    assert gc.get_freeze_count() == 0  # the closed inbox's cycles can be found now
    clock.now += IDLE
    assert idle.due()  # even with no young pass since: the frozen objects wait for it
    idle.collect()
    assert gc.get_freeze_count() >= frozen * 0.9  # out of the full passes again
    assert not idle.due()


async def test_waiting_for_a_screen_is_no_pause_and_a_closed_screen_needs_only_a_short_one(clock: Clock) -> None:
    working = [True]
    idle = IdleCollector(clock, busy=lambda: working[0])
    idle.start()
    try:
        _young_pass()
        clock.now += 5 * IDLE
        idle.check()
        assert idle.passes == 0  # a body converting: the user waits for it
        working[0] = False
        idle.check()
        assert idle.passes == 0  # it has just ended: its frames are the answer to the key
        clock.now += IDLE
        idle.check()
        assert idle.passes == 1
        _young_pass()
        clock.now += 0.1
        idle.touched()  # escape: the reader closes
        idle.soon()
        clock.now += SOON
        idle.check()
        assert idle.passes == 2
    finally:
        idle.stop()
