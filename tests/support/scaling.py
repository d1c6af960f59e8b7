"""Cost checks that cannot flake: how work grows with its input, never how long it takes.

Absolute times belong in ``benchmarks/``. A test that guards against a
quadratic (or worse) corner runs the same work at two sizes in the same
process and compares them: 10x the input must cost less than 40x as much
(quadratic would be 100x, linear 10x).

The cost is this thread's CPU time (``time.thread_time``), so waiting for a
core on a busy machine does not count; the median of a few runs, taken in
turn at both sizes, leaves out a stray GC pause. A floor keeps tiny costs
(timer noise) from making a ratio on their own.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

FACTOR = 10  # how much larger the large input is
LIMIT = 40  # how much more it may cost; quadratic work costs FACTOR ** 2 as much
FLOOR = 0.002  # seconds of CPU: below this a cost is noise

T = TypeVar("T")
R = TypeVar("R")


def growth(small: Callable[[], object], large: Callable[[], object], *, runs: int = 3) -> float:
    """How many times more CPU ``large()`` costs than ``small()`` (medians of ``runs``)."""
    costs: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(runs):
        for name, work in (("small", small), ("large", large)):
            started = time.thread_time()
            work()
            costs[name].append(time.thread_time() - started)
    return _ratio(costs)


async def agrowth(small: Callable[[], Awaitable[object]], large: Callable[[], Awaitable[object]], *,
                  runs: int = 3) -> float:
    """:func:`growth` for coroutines run on this thread's event loop (server included)."""
    costs: dict[str, list[float]] = {"small": [], "large": []}
    for _ in range(runs):
        for name, work in (("small", small), ("large", large)):
            started = time.thread_time()
            await work()
            costs[name].append(time.thread_time() - started)
    return _ratio(costs)


def _ratio(costs: dict[str, list[float]]) -> float:
    return statistics.median(costs["large"]) / max(FLOOR, statistics.median(costs["small"]))


def assert_linear(build: Callable[[int], T], size: int, work: Callable[[T], R], *, runs: int = 3) -> R:
    """``work`` on ``build(size)`` costs less than LIMIT times ``work`` on
    ``build(size // FACTOR)``: linear, not quadratic. Returns ``work``'s
    result on the large input, for the test's other checks."""
    small, large = build(size // FACTOR), build(size)
    results: list[R] = []
    ratio = growth(lambda: work(small), lambda: results.append(work(large)), runs=runs)
    assert ratio < LIMIT, f"{FACTOR}x the input cost {ratio:.0f}x the CPU time (limit {LIMIT}x)"
    return results[-1]
