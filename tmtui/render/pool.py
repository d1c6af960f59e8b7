"""Convert where the GIL cannot reach the UI: one pre-warmed worker process.

html2text is pure Python: a 1 MB newsletter holds the GIL for 100-200 ms, in
stretches, so a thread worker still stalls the event loop beside it (the loop
gets the GIL once per switch interval, and not always then). In another
process it costs the UI nothing but the copy of the HTML out and of the text
back (a few ms, done by the executor's own threads, not the caller's).

    pool = ConverterPool()
    pool.start_soon()                   # after the first frame: spawns and warms the worker
    rendered = await pool.render(html)  # from the event loop
    rendered = pool.html_to_text(html)  # from a thread worker (blocks that thread only)
    text = await pool.run(functools.partial(fold_long_lines, text, 98))  # any picklable work
    pool.close()                        # on exit

The worker is a ``spawn`` process (never ``fork``: the app has threads), warmed
by importing html2text and converting a small document. Its output goes to
/dev/null, so nothing it prints can reach the terminal the UI draws on. Like
every spawned process it imports the program's main module first: entry points
keep their work under ``if __name__ == "__main__"`` (tmtui's console script
and ``python -m tmtui`` do; a worker that cannot start means threads).
Where processes are unavailable (no ``sem_open``, a sandbox, a frozen build)
or the worker cannot be started, conversion runs in the calling thread
(``render`` moves it to a thread first). If the worker dies on a body, a
fresh one is tried once; if that dies too, the body is shown as bare text
(:func:`tmtui.render.output.fallback`) rather than risk the app's process. A
worker that dies before it ever answered means processes do not work here:
from then on, threads.

Same function, same limits: the worker runs :func:`tmtui.render.html_to_text`
with the caller's options, and :class:`~tmtui.render.output.Rendered` is
picklable. No UI import here: the caller decides when to start and close.
multiprocessing is imported when the worker is started, not with this module
(it is ~30 ms of an app's start-up).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import io
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tmtui.render import limits
from tmtui.render.convert import html_to_text
from tmtui.render.output import Rendered, fallback
from tmtui.safety import sanitize_text

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Mode = Literal["idle", "process", "thread"]
T = TypeVar("T")
_WARM_UP = "<p>warm <a href='https://example.org'>up</a> &amp; <b>ready</b></p>"


WORKER_NICENESS = 5  # on a busy 2-core machine the UI must win the CPU from its own converter


def _warm() -> None:
    """Worker initializer: quiet output, a lower priority than the UI, the converter
    imported and its caches filled."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    # The worker converts while the UI scrolls and repaints: where the two share a
    # core, the scheduler lets the UI's short bursts in first. A body still
    # converts at full speed on an idle core.
    with contextlib.suppress(AttributeError, OSError):
        os.nice(WORKER_NICENESS)
    html_to_text(_WARM_UP)


def _ping() -> int:
    return os.getpid()


class _NoDescriptor(io.TextIOBase):
    """``sys.stderr`` for a moment: writes go on to the real one, ``fileno()`` has none."""

    def __init__(self, stream: Any) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream.write(text) or 0)

    def flush(self) -> None:
        self._stream.flush()

    def fileno(self) -> int:
        raise io.UnsupportedOperation("no descriptor")


def _start_resource_tracker() -> None:
    """multiprocessing's resource tracker (a process of its own, for the worker's
    semaphores) is handed ``sys.stderr.fileno()``; under Textual that is a capture
    without a real descriptor, and the spawn fails. It is started here with none:
    nothing it could say belongs on the terminal the UI draws on."""
    from multiprocessing import resource_tracker

    saved = sys.stderr
    sys.stderr = _NoDescriptor(saved)
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = saved


