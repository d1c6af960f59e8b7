"""9. The reference server under attack (issue 13): each attack of the abuse suite vs idle.

Per scenario (benchmarks/abusekit/rounds.py: the seven attacks of the suite,
then all of them at once), a fresh ``python -m tmtui.server`` on loopback
with 512 file descriptors, room for 20 event streams and a 2 s request-head
deadline. It is measured idle, then while a child process (``abuse.attack``,
attackers on 127.0.0.2 and up) repeats the attack, the same way:

* ``/health`` p99: one request every 20 ms from 127.0.0.1, a new connection
  each, 5 s timeout (a timeout counts as 5 s);
* legit delivery: a mail sent over SMTP from 127.0.0.1 -> the ``changed`` event
  on its mailbox's stream (median); a delivery that fails is an error;
* RSS peak of the server and its children (the parser process), every 20 ms;
* database bytes per byte of mail accepted (where the attack sends mail).

Repeated (full: 3 times, quick: once); the table shows the median p99 and
delivery, the highest RSS peak and storage ratio. Targets (issue 13): p99
under attack <= 10x idle and never a timeout, legit mail delivered in every
case, RSS peak <= 300 MiB, storage <= 1.2x the bytes accepted.
``TMTUI_ABUSE_SERVER_SRC=DIR`` measures another source tree's server.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.abusekit import LegitProbe, RssSampler, ServerProcess, deliver_and_see, new_box
from benchmarks.abusekit.rounds import SCENARIOS, play, prepare
from benchmarks.core import Metric, Target, failed, ms, percentile

NAME = "abuse"
MAIL_SCENARIOS = ("smtp_big", "storage", "combined")
KEYS = tuple(f"abuse.{s}.{m}" for s in SCENARIOS for m in ("health_p99", "delivery", "rss")) + tuple(
    f"abuse.{s}.db_ratio" for s in MAIL_SCENARIOS)
OPTIONS = ("--sse-capacity", "20", "--http-head-timeout", "2")
NOFILE = 512
TIMEOUT = 5.0


@dataclass
class Window:
    """What one measuring window saw."""

    health: list[float] = field(default_factory=list)  # seconds; a timeout counts as TIMEOUT
    timeouts: int = 0
    deliveries: list[float] = field(default_factory=list)
    lost: int = 0
    rss_peak: float = 0.0


async def _measure(server: ServerProcess, seconds: float, deliveries: int) -> Window:
    window = Window()
    box = await new_box(server)
    with RssSampler(server) as rss:
        async with LegitProbe(server, timeout=TIMEOUT, interval=0.02) as probe:
            started = time.monotonic()
            for _ in range(deliveries):
                try:
                    window.deliveries.append(await deliver_and_see(server, box, timeout=15))
                except (AssertionError, OSError, TimeoutError):
                    window.lost += 1
            await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
    window.health = probe.latencies + [TIMEOUT] * len(probe.failures)
    window.timeouts = len(probe.failures)
    window.rss_peak = rss.peak
    return window


@dataclass(frozen=True)
class Plan:
    seconds: float  # per measuring window
    deliveries: int  # legit mails per window
    repeats: int
    scale: float  # of the attacks' mail sizes


@contextlib.contextmanager
def _server(name: str) -> Iterator[ServerProcess]:
    with tempfile.TemporaryDirectory(prefix="tmtui-bench-abuse-") as scratch:
        server = ServerProcess(Path(scratch) / name, OPTIONS, nofile=NOFILE).start()
        try:
            yield server
        finally:
            server.stop()


def _attacked(attacker: harness.Child, server: ServerProcess, name: str, plan: Plan, got: dict[str, Any]) -> None:
    """One window under ``name``'s attack: into got["attacked"], and its storage ratio into got["ratios"]."""
    harness.log(f"abuse: {name}")
    attacker.send(kind="go", scenario=name, scale=plan.scale, base_url=server.base_url,
                  http_port=server.http_port, smtp_port=server.smtp_port)
    attacker.expect("running", 120)
    before = server.db_bytes()
    got["attacked"].append(asyncio.run(_measure(server, plan.seconds, plan.deliveries)))
    attacker.send(kind="halt")
    accepted = attacker.expect("result", 180)["accepted"]  # every round over: all of it stored
    if accepted:
        legit = plan.deliveries * 1000 + 2000  # the window's small mails, its mailbox and session, about
        got["ratios"].append((server.db_bytes() - before) / (accepted + legit))


