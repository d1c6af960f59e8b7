"""4. Start-up: process start -> first inbox frame, against a bare Textual app; --help.

Each run is a fresh process (``benchmarks/startup_probe.py``), timed from just
before ``Popen`` to the monotonic time the child stamps on its first frame
showing content: for tmtui, the inbox of a saved mailbox (50 mails) with its
rows, on the ``tmtui --server URL --address ADDRESS`` code path (argument
parsing, config, saved state, session check, first listing over HTTP); for
the baseline, a bare Textual app (Header, 50-row DataTable, Footer). Both
headless at 100x32. Runs alternate, after one warm-up round (page cache, .pyc).

``tmtui --help`` (the installed console script) is timed start to exit against
``python -c pass``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

from benchmarks import harness
from benchmarks.core import Metric, Target, median, ms

NAME = "startup"
KEYS = ("startup.first_inbox_frame", "startup.first_rows_frame", "startup.help")


def _probe(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds to the content frame and to the screen's first frame, and CPU seconds by then."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.startup_probe", *argv], cwd=harness.ROOT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("frame "):
            _, content, first, cpu = line.split()
            return float(content) - start, float(first) - start, float(cpu)
    raise RuntimeError(f"startup probe {argv[0]} showed no frame (exit {proc.returncode}): "
                       f"{proc.stderr.strip()[-500:]}")


def run(quick: bool) -> list[Metric]:
    repeats = 3 if quick else 10
    script = Path(sys.executable).with_name("tmtui")
    help_argv = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "tmtui", "--help"]
    ours: list[tuple[float, float, float]] = []
    bare: list[tuple[float, float, float]] = []
    help_times: list[float] = []
    empty: list[float] = []
    with harness.server() as srv, tempfile.TemporaryDirectory(prefix="tmtui-bench-start-") as scratch:
        mailbox = srv.new_mailbox()
        srv.control.seed(mailbox.address, 50)
        env = harness.child_env(TMTUI_STATE_DIR=str(Path(scratch) / "state"),
                                TMTUI_CONFIG=str(Path(scratch) / "config.toml"))
        _save_state(Path(scratch) / "state", mailbox)
        tmtui_argv = ["tmtui", srv.base_url, mailbox.address]
        for round_ in range(repeats + 1):
            a = _probe(tmtui_argv, env)
            b = _probe(["bare"], env)
            h = harness.run_command(help_argv, env=env)
            p = harness.run_command([sys.executable, "-c", "pass"], env=env)
            harness.log(f"startup round {round_}: tmtui {ms(a[0]):.0f} ms, bare {ms(b[0]):.0f} ms, "
                        f"--help {ms(h):.0f} ms, pass {ms(p):.0f} ms")
            if round_:  # the first round only warms caches
                ours.append(a)
                bare.append(b)
                help_times.append(h)
                empty.append(p)
    bare_frame = ms(median(b[0] for b in bare))
    return [
        Metric("startup.first_inbox_frame", "start-up: process start -> first inbox frame",
               ms(median(a[1] for a in ours)), "ms", baseline=bare_frame,
               baseline_label="bare Textual app + DataTable", target=Target(1.2, on="ratio"), samples=len(ours),
               note="median; the inbox screen drawn, its rows may still be on their way"),
        Metric("startup.first_rows_frame", "start-up: process start -> first inbox frame with rows",
               ms(median(a[0] for a in ours)), "ms", baseline=bare_frame,
               baseline_label="bare Textual app + DataTable", target=Target(1.4, on="ratio"), samples=len(ours),
               note=f"median; includes the session check and first listing over loopback HTTP; CPU by then "
                    f"{ms(median(a[2] for a in ours)):.0f} ms vs {ms(median(b[2] for b in bare)):.0f} ms"),
        Metric("startup.help", "start-up: tmtui --help, start to exit", ms(median(help_times)), "ms",
               baseline=ms(median(empty)), baseline_label="python -c pass", samples=len(help_times)),
    ]


def _save_state(state_dir: Path, mailbox: harness.MailboxInfo) -> None:
    from datetime import datetime

    from tmtui.api.secret import Secret
    from tmtui.state import SavedMailbox, save

    expires = datetime.fromtimestamp(mailbox.expires_at, tz=UTC) if mailbox.expires_at else None
    save([SavedMailbox(mailbox.address, Secret(mailbox.sid), expires)], state_dir / "sessions.json")
