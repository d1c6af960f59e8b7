"""6. Rendering a 1 MB HTML newsletter.

* conversion: ``tmtui.render.html_to_text`` against bare html2text on the same
  input (``HTML2Text(bodywidth=0).handle``: no wrapping, as ours), in a child
  process, alternating, after a warm-up, medians;
* UI stall: the app opens the newsletter (delivered over SMTP) from its inbox
  with ``enter``; a 10 ms interval timer on the app records the longest gap
  between ticks. The stall is that gap minus the 10 ms period, (a) while the
  reader's thread converts and (b) over the whole opening, from the key until
  0.3 s after the body is shown. Baseline: the same timer on the idle inbox.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms
from tests.support.newsletter import newsletter

NAME = "rendering"
KEYS = ("rendering.convert", "rendering.stall_convert", "rendering.stall_open")
SIZE = 1_000_000
STALL_MS = 33  # two frames at 60 FPS: issue 14


def run(quick: bool) -> list[Metric]:
    repeats = 2 if quick else 7
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
            reader = child.expect("result", 120)
    ours, bare = median(convert["ours"]), median(convert["bare"])
    return [
        Metric("rendering.convert", f"html_to_text, {len(html) / 1e6:.1f} MB newsletter", ms(ours), "ms",
               baseline=ms(bare), baseline_label="bare html2text, bodywidth=0", target=Target(1.2, on="ratio"),
               samples=len(convert["ours"]),
               note=f"html2text with default wrapping: {ms(median(convert['wrapped'])):.0f} ms; "
                    f"output {convert['chars']:,} chars"),
        Metric("rendering.stall_convert", "UI stall while the reader converts (worst)",
               ms(max(reader["convert"])), "ms", baseline=ms(reader["idle"]), baseline_label="idle inbox",
               target=Target(STALL_MS, unit="ms"), samples=len(reader["convert"]),
               note=f"conversion in the reader took {ms(median(reader['converting'])):.0f} ms (median)"),
        Metric("rendering.stall_open", "UI stall opening it, key -> body shown + 0.3 s (worst)",
               ms(max(reader["open"])), "ms", baseline=ms(reader["idle"]), baseline_label="idle inbox",
               target=Target(STALL_MS, unit="ms"), samples=len(reader["open"]),
               note=f"key -> body shown {ms(median(reader['shown'])):.0f} ms (median)"),
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
    """A 10 ms interval timer on the app, keeping every gap between ticks."""

    PERIOD = 0.01

    def __init__(self, app: Any) -> None:
        self.gaps: list[tuple[float, float]] = []  # (end of gap, gap)
        self.last: float | None = None
        app.set_interval(self.PERIOD, self.tick)

    def tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.gaps.append((now, now - self.last))
        self.last = now

    def worst(self, start: float, end: float) -> float:
        """The longest stall (gap minus the period) overlapping [start, end]."""
        overlapping = [gap for stop, gap in self.gaps if stop >= start and stop - gap <= end]
        return max(0.0, max(overlapping, default=0.0) - self.PERIOD)


async def reader(channel: Any, params: dict[str, Any]) -> None:
    from benchmarks import appkit
    from tests.support.waiting import until
    from tmtui.ui.screens import reader as reader_module
    from tmtui.ui.screens.reader import ReaderScreen

    spans: list[tuple[float, float]] = []
    original = reader_module.html_to_text

    def timed(html: str, **options: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(html, **options)
        finally:
            spans.append((start, time.perf_counter()))

    reader_module.html_to_text = timed
    app = appkit.make_app(params)
    frames = appkit.Frames(app)
    result: dict[str, Any] = {"convert": [], "open": [], "shown": [], "converting": []}
    async with app.run_test(size=appkit.SIZE, notifications=True) as pilot:
        await until(lambda: appkit.rows_shown(app) > 0, 30, what="the newsletter in the inbox")
        await pilot.pause(0.3)
        timer = GapTimer(app)
        await asyncio.sleep(params["idle"])
        result["idle"] = timer.worst(0, time.perf_counter())
        for _ in range(params["opens"]):
            spans.clear()
            shown = frames.wait(lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
            start = time.perf_counter()
            appkit.press(app, "enter")
            await asyncio.wait_for(shown, 60)
            result["shown"].append(time.perf_counter() - start)
            await asyncio.sleep(0.3)
            end = time.perf_counter()
            begin, finish = spans[-1]
            result["converting"].append(finish - begin)
            result["convert"].append(timer.worst(begin, finish))
            result["open"].append(timer.worst(start, end))
            appkit.press(app, "escape")
            await until(lambda: appkit.message_list(app) is not None, 10, what="back to the inbox")
            await pilot.pause(0.3)
    channel.emit("result", **result)