def _full(attacker: harness.Child, plan: Plan) -> dict[str, dict[str, Any]]:
    """A fresh server per scenario, its own idle baseline before each attack window."""
    results: dict[str, dict[str, Any]] = {}
    for name in SCENARIOS:
        got: dict[str, Any] = results.setdefault(name, {"idle": [], "attacked": [], "ratios": []})
        with _server(name) as server:
            for _ in range(plan.repeats):
                got["idle"].append(asyncio.run(_measure(server, plan.seconds, plan.deliveries)))
                _attacked(attacker, server, name, plan, got)
    return results


def _quick(attacker: harness.Child, plan: Plan) -> dict[str, dict[str, Any]]:
    """One server for every scenario, one idle baseline: the same code paths in a fraction of the time."""
    with _server("quick") as server:
        idle = [asyncio.run(_measure(server, plan.seconds, plan.deliveries))]
        results: dict[str, dict[str, Any]] = {}
        for name in SCENARIOS:
            results[name] = {"idle": idle, "attacked": [], "ratios": []}
            _attacked(attacker, server, name, plan, results[name])
    return results


def _metrics(name: str, got: dict[str, Any]) -> list[Metric]:
    idle: list[Window] = got["idle"]
    attacked: list[Window] = got["attacked"]
    label = name.replace("_", " ")
    idle_p99 = statistics.median(ms(percentile(w.health, 99)) for w in idle)
    p99 = statistics.median(ms(percentile(w.health, 99)) for w in attacked)
    timeouts = sum(w.timeouts for w in attacked)
    delivered = [d for w in attacked for d in w.deliveries]
    lost = sum(w.lost for w in attacked)
    idle_delivered = [d for w in idle for d in w.deliveries]
    metrics = [
        Metric(f"abuse.{name}.health_p99", f"{label}: /health p99 under attack", p99, "ms", baseline=idle_p99,
               baseline_label="idle", target=Target(10, on="ratio"), samples=sum(len(w.health) for w in attacked),
               note=f"{timeouts} timeouts" + (" (a timeout counts as 5 s)" if timeouts else "")),
        Metric(f"abuse.{name}.rss", f"{label}: server RSS peak (with its parser process)",
               max(w.rss_peak for w in attacked), "MiB", baseline=max(w.rss_peak for w in idle),
               baseline_label="idle", target=Target(300, unit="MiB"), samples=len(attacked)),
    ]
    if lost or not delivered:
        metrics.insert(1, failed(f"abuse.{name}.delivery", f"{label}: legit delivery under attack", "ms",
                                 f"{lost} of {lost + len(delivered)} legit mails not delivered"))
    else:
        metrics.insert(1, Metric(f"abuse.{name}.delivery", f"{label}: legit delivery under attack (median)",
                                 ms(statistics.median(delivered)), "ms",
                                 baseline=ms(statistics.median(idle_delivered)), baseline_label="idle",
                                 samples=len(delivered), note=f"all {len(delivered)} delivered; "
                                 f"max {ms(max(delivered)):.0f} ms; SMTP sent -> changed event"))
    if name in MAIL_SCENARIOS:
        ratios = got["ratios"]
        metrics.append(Metric(f"abuse.{name}.db_ratio", f"{label}: database bytes per byte accepted",
                              max(ratios) if ratios else None, "", target=Target(1.2), samples=len(ratios),
                              note="pages in use, WAL included; worst of the repeats"))
    return metrics


def run(quick: bool) -> list[Metric]:
    with harness.Child("abuse.attacker", {}) as attacker:  # one attacker process for every scenario
        results = _quick(attacker, Plan(0.5, 1, 1, 0.2)) if quick else _full(attacker, Plan(4.0, 3, 3, 1.0))
    return [metric for name in SCENARIOS for metric in _metrics(name, results[name])]


# -- child --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    base_url: str
    http_port: int
    smtp_port: int


async def attacker(channel: Any, params: dict[str, Any]) -> None:
    """On each ``go``: repeat that scenario's attack round until ``halt``; report the bytes of mail accepted."""
    while (order := await channel.wait_for("go")).get("kind") == "go":
        await _attack(channel, order)


async def _attack(channel: Any, order: dict[str, Any]) -> None:
    target = Endpoint(order["base_url"], order["http_port"], order["smtp_port"])
    kit = await prepare(order["scenario"], target, order["scale"])
    halting = asyncio.Event()
    accepted = 0

    async def rounds() -> None:
        nonlocal accepted
        while not halting.is_set():  # a round ends before the next starts: its bytes are all counted
            accepted += await play(order["scenario"], target, kit)

    task = asyncio.create_task(rounds())
    await asyncio.sleep(0.2)  # let the first round get going before the parent measures
    channel.emit("running")
    await channel.wait_for("halt")
    halting.set()
    await task
    channel.emit("result", accepted=accepted)
