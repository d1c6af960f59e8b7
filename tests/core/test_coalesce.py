"""Bursts of `changed` events become few list calls; a lone event is fetched at once."""

from __future__ import annotations

import asyncio

from tmtui.sync.coalesce import Coalescer


async def _run(pokes: list[float], *, quiet: float = 0.05, max_wait: float = 0.4) -> tuple[int, list[float]]:
    loop = asyncio.get_running_loop()
    start = loop.time()
    calls: list[float] = []
    done = asyncio.Event()

    async def action() -> None:
        calls.append(loop.time() - start)

    coalescer = Coalescer(action, quiet=quiet, max_wait=max_wait)
    task = asyncio.create_task(coalescer.run())

    async def poker() -> None:
        for at in pokes:
            await asyncio.sleep(max(0.0, at - (loop.time() - start)))  # the schedule under test
            coalescer.poke()
        await asyncio.sleep(quiet * 3)  # let the trailing call happen
        done.set()

    await asyncio.wait_for(asyncio.gather(poker(), done.wait()), 5)
    task.cancel()
    return coalescer.calls, calls


async def test_single_event_is_fetched_immediately() -> None:
    count, calls = await _run([0.0])
    assert count == 1
    assert calls[0] < 0.02


async def test_burst_of_fifty_within_half_a_second_is_at_most_three_calls() -> None:
    count, _ = await _run([i * 0.01 for i in range(50)])
    assert 2 <= count <= 3


async def test_events_after_quiet_get_their_own_call() -> None:
    count, _ = await _run([0.0, 0.5])
    assert count == 2


async def test_a_fast_burst_settles_sooner_than_the_quiet_window() -> None:
    # 20 events 5 ms apart: the trailing call comes ~20 ms after the last, not 100 ms.
    pokes = [i * 0.005 for i in range(20)]
    count, calls = await _run(pokes, quiet=0.1, max_wait=1.0)
    assert count == 2
    assert calls[-1] - pokes[-1] < 0.08
