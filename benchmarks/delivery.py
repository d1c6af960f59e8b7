"""1. Delivery latency: SMTP DATA accepted -> the row in the running app's inbox.

t0 is when the server answered DATA (the mail is stored and its ``changed``
event queued; probe on ``IntakeHandler.handle_DATA``). t1 is the first frame
the app composes after the row entered its inbox list (``MessageList.watch_rows``
patched in the child to notice new subjects). Both are CLOCK_MONOTONIC.

* one by one: each mail after the previous one is on screen, 120-220 ms apart
  (a lone one-time code);
* bursts of 20: twenty mails back to back on one SMTP connection;
* baseline: the same app with SSE off, polling at the contract's 15 s (quick:
  1 s), mails arriving at random moments across several polling periods.
"""

from __future__ import annotations

import random
import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target, ms, percentile

NAME = "delivery"
# issue 14: a lone mail within a frame of the SMTP answer; a burst within two frames of it (p50)
TARGETS = {("single", "p50"): Target(15, unit="ms"), ("single", "p99"): Target(40, unit="ms"),
           ("burst", "p50"): Target(30, unit="ms"), ("burst", "p99"): Target(100, unit="ms")}
STATS = (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100))
KEYS = tuple(f"delivery.{mode}.{stat}" for mode in ("single", "burst") for stat, _ in STATS)


def _latencies(seen: dict[str, dict[str, Any]], stamp: str = "t") -> list[float]:
    """DATA answered -> ``stamp`` ("t": the frame; "listed": the row entered the list), in ms."""
    out = []
    for subject, message in seen.items():
        accepted = harness.PROBE.accepted.get(subject)
        if accepted is not None:
            out.append(ms(float(message[stamp]) - accepted))
    return out


def _sse_run(srv: harness.BenchServer, singles: int, bursts: int,
             ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    mailbox = srv.new_mailbox()
    params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "sse": True}
    with harness.Child("delivery.watch", params) as child, harness.Sender(srv.smtp_port) as sender:
        child.expect("ready", 30)
        rng = random.Random(6)
        single_seen: dict[str, dict[str, Any]] = {}
        for i in range(singles):
            time.sleep(rng.uniform(0.12, 0.22))
            subject = f"bench-single-{i:04d}"
            sender.send(mailbox.address, harness.build_mail(mailbox.address, subject))
            single_seen.update(child.collect("seen", "subject", [subject], 10))
        burst_seen: dict[str, dict[str, Any]] = {}
        for b in range(bursts):
            time.sleep(0.4)
            subjects = [f"bench-burst-{b:02d}-{i:02d}" for i in range(20)]
            for subject in subjects:
                sender.send(mailbox.address, harness.build_mail(mailbox.address, subject))
            burst_seen.update(child.collect("seen", "subject", subjects, 15))
        child.finish()
    return single_seen, burst_seen


def _polling_run(srv: harness.BenchServer, interval: float, mails: int, periods: float) -> list[float]:
    mailbox = srv.new_mailbox()
    params = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "sse": False,
              "poll_seconds": interval}
    with harness.Child("delivery.watch", params) as child, harness.Sender(srv.smtp_port) as sender:
        child.expect("ready", 30)
        rng = random.Random(15)
        start = time.monotonic()
        moments = sorted(rng.uniform(0, periods * interval) for _ in range(mails))
        subjects = []
        for i, moment in enumerate(moments):
            time.sleep(max(0.0, start + moment - time.monotonic()))
            subject = f"bench-poll-{i:04d}"
            sender.send(mailbox.address, harness.build_mail(mailbox.address, subject))
            subjects.append(subject)
        seen = child.collect("seen", "subject", subjects, 3 * interval + 10)
        child.finish()
    return _latencies(seen)


def run(quick: bool) -> list[Metric]:
    singles, bursts = (12, 1) if quick else (200, 10)
    interval, mails, periods = (1.0, 5, 2) if quick else (15.0, 40, 4)
    with harness.server() as srv:
        single_seen, burst_seen = _sse_run(srv, singles, bursts)
        polling = _polling_run(srv, interval, mails, periods)
    metrics = []
    for mode, seen, label in (("single", single_seen, f"{len(single_seen)} mails one by one"),
                              ("burst", burst_seen, f"{len(burst_seen)} mails in bursts of 20")):
        values, listed = _latencies(seen), _latencies(seen, "listed")
        for stat, p in STATS:
            target = TARGETS.get((mode, stat))
            metrics.append(Metric(
                f"delivery.{mode}.{stat}", f"delivery SSE, {label}: {stat}",
                percentile(values, p), "ms", baseline=percentile(polling, p),
                baseline_label=f"polling {interval:g} s", target=target, samples=len(values),
                note=f"in the list model after {percentile(listed, p):.1f} ms, the rest is layout and frame; "
                     f"baseline: SSE off, polling every {interval:g} s, {len(polling)} mails at random moments"))
    return metrics


# -- child --------------------------------------------------------------------------------------

async def watch(channel: Any, params: dict[str, Any]) -> None:
    """Run the app on the mailbox; report each ``bench-`` subject at the first frame showing it.

    ``count`` answers with the SSE events that asked for a listing, the frames, and
    the times of the state file's writes (``state_writes``, monotonic)."""
    from benchmarks import appkit
    from tests.support.waiting import until
    from tmtui import paths
    from tmtui.sync.coalesce import Coalescer
    from tmtui.ui.widgets.message_list import MessageList

    config: dict[str, Any] = {"sse": params["sse"]}
    if "poll_seconds" in params:
        config.update(poll_min_seconds=params["poll_seconds"], poll_max_seconds=params["poll_seconds"])
    app = appkit.make_app(params, **config)
    frames = appkit.Frames(app)
    writes = appkit.FileWrites(paths.state_file()).install()
    reported: set[str] = set()
    pending: list[tuple[str, float]] = []  # (subject, when it entered the list)
    original = MessageList.watch_rows

    def watch_rows(self: MessageList, old: Any, rows: Any) -> None:
        original(self, old, rows)
        now = time.monotonic()
        for row in self.rows:
            if row.subject.startswith("bench-") and row.subject not in reported:
                reported.add(row.subject)
                pending.append((row.subject, now))

    MessageList.watch_rows = watch_rows  # type: ignore[method-assign]
    pokes = [0]  # SSE events that asked for a listing (what a naive client would fetch)
    original_poke = Coalescer.poke

    def poke(self: Coalescer) -> None:
        pokes[0] += 1
        original_poke(self)

    Coalescer.poke = poke  # type: ignore[method-assign]

    def on_frame(_screen: Any, wall: float, _cpu: float) -> None:
        if pending:
            for subject, listed in pending:
                channel.emit("seen", subject=subject, t=wall, listed=listed)
            pending.clear()

    frames.listeners.append(on_frame)
    want = "live" if params["sse"] else "polling"
    async with app.run_test(size=appkit.SIZE, notifications=True):
        await until(lambda: appkit.message_list(app) is not None
                           and appkit.mailbox_state(app) == want, 30, what=f"inbox {want}")
        channel.emit("ready")
        while (await channel.receive()).get("kind") != "stop":
            channel.emit("count", pokes=pokes[0], frames=frames.count, state_writes=list(writes.times))
    # After the app has exited: whatever it writes on the way out counts.
    channel.emit("result", frames=frames.count, pokes=pokes[0], state_writes=list(writes.times))
