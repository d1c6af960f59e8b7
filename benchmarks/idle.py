"""3. Idle cost: CPU time of the app's process over 30 s idle with SSE open.

Two child processes sit idle side by side over the same window: the real app
on its inbox (20 mails, stream live) and the baseline, a bare Textual app
(Header, 50-row DataTable, Footer). Each measures its own ``time.process_time()``
(all threads of the process) over the window, after 1 s to settle, plus two
busy-loop detectors: event-loop iterations per second (calls of the
selector's ``select``) and frames composed per second.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target

NAME = "idle"
KEYS = ("idle.cpu_percent", "idle.loop_wakeups", "idle.frames")


def run(quick: bool) -> list[Metric]:
    window = 3.0 if quick else 30.0
    with harness.server() as srv:
        mailbox = srv.new_mailbox()
        srv.control.seed(mailbox.address, 20)
        params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "window": window}
        with harness.Child("idle.sit", {**params, "app": "tmtui"}) as ours, \
                harness.Child("idle.sit", {**params, "app": "bare"}) as bare:
            ours.expect("ready", 30)
            bare.expect("ready", 30)
            ours.send(kind="go")
            bare.send(kind="go")
            mine = ours.expect("result", window + 30)
            base = bare.expect("result", window + 30)
    return [
        Metric("idle.cpu_percent", f"idle CPU, {window:g} s with SSE open", mine["cpu_percent"],
               "% core", baseline=base["cpu_percent"], baseline_label="bare Textual app",
               target=Target(1.0, unit="% core"), samples=1,
               note=f"{mine['cpu_seconds'] * 1000:.0f} ms CPU in {window:g} s"),
        Metric("idle.loop_wakeups", "idle event-loop wake-ups", mine["wakeups_per_s"], "/s",
               baseline=base["wakeups_per_s"], baseline_label="bare Textual app", samples=1),
        Metric("idle.frames", "idle frames composed", mine["frames_per_s"], "/s",
               baseline=base["frames_per_s"], baseline_label="bare Textual app", samples=1),
    ]


# -- child --------------------------------------------------------------------------------------

async def sit(channel: Any, params: dict[str, Any]) -> None:
    from benchmarks import appkit
    from tests.support.waiting import until

    if params["app"] == "tmtui":
        app: Any = appkit.make_app(params)
    else:
        from benchmarks.bare import BareApp

        app = BareApp()
    frames = appkit.Frames(app)
    loop = asyncio.get_running_loop()
    selector: Any = loop._selector  # type: ignore[attr-defined]
    original_select = selector.select
    wakeups = [0]

    def select(timeout: float | None = None) -> Any:
        wakeups[0] += 1
        return original_select(timeout)

    selector.select = select
    async with app.run_test(size=appkit.SIZE, notifications=True):
        if params["app"] == "tmtui":
            await until(lambda: appkit.rows_shown(app) > 0 and appkit.mailbox_state(app) == "live",
                               30, what="inbox live")
        else:
            await until(lambda: frames.count > 0, 30, what="first frame")
        channel.emit("ready")
        await channel.wait_for("go")
        await asyncio.sleep(1.0)
        cpu0, wall0, frames0, wakes0 = time.process_time(), time.monotonic(), frames.count, wakeups[0]
        await asyncio.sleep(params["window"])
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        channel.emit("result", cpu_seconds=cpu, cpu_percent=100 * cpu / wall,
                     wakeups_per_s=(wakeups[0] - wakes0) / wall, frames_per_s=(frames.count - frames0) / wall)
