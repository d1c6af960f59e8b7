"""9. Persistence: state-file writes while mail arrives.

An arriving mail changes nothing the state file keeps (mailboxes, tokens; an
expiry moving forward can wait), so the app should not rewrite the file for
each one: every write is an fsync, and a file other processes share.

The app runs as users run it (``appkit.make_app``: the mailbox saved in the
state file under the child's temporary ``TMTUI_STATE_DIR``, loaded at start,
persistence on), on its inbox with the stream live. 50 mails (quick: 3)
arrive over SMTP, evenly spaced over 60 s (quick: 1 s), each seen on screen.
Counted in the app's process: replacements of the state file (``os.replace``
or ``os.rename`` onto its path, whatever module does them), from the first
mail until the app has exited, so a write put off until later or until exit
counts too. Baseline: one write per mail.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks import harness
from benchmarks.core import Metric, Target

NAME = "persistence"
KEYS = ("persistence.state_writes",)
TARGET = Target(3, unit="writes")
SETTLE = 1.0  # seconds after the last mail is shown, for what it set off (a deferred flush may come later)


def _at(times: list[float], origin: float, shown: int = 8) -> str:
    listed = ", ".join(f"{t - origin:.1f}" for t in times[:shown]) or "none"
    return listed + (f", ... ({len(times) - shown} more)" if len(times) > shown else "")


def run(quick: bool) -> list[Metric]:
    mails, window = (3, 1.0) if quick else (50, 60.0)
    with harness.server() as srv:
        mailbox = srv.new_mailbox()
        params: dict[str, Any] = {"base_url": srv.base_url, "mailbox": mailbox.as_json(), "sse": True}
        with harness.Child("delivery.watch", params) as child, harness.Sender(srv.smtp_port) as sender:
            child.expect("ready", 30)
            subjects = [f"bench-persist-{i:02d}" for i in range(mails)]
            start = time.monotonic()
            for i, subject in enumerate(subjects):
                time.sleep(max(0.0, start + i * window / (mails - 1) - time.monotonic()))
                sender.send(mailbox.address, harness.build_mail(mailbox.address, subject))
            sent = time.monotonic() - start
            child.collect("seen", "subject", subjects, 15)
            time.sleep(SETTLE)
            child.send(kind="count")
            settled = time.monotonic()
            child.expect("count")
            writes = [float(t) for t in child.finish()["state_writes"]]
    before = [t for t in writes if t < start]
    during = [t for t in writes if start <= t <= settled]
    after = [t for t in writes if t > settled]
    return [Metric(
        "persistence.state_writes", f"state-file writes while {mails} mails arrive in {sent:.0f} s",
        len(during) + len(after), "writes", baseline=mails, baseline_label="1 per mail", target=TARGET,
        samples=mails,
        note=f"{len(during)} while mail arrived (at {_at(during, start)} s after the first mail), "
             f"{len(after)} later or at exit; {len(before)} at start-up, not counted; "
             "the app as users run it: state file loaded at start, persistence on")]
