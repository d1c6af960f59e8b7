"""6. Rendering a 1 MB HTML newsletter.

* conversion: ``tmtui.render.html_to_text`` against bare html2text on the same
  input (``HTML2Text(bodywidth=0).handle``: no wrapping, as ours), in a child
  process, alternating, after a warm-up, medians;
* UI stall: the app opens the newsletter (delivered over SMTP) from its inbox
  with ``enter``; a 10 ms interval timer on the app records the longest gap
  between ticks. The stall is that gap minus the 10 ms period, (a) while the
  reader's thread converts and (b) over the whole opening, from the key until
  0.3 s after the body is shown. Baseline: the same timer on the idle inbox.
  Measured twice: the reader as it is and with the conversion in the app's
  worker process (``app.converter``, :mod:`tmtui.render.pool`) swapped in for
  that one call. The reader now prepares its body in that worker itself
  (``app.converter.run``, :mod:`tmtui.reading`): the two runs are then the same
  code, alternating, two sets of samples of one figure (the conversion span is
  the first ``run`` call after the key).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms
from tests.support.newsletter import newsletter

NAME = "rendering"
KEYS = ("rendering.convert", "rendering.stall_convert", "rendering.stall_open",
        "rendering.stall_convert_process", "rendering.stall_open_process")
SIZE = 1_000_000
STALL_MS = 33  # two frames at 60 FPS: issue 14


def run(quick: bool) -> list[Metric]:
    repeats = 1 if quick else 7
    opens = 1 if quick else 5
    with harness.Child("rendering.convert", {"size": SIZE, "repeats": repeats}) as child:
        convert = child.expect("result", 300)
    html = newsletter(SIZE)
    with harness.server() as srv:
        mailbox = srv.new_mailbox()
        with harness.Sender(srv.smtp_port) as sender:
            sender.send(mailbox.address, harness.build_mail(mailbox.address, "bench-newsletter", html=html))
        params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "opens": opens,
                  "idle": 0.5 if quick else 2.0}
        with harness.Child("rendering.reader", params) as child:
            readers = child.expect("result", 180)
    ours, bare = median(convert["ours"]), median(convert["bare"])
    return [*_conversion(convert, ours, bare, len(html)), *_stalls(readers["thread"], ""),
            *_stalls(readers["process"], "_process")]


def _conversion(convert: dict[str, Any], ours: float, bare: float, size: int) -> list[Metric]:
    return [
        Metric("rendering.convert", f"html_to_text, {size / 1e6:.1f} MB newsletter", ms(ours), "ms",
               baseline=ms(bare), baseline_label="bare html2text, bodywidth=0", target=Target(1.2, on="ratio"),
               samples=len(convert["ours"]),
               note=f"html2text with default wrapping: {ms(median(convert['wrapped'])):.0f} ms; "
                    f"output {convert['chars']:,} chars"),
    ]


def _stalls(reader: dict[str, Any], suffix: str) -> list[Metric]:
    where = " (worker process)" if suffix else ""
    how = (f"; the reader's conversion call swapped for app.converter ({reader['mode']})" if suffix
           else f"; the reader as it is ({reader['mode']})")
    return [
        Metric(f"rendering.stall_convert{suffix}", f"UI stall while the reader converts{where} (worst)",
               ms(max(reader["convert"])), "ms", baseline=ms(reader["idle"]), baseline_label="idle inbox",
               target=Target(STALL_MS, unit="ms"), samples=len(reader["convert"]),
               note=f"conversion in the reader took {ms(median(reader['converting'])):.0f} ms (median); worst "
                    f"stall without a collector pass in it {ms(max(reader['convert_no_gc'])):.0f} ms; the app's "
                    f"process was on a CPU for {100 * median(reader['running']):.0f}% of its longest gap (median; "
                    f"low: other load held it off)" + how),
        Metric(f"rendering.stall_open{suffix}", f"UI stall opening it{where}, key -> body shown + 0.3 s (worst)",
               ms(max(reader["open"])), "ms", baseline=ms(reader["idle"]), baseline_label="idle inbox",
               target=Target(STALL_MS, unit="ms"), samples=len(reader["open"]),
               note=f"key -> body shown {ms(median(reader['shown'])):.0f} ms (median); worst stall without a "
                    f"collector pass in it {ms(max(reader['open_no_gc'])):.0f} ms; longest collection "
                    f"{ms(max(reader['gc'])):.0f} ms" + how),
    ]


# -- children -------------------------------------------------------------------------------------

async def convert(channel: Any, params: dict[str, Any]) -> None:
    import html2text

    from tmtui.render import html_to_text

    html = newsletter(params["size"])

    def bare() -> str:
        return html2text.HTML2Text(bodywidth=0).handle(html)

    def wrapped() -> str:
        return html2text.HTML2Text().handle(html)

    def ours() -> str:
        return html_to_text(html).text

    times: dict[str, list[float]] = {"ours": [], "bare": [], "wrapped": []}
    chars = len(ours())
    bare(), wrapped()  # warm-up: imports, caches
    for _ in range(params["repeats"]):
        for name, fn in (("ours", ours), ("bare", bare), ("wrapped", wrapped)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    channel.emit("result", chars=chars, **times)


class GapTimer:
    """A 10 ms interval timer on the app, keeping every gap between ticks, and the
    collector's passes (a full one over a big heap is a stall of its own)."""

    PERIOD = 0.01

    def __init__(self, app: Any) -> None:
        import gc

        self.gaps: list[tuple[float, float]] = []  # (end of gap, gap)
        self.cpu: dict[float, float] = {}  # end of gap -> the process's CPU time during it
        self.collections: list[tuple[float, float]] = []  # (end, duration) of passes over 5 ms
        self.last: float | None = None
        self.last_cpu = 0.0
        self._collecting = 0.0
        app.set_interval(self.PERIOD, self.tick)
        gc.callbacks.append(self._collector)

    def _collector(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._collecting = now
        elif now - self._collecting > 0.005:
            self.collections.append((now, now - self._collecting))

    def tick(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self.last is not None:
            self.gaps.append((now, now - self.last))
            self.cpu[now] = cpu - self.last_cpu
        self.last, self.last_cpu = now, cpu

    def worst(self, start: float, end: float, *, collections: bool = True) -> float:
        """The longest stall (gap minus the period) within [start, end] (a gap that
        straddles an end counts only its part inside); with ``collections=False``,
        among the gaps no collector pass ended in."""
        inside = [min(stop, end) - max(stop - gap, start) for stop, gap in self.gaps
                  if stop >= start and stop - gap <= end
                  and (collections or not any(stop - gap <= c <= stop for c, _ in self.collections))]
        return max(0.0, max(inside, default=0.0) - self.PERIOD)

    def running_share(self, start: float, end: float) -> float:
        """Of the longest gap in [start, end], the share this process spent on a CPU
        (all threads): near 0, the machine did not run it (other load); near 1, it was
        busy itself (its own work, or a thread holding the GIL)."""
        overlapping = [(gap, stop) for stop, gap in self.gaps if stop >= start and stop - gap <= end]
        if not overlapping:
            return 0.0
        gap, stop = max(overlapping)
        return min(1.0, self.cpu.get(stop, 0.0) / gap)

    def longest_collection(self, start: float, end: float) -> float:
        return max((d for stop, d in self.collections if start <= stop <= end), default=0.0)


def _time_conversions(app: Any, reader_module: Any, spans: list[tuple[float, float]]) -> list[str]:
    """Record each conversion the reader makes. The returned list holds where the
    next one runs: "thread" (the reader's own call) or "process" (that call swapped
    for ``app.converter.html_to_text``, as the reader would make it). A reader that
    prepares its body in ``app.converter.run`` already works there: both are that call
    (every call is timed; the conversion is the first after the key)."""
    where = ["thread"]
    if not hasattr(reader_module, "html_to_text"):
        run = app.converter.run

        async def timed_run(work: Any, **options: Any) -> Any:
            start = time.perf_counter()
            try:
                return await run(work, **options)
            finally:
                spans.append((start, time.perf_counter()))

        app.converter.run = timed_run
        return where
    convert = {"thread": reader_module.html_to_text, "process": app.converter.html_to_text}

    def timed(html: str, **options: Any) -> Any:
        start = time.perf_counter()
        try:
            return convert[where[0]](html, **options)
        finally:
            spans.append((start, time.perf_counter()))

    reader_module.html_to_text = timed
    return where


async def reader(channel: Any, params: dict[str, Any]) -> None:
    from benchmarks import appkit
    from tests.support.waiting import until
    from tmtui.ui.screens import reader as reader_module
    from tmtui.ui.screens.reader import ReaderScreen

    spans: list[tuple[float, float]] = []
    app = appkit.make_app(params)
    where = _time_conversions(app, reader_module, spans)
    frames = appkit.Frames(app)
    results: dict[str, dict[str, Any]] = {
        mode: {"convert": [], "open": [], "shown": [], "converting": [], "convert_no_gc": [], "open_no_gc": [],
               "gc": [], "running": []} for mode in ("thread", "process")}
    async with app.run_test(size=appkit.SIZE, notifications=True) as pilot:
        await until(lambda: appkit.rows_shown(app) > 0, 30, what="the newsletter in the inbox")
        # As after a second on the inbox: the app's converter worker is up (for both runs alike).
        await until(lambda: app.converter.mode != "idle", 30, what="the converter worker")
        await asyncio.to_thread(app.converter.worker_pid)  # it has answered
        results["thread"]["mode"] = "thread worker" if hasattr(reader_module, "html_to_text") else app.converter.mode
        results["process"]["mode"] = app.converter.mode
        await pilot.pause(0.3)
        timer = GapTimer(app)
        await asyncio.sleep(params["idle"])
        idle = timer.worst(0, time.perf_counter())
        # Alternating, so both see the same heap: a closed reader lives on for a while (the
        # cancelled timers of its requests keep their context, and the screen, until their
        # deadline), and the collector's full passes grow with what is alive.
        for _ in range(params["opens"]):
            for mode, result in results.items():
                where[0] = mode
                result["idle"] = idle
                spans.clear()
                shown = frames.wait(lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
                start = time.perf_counter()
                appkit.press(app, "enter")
                await asyncio.wait_for(shown, 60)
                result["shown"].append(time.perf_counter() - start)
                await asyncio.sleep(0.3)
                end = time.perf_counter()
                begin, finish = spans[0]
                result["converting"].append(finish - begin)
                result["convert"].append(timer.worst(begin, finish))
                result["open"].append(timer.worst(start, end))
                result["convert_no_gc"].append(timer.worst(begin, finish, collections=False))
                result["open_no_gc"].append(timer.worst(start, end, collections=False))
                result["gc"].append(timer.longest_collection(start, end))
                result["running"].append(timer.running_share(begin, finish))
                appkit.press(app, "escape")
                await until(lambda: appkit.message_list(app) is not None, 10, what="back to the inbox")
                await pilot.pause(0.3)
    channel.emit("result", **results)
