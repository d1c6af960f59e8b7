"""2. Request economy: get_email_list calls while idle with SSE live, and for a burst.

Calls are counted on the server (probe on the ``get_email_list`` action, per
session), so nothing the client does is missed or double counted.

* idle: the SSE app sits on its inbox for 60 s (quick: 5 s), starting 1 s after
  the stream is live. Baseline: a polling app (15 s, SSE off) on another
  mailbox, idle over the same window, on the same server.
* burst: 50 mails spread evenly over 0.9 s; calls from the first mail until 1.5 s
  after the last. Baseline: the ``changed`` events the app received, i.e. the
  calls of a client that fetches once per event. Target: the coalescer's token
  bucket (BURST calls back to back, then RATE a second: tmtui/sync/coalesce.py),
  i.e. at most BURST + 2; a long-run bucket keeps a flood inside the server's
  380 requests a minute.
"""

from __future__ import annotations

import time

from benchmarks import harness
from benchmarks.core import Metric, Target
from tmtui.sync.coalesce import BURST

NAME = "economy"
KEYS = ("economy.idle_calls", "economy.burst_calls")


def run(quick: bool) -> list[Metric]:
    window = 3.0 if quick else 60.0
    with harness.server() as srv:
        live_box, poll_box = srv.new_mailbox(), srv.new_mailbox()
        live_params = {"base_url": srv.base_url, "mailbox": live_box.as_json(), "sse": True}
        poll_params = {"base_url": srv.base_url, "mailbox": poll_box.as_json(), "sse": False,
                       "poll_seconds": 15.0}
        with harness.Child("delivery.watch", live_params) as live, \
                harness.Child("delivery.watch", poll_params) as poller, \
                harness.Sender(srv.smtp_port) as sender:
            live.expect("ready", 30)
            poller.expect("ready", 30)
            time.sleep(1.0)
            start = time.monotonic()
            time.sleep(window)
            end = time.monotonic()
            idle = harness.PROBE.calls_between(start, end, live_box.sid)
            idle_poll = harness.PROBE.calls_between(start, end, poll_box.sid)
            poller.finish()

            live.send(kind="count")
            before = live.expect("count")
            burst_start = time.monotonic()
            subjects = [f"bench-econ-{i:02d}" for i in range(50)]
            for i, subject in enumerate(subjects):
                time.sleep(max(0.0, burst_start + i * 0.9 / 49 - time.monotonic()))
                sender.send(live_box.address, harness.build_mail(live_box.address, subject))
            burst_sent = time.monotonic() - burst_start
            live.collect("seen", "subject", subjects, 15)
            time.sleep(max(0.0, burst_start + burst_sent + 1.5 - time.monotonic()))
            burst_end = time.monotonic()
            burst = harness.PROBE.calls_between(burst_start, burst_end, live_box.sid)
            live.send(kind="count")
            after = live.expect("count")
            live.finish()
    events = after["pokes"] - before["pokes"]
    idle_at = ", ".join(f"{t - start:.1f} s" for t, _, _ in idle)
    return [
        Metric("economy.idle_calls", f"get_email_list calls, {window:g} s idle with SSE live",
               len(idle), "calls", baseline=len(idle_poll), baseline_label="polling 15 s",
               target=Target(0, unit="calls"), samples=1,
               note=(f"calls at {idle_at} into the window" if idle else "no call in the window")
                    + "; the session expires in ~24 h, so no renewal is due"),
        Metric("economy.burst_calls", f"get_email_list calls, 50 mails in {burst_sent:.2f} s",
               len(burst), "calls", baseline=events, baseline_label="1 per changed event",
               target=Target(BURST + 2, unit="calls"), samples=1,
               note=f"calls at {', '.join(f'{t - burst_start:.2f}' for t, _, _ in burst)} s after the first mail"),
    ]
