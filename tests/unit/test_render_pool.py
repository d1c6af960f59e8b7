"""tmtui.render.pool: the same conversion, in a worker process the UI's GIL never sees.

No clock is read: where the work runs is shown by process ids and by this
process's own CPU time, which a conversion elsewhere does not add to.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import time
from collections.abc import Iterator

import pytest

from tests.hostile.corpus import nested_html
from tests.support.newsletter import newsletter
from tmtui.render import fold_long_lines, html_to_text
from tmtui.render.pool import ConverterPool

HOSTILE = [
    "<p>a<script>alert(1)</script>b <a href='javascript:alert(1)'>x</a> \x1b]52;c;ZXZpbA==\x07 "
    "<a href='https://ok.example/?q=1'>ok</a> &#xdfff; &#99999999999; <![junk</p>",
    nested_html(5000),
    "<pre>" + "\t" * 50_000 + "</pre>" + "<" * 20_000,
]


@pytest.fixture
def pool() -> Iterator[ConverterPool]:
    pool = ConverterPool()
    try:
        yield pool
    finally:
        pool.close()


def test_the_worker_is_another_process_and_converts_exactly_like_html_to_text(pool: ConverterPool) -> None:
    pool.start()
    pid = pool.worker_pid()
    assert pool.mode == "process" and pid is not None and pid != os.getpid()
    for html in HOSTILE:
        assert pool.html_to_text(html) == html_to_text(html)
    limited = {"max_input": 500, "max_output": 300, "max_depth": 5}
    assert pool.html_to_text(HOSTILE[1], **limited) == html_to_text(HOSTILE[1], **limited)


def test_a_megabyte_costs_this_process_a_fraction_of_converting_it_here(pool: ConverterPool) -> None:
    html = newsletter(1_000_000)
    pool.start()
    pool.html_to_text("<p>warm</p>")  # the worker is up and warm
    here = time.process_time()
    expected = html_to_text(html)
    here = time.process_time() - here
    there = time.process_time()
    got = pool.html_to_text(html)
    there = time.process_time() - there
    assert got == expected
    # Pickling the HTML out and the text back is all this process does.
    assert there < here / 4, (there, here)


async def test_render_is_awaitable_on_the_loop(pool: ConverterPool) -> None:
    html = newsletter(50_000)
    got = await pool.render(html)  # not started: it starts on demand, off the loop's thread
    assert got == html_to_text(html)
    assert pool.mode == "process"
    results = await asyncio.gather(*(pool.render(h) for h in HOSTILE))
    assert list(results) == [html_to_text(h) for h in HOSTILE]


def test_a_killed_worker_is_replaced(pool: ConverterPool) -> None:
    pool.start()
    first = pool.worker_pid()
    assert first is not None
    os.kill(first, signal.SIGKILL)
    html = "<p>still <b>here</b></p>"
    assert pool.html_to_text(html) == html_to_text(html)
    second = pool.worker_pid()
    assert pool.mode == "process" and second not in (None, first)


async def test_without_processes_it_converts_in_threads() -> None:
    for pool in (ConverterPool(processes=False), ConverterPool(start_method="no-such-method")):
        html = HOSTILE[0]
        assert pool.html_to_text(html) == html_to_text(html)
        assert await pool.render(html) == html_to_text(html)
        assert pool.mode == "thread" and pool.worker_pid() is None
        pool.close()


async def test_after_close_it_still_converts_in_threads(pool: ConverterPool) -> None:
    pool.start()
    pool.close()
    html = HOSTILE[0]
    assert pool.html_to_text(html) == html_to_text(html)
    assert await pool.render(html) == html_to_text(html)
    assert pool.worker_pid() is None and pool.mode == "thread"


async def test_any_picklable_work_runs_in_the_worker(pool: ConverterPool) -> None:
    text = "word " * 100_000
    assert pool.call(functools.partial(fold_long_lines, text, 80)) == fold_long_lines(text, 80)
    assert await pool.run(functools.partial(fold_long_lines, text, 80)) == fold_long_lines(text, 80)
    assert pool.call(os.getpid) == pool.worker_pid() != os.getpid()


def test_the_worker_yields_the_cpu_to_the_ui(pool: ConverterPool) -> None:
    """On a busy machine the scheduler must let the UI in before its own converter."""
    from tmtui.render.pool import WORKER_NICENESS

    here = os.nice(0)
    assert pool.call(functools.partial(os.nice, 0)) == min(19, here + WORKER_NICENESS)
    assert os.nice(0) == here  # this process keeps its priority
