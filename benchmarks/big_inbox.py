"""5. Big inbox: 10,000 seeded messages against the same app on 50.

One child process per size runs the app on a saved mailbox opened at start:

* first rows: from ``open_inbox`` to the first frame with rows (the first page
  of 50 is shown while the rest pages in behind it), and again for a warm
  reopen (back to the picker, open again) once all rows are loaded;
* the worst UI stall while the rest of the mailbox pages in and lands, from
  a 10 ms ticking timer (longest gap between ticks minus the 10 ms period);
* navigation: ``j``/``k`` keys (40 down, 40 up, 4 times), each posted as the
  terminal driver would, one at a time; its cost is the main thread's CPU time
  from posting the key to the next frame where the cursor has moved. Frame
  pacing (60 FPS) is idle wall time and does not count;
* filter: ``/`` then ``message 4`` typed one key at a time, then ``escape``;
  wall and CPU time from the key to the frame after the list was re-filtered;
* RSS (VmRSS) after all that.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms, percentile

NAME = "big_inbox"
KEYS = ("big_inbox.first_rows", "big_inbox.first_rows_warm", "big_inbox.load_stall",
        "big_inbox.nav_cpu", "big_inbox.filter_key", "big_inbox.filter_key_max", "big_inbox.rss")
QUERY = "message 4"
STALL_MS = 33  # two frames at 60 FPS: issue 14


def _measure(srv: harness.BenchServer, count: int, **params: int) -> dict[str, Any]:
    mailbox = srv.new_mailbox()
    srv.control.seed(mailbox.address, count)
    params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "count": count, **params}
    with harness.Child("big_inbox.inbox", params) as child:
        return child.expect("result", 180)


def run(quick: bool) -> list[Metric]:
    nav_keys, nav_rounds, filter_rounds, reopens = (15, 1, 1, 1) if quick else (40, 4, 5, 5)
    with harness.server() as srv:
        options = {"nav_keys": nav_keys, "nav_rounds": nav_rounds, "filter_rounds": filter_rounds,
                   "reopens": reopens}
        big = _measure(srv, 10_000, **options)
        small = _measure(srv, 50, **options)
    filter_big, filter_small = big["filter_wall"], small["filter_wall"]
    return [
        Metric("big_inbox.first_rows", "10,000 mails: open -> first rows visible (cold)",
               ms(big["first_rows"]), "ms", baseline=ms(small["first_rows"]), baseline_label="50 mails",
               target=Target(300, unit="ms"), samples=1,
               note=f"all 10,000 rows in the list after {big['all_rows']:.2f} s"),
        Metric("big_inbox.first_rows_warm", "10,000 mails: reopen -> first rows visible (loaded)",
               ms(median(big["warm"])), "ms", baseline=ms(median(small["warm"])), baseline_label="50 mails",
               target=Target(300, unit="ms"), samples=len(big["warm"])),
        Metric("big_inbox.load_stall", "10,000 mails: worst UI stall while the mailbox loads",
               ms(big["load_stall"]), "ms", baseline=ms(small["load_stall"]), baseline_label="50 mails",
               target=Target(STALL_MS, unit="ms"), samples=1, note="10 ms ticking timer during the paging-in"),
        Metric("big_inbox.nav_cpu", "per-key navigation CPU, key -> frame (median)",
               ms(median(big["nav_cpu"])), "ms", baseline=ms(median(small["nav_cpu"])),
               baseline_label="50 mails", target=Target(1.5, on="ratio"), samples=len(big["nav_cpu"]),
               note=f"p95 {ms(percentile(big['nav_cpu'], 95)):.2f} ms vs "
                    f"{ms(percentile(small['nav_cpu'], 95)):.2f} ms; "
                    f"wall median {ms(median(big['nav_wall'])):.1f} ms vs {ms(median(small['nav_wall'])):.1f} ms"),
        Metric("big_inbox.filter_key", "filter keystroke over 10,000 rows, key -> frame (median)",
               ms(median(filter_big)), "ms", baseline=ms(median(filter_small)), baseline_label="50 mails",
               target=Target(STALL_MS, unit="ms"), samples=len(filter_big),
               note=f"CPU median {ms(median(big['filter_cpu'])):.1f} ms"),
        Metric("big_inbox.filter_key_max", "filter keystroke over 10,000 rows, key -> frame (worst)",
               ms(max(filter_big)), "ms", baseline=ms(max(filter_small)), baseline_label="50 mails",
               target=Target(STALL_MS, unit="ms"), samples=len(filter_big)),
        Metric("big_inbox.rss", "resident memory with 10,000 mails", big["rss"], "MiB",
               baseline=small["rss"], baseline_label="50 mails", target=Target(150, unit="MiB"), samples=1,
               note=f"peak (VmHWM) {big['hwm']:.0f} MiB"),
    ]


# -- child --------------------------------------------------------------------------------------

class Ticker:
    """A 10 ms interval timer on the app; records the longest gap between ticks."""

    def __init__(self, app: Any) -> None:
        self.last: float | None = None
        self.worst = 0.0
        self.timer = app.set_interval(0.01, self.tick)

    def tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.worst = max(self.worst, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last, self.worst = None, 0.0

    @property
    def stall(self) -> float:
        return max(0.0, self.worst - 0.01)

    def stop(self) -> None:
        self.timer.stop()


async def inbox(channel: Any, params: dict[str, Any]) -> None:
    from benchmarks import appkit
    from tmtui.ui.screens.inbox import InboxScreen

    count = params["count"]
    app = appkit.make_app(params)
    frames = appkit.Frames(app)
    opened: list[float] = []
    original_open = app.open_inbox

    def open_inbox(address: str) -> None:
        opened.append(time.monotonic())
        original_open(address)

    app.open_inbox = open_inbox
    filtered = [0]
    original_refresh_rows = InboxScreen.refresh_rows

    def refresh_rows(self: InboxScreen) -> None:  # runs on each key in the filter
        original_refresh_rows(self)
        filtered[0] += 1

    InboxScreen.refresh_rows = refresh_rows  # type: ignore[method-assign]
    result: dict[str, Any] = {}
    async with app.run_test(size=appkit.SIZE, notifications=True) as pilot:
        ticker = Ticker(app)
        first = await asyncio.wait_for(frames.wait(lambda: appkit.rows_shown(app) > 0), 30)
        result["first_rows"] = first[0] - opened[0]
        # The stall "while the rest pages in" starts here: start-up (imports, the first
        # layout, its collections) is the startup benchmark's, and counted there.
        ticker.reset()
        everything = await asyncio.wait_for(frames.wait(lambda: appkit.rows_shown(app) >= count), 120)
        result["all_rows"] = everything[0] - opened[0]
        await asyncio.sleep(0.3)  # whatever the last page set off (notifications, header) lands
        result["load_stall"] = ticker.stall
        ticker.stop()
        address = params["mailbox"]["address"]

        result["warm"] = []
        for _ in range(params["reopens"]):
            app.pop_screen()
            await pilot.pause(0.2)
            frame = frames.wait(lambda: appkit.rows_shown(app) > 0)
            start = time.monotonic()
            app.open_inbox(address)
            result["warm"].append((await asyncio.wait_for(frame, 10))[0] - start)
            await pilot.pause(0.2)

        widget = appkit.message_list(app)
        assert widget is not None
        result["nav_cpu"], result["nav_wall"] = [], []
        for _ in range(params["nav_rounds"]):
            for key, step in (("j", 1), ("k", -1)):
                for _ in range(params["nav_keys"]):
                    target = widget.cursor + step
                    frame = frames.wait(lambda t=target: widget.cursor == t)
                    wall0, cpu0 = appkit.press(app, key)
                    wall1, cpu1 = await asyncio.wait_for(frame, 5)
                    result["nav_cpu"].append(cpu1 - cpu0)
                    result["nav_wall"].append(wall1 - wall0)
                    await asyncio.sleep(0.02)

        result["filter_wall"], result["filter_cpu"] = [], []
        for _ in range(params["filter_rounds"]):
            appkit.press(app, "slash")
            await pilot.pause(0.1)
            for char in QUERY:
                before = filtered[0]
                frame = frames.wait(lambda b=before: filtered[0] > b)
                wall0, cpu0 = appkit.press(app, "space" if char == " " else char)
                wall1, cpu1 = await asyncio.wait_for(frame, 10)
                result["filter_wall"].append(wall1 - wall0)
                result["filter_cpu"].append(cpu1 - cpu0)
                await asyncio.sleep(0.05)
            appkit.press(app, "escape")
            await pilot.pause(0.2)
        result["rss"], result["hwm"] = appkit.rss_mb()
    channel.emit("result", **result)