class ConverterPool:
    """One worker process for :func:`~tmtui.render.html_to_text` (and any other
    picklable text work: :meth:`call`, :meth:`run`), started on demand or ahead of
    time; thread-safe. ``processes=False`` always works in threads."""

    def __init__(self, *, processes: bool = True, start_method: str = "spawn") -> None:
        self._processes = processes
        self._start_method = start_method
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._failed = not processes  # True: no process worker, convert in threads
        self._closed = False
        self._worked: dict[ProcessPoolExecutor, concurrent.futures.Future[int]] = {}

    @property
    def mode(self) -> Mode:
        """Where the next conversion runs: in the worker, in a thread, or not yet decided."""
        if self._failed or self._closed:
            return "thread"
        return "process" if self._executor is not None else "idle"

    def worker_pid(self) -> int | None:
        """The worker's process id, waiting for it to be up; None when converting in threads."""
        with self._lock:
            executor = self._executor
        ping = self._worked.get(executor) if executor is not None else None
        if ping is None:
            return None
        try:
            return ping.result()
        except Exception:
            return None

    def start(self) -> None:
        """Spawn the worker and have it warm up (returns at once; the work goes on there).

        Spawning forks and execs the interpreter: call it after the first frame,
        or use :meth:`start_soon`, which does it from a short-lived thread."""
        self._get_executor()

    def start_soon(self) -> None:
        """:meth:`start` on a daemon thread, so the caller (the UI thread) never forks."""
        threading.Thread(target=self.start, name="tmtui-converter-start", daemon=True).start()

    def html_to_text(self, html: str, **options: Any) -> Rendered:
        """:func:`tmtui.render.html_to_text` in the worker; blocks the calling thread only."""
        return self.call(functools.partial(html_to_text, html, **options), fallback=lambda: _bare(html))

    async def render(self, html: str, **options: Any) -> Rendered:
        """:func:`tmtui.render.html_to_text` without holding the event loop: in the
        worker, or in a thread when there is none. Cancelling it drops a conversion
        that has not started."""
        return await self.run(functools.partial(html_to_text, html, **options), fallback=lambda: _bare(html))

    def call(self, work: Callable[[], T], *, fallback: Callable[[], T] | None = None) -> T:
        """``work()`` in the worker (a picklable callable: a module-level function, or a
        ``functools.partial`` of one, whose module imports no UI); blocks the calling
        thread only. In this thread when there is no worker. If the worker dies on it
        twice, ``fallback()`` (or the error)."""
        for attempt in range(2):
            executor = self._get_executor()
            if executor is None:
                return work()
            try:
                return executor.submit(work).result()
            except BrokenExecutor:  # BrokenProcessPool: the worker died
                if self._drop(executor) and attempt:
                    if fallback is None:
                        raise
                    return fallback()
        return work()  # the worker never ran: processes do not work here

    async def run(self, work: Callable[[], T], *, fallback: Callable[[], T] | None = None) -> T:
        """:meth:`call` for the event loop: awaits the worker (or a thread)."""
        loop = asyncio.get_running_loop()
        for attempt in range(2):
            # Spawning forks: not on the event loop's thread.
            executor = self._executor or await asyncio.to_thread(self._get_executor)
            if executor is None:
                return await asyncio.to_thread(work)
            try:
                return await loop.run_in_executor(executor, work)
            except BrokenExecutor:  # BrokenProcessPool: the worker died
                if self._drop(executor) and attempt:
                    if fallback is None:
                        raise
                    return fallback()
        return await asyncio.to_thread(work)

    def close(self) -> None:
        """Stop the worker (a conversion under way is left to finish and dropped)."""
        with self._lock:
            executor, self._executor, self._closed = self._executor, None, True
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    # -- internals --------------------------------------------------------------------------

    def _get_executor(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._failed or self._closed:
                return None
            if self._executor is None:
                try:
                    import multiprocessing
                    from concurrent.futures import ProcessPoolExecutor

                    context = multiprocessing.get_context(self._start_method)
                    if self._start_method != "fork":
                        _start_resource_tracker()
                    executor = ProcessPoolExecutor(
                        max_workers=1, mp_context=context, initializer=_warm)
                    # The worker is spawned now, not on the first body; its answer says it works.
                    self._worked[executor] = executor.submit(_ping)
                except (OSError, ImportError, NotImplementedError, ValueError, RuntimeError):
                    self._failed = True
                    return None
                self._executor = executor
            return self._executor

    def _drop(self, executor: ProcessPoolExecutor) -> bool:
        """The worker died: forget it, so the next call starts a fresh one. False when
        it never answered at all (it could not start): from now on, threads."""
        worked = self._worked.pop(executor, None)
        ran = worked is not None and worked.done() and not worked.cancelled() and worked.exception() is None
        with self._lock:
            if self._executor is executor:
                self._executor = None
            if not ran:
                self._failed = True
        with contextlib.suppress(Exception):
            executor.shutdown(wait=False, cancel_futures=True)
        return ran


def _bare(html: str) -> Rendered:
    """The body as bare text, when converting it stopped the worker twice."""
    source, note = limits.cut_input(html, limits.MAX_INPUT)
    notes = [note] if note else []
    return fallback(sanitize_text(source), max_output=limits.MAX_OUTPUT, notes=notes, truncated=bool(note))
