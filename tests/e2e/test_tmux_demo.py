"""One real-terminal smoke test: `tmtui demo` in a 100x30 tmux pane, driven like a person would.

It reads the SMTP port and the address from the screen, delivers a mail with
smtplib, waits for its subject, opens it, checks the body, goes back and quits with `q` `q`, and
checks the exit status and that no traceback reached the terminal. tmux runs
on its own socket (-L) with no user config; CI installs tmux (.ci/run).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import smtplib
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.e2e.pane import Pane, needs_tmux, private_tmux
from tests.support.waiting import until_sync

pytest.importorskip("uvicorn", reason="the demo needs the server extra")
needs_tmux()

SMTP = re.compile(r"SMTP\W+(?:\d{1,3}\.){3}\d{1,3}:(\d+)")
ADDRESS = re.compile(r"\b([a-z0-9._-]+@(?:[a-z0-9-]+\.)*demo\.test)\b")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    with private_tmux(tmp_path, "e2e") as running:
        yield running


def banner_values(text: str) -> tuple[int, str] | None:
    """(SMTP port, address) from the demo's banner; it may wrap, so lines are joined first."""
    flat = " ".join(text.split())
    port, address = SMTP.search(flat), ADDRESS.search(flat)
    if port is None or address is None:
        return None
    return int(port.group(1)), address.group(1)


def test_demo_in_tmux_receives_and_shows_mail(pane: Pane, tmp_path: Path) -> None:
    env = dict(os.environ, TMTUI_STATE_DIR=str(tmp_path / "state"),
               TMTUI_CONFIG=str(tmp_path / "config.toml"),
               TMTUI_DOWNLOAD_DIR=str(tmp_path / "downloads"), TERM="xterm-256color")
    env.pop("TMTUI_SERVER", None)
    # The shell records the exit status: tmux does not always reap the pane's process in time
    # to report #{pane_dead_status} (it can sit as a zombie), a shell waiting on its child does.
    status_file = tmp_path / "status"
    pane.start(f"cd {shlex.quote(str(tmp_path))} && {shlex.quote(sys.executable)} -m tmtui demo; "
               f"echo $? > {shlex.quote(str(status_file))}.part && "
               f"mv {shlex.quote(str(status_file))}.part {shlex.quote(str(status_file))}", env)

    screen = pane.wait(lambda s: "live" in s and "unread" in s, "the live inbox", timeout=15)
    values = banner_values(screen)
    if values is None:
        # The banner is not on the inbox: read it from the picker, then go back.
        pane.keys("Escape")
        values = banner_values(pane.wait(banner_values, "the demo banner on the picker"))
        pane.keys("Enter")
        pane.wait(lambda s: "live" in s and "unread" in s, "the inbox again")
    assert values is not None
    smtp_port, address = values

    mail = EmailMessage()
    mail["From"], mail["To"] = "Smoke Test <smoke@example.org>", address
    mail["Subject"] = "Smoke signal 7431"
    mail.set_content("The tmux smoke test says hello: body-marker-2718.")
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        smtp.send_message(mail)

    pane.wait(lambda s: "Smoke signal 7431" in s, "the delivered mail's subject")
    pane.keys("g", "Enter")  # newest first: g goes to the top row, the new mail
    pane.wait(lambda s: "body-marker-2718" in s, "the mail's body in the reader")

    pane.keys("q")  # the reader: back to the inbox
    pane.wait(lambda s: "Smoke signal 7431" in s and "body-marker-2718" not in s, "the inbox again")
    pane.keys("q")
    with contextlib.suppress(TimeoutError):
        until_sync(status_file.exists, 10, what="the exit status")
    output = pane.everything()
    assert status_file.exists(), f"tmtui demo did not exit on q; the screen:\n{output}"
    status = status_file.read_text().strip()
    assert status == "0", f"tmtui demo exited with {status}:\n{output}"
    assert "Traceback" not in output, output
