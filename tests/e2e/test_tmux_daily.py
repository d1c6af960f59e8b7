"""Daily use in a real terminal: the TUI and scripts share saved mailboxes, copies reach tmux,
and scripts work against the demo.

Each test runs tmtui in a private tmux server (80x24), reads the screen as a
person would and runs `tmtui` commands as a shell would, with the same state
directory. The server is the reference server (a thread of this test).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.pane import Pane, flat, needs_tmux, private_tmux

pytest.importorskip("uvicorn", reason="the reference server needs the server extra")
needs_tmux()

from tmtui.server.config import ServerConfig  # noqa: E402
from tmtui.server.runner import ServerThread  # noqa: E402

SIZE = (80, 24)
ADDRESS = re.compile(r"\b[a-z0-9._-]+@[a-z0-9.-]+\.test\b")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    with private_tmux(tmp_path, "daily") as running:
        yield running


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[ServerThread]:
    with ServerThread(ServerConfig(data_dir=tmp_path / "server", welcome_mail=False)) as running:
        yield running


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """What the pane and the shell share: the state directory, no user config, a 16-colour terminal."""
    values = dict(os.environ, TMTUI_STATE_DIR=str(tmp_path / "state"),
                  TMTUI_CONFIG=str(tmp_path / "config.toml"),
                  TMTUI_DOWNLOAD_DIR=str(tmp_path / "downloads"), TERM="xterm")
    for name in ("TMTUI_SERVER", "TMUX", "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION"):
        values.pop(name, None)
    return values


def tmtui(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A `tmtui` command in a shell."""
    return subprocess.run([sys.executable, "-m", "tmtui", *args], env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def saved(env: dict[str, str]) -> set[str]:
    document = json.loads((Path(env["TMTUI_STATE_DIR"]) / "sessions.json").read_text(encoding="utf-8"))
    return {m["address"] for m in document["mailboxes"]}


def run_tui(pane: Pane, env: dict[str, str], *args: str) -> None:
    pane.start(" ".join(shlex.quote(a) for a in [sys.executable, "-m", "tmtui", *args]), env, SIZE)


def test_scripts_and_the_tui_share_mailboxes_and_the_tui_says_so(
        pane: Pane, env: dict[str, str], reference: ServerThread) -> None:
    run_tui(pane, env, "--server", reference.base_url)
    screen = pane.wait(lambda s: "live" in s, "the first mailbox, created and opened", timeout=20)
    first = ADDRESS.search(screen)
    assert first is not None
    pane.keys("Escape")
    pane.wait(lambda s: "Server " in s and "Address" in s, "the picker")

    made = []
    notices: list[str] = []

    def noticed(text: str) -> None:  # a toast wraps inside its border: words, not lines
        notices.extend(re.findall(r"added\W+by\W+another\W+tmtui", flat(text)))

    for _ in range(4):  # as a shell would: one after the other
        done = tmtui(env, "--server", reference.base_url, "new")
        assert done.returncode == 0, done.stderr
        made.append(done.stdout.strip())
        noticed(pane.screen())

    def all_shown(text: str) -> bool:
        noticed(text)
        return all(a in text for a in made)

    pane.wait(all_shown, "the four mailboxes the shell made", timeout=15)
    assert notices, "no notice said that another tmtui added mailboxes"

    pane.keys("n")
    pane.wait(lambda s: "choose a domain" in s, "the domain dialog")
    pane.keys("Enter")
    pane.wait(lambda s: "live" in s and "Server " not in s, "the new mailbox's inbox", timeout=15)
    pane.keys("Escape")
    screen = pane.wait(lambda s: len(set(ADDRESS.findall(s))) >= 6, "six mailboxes in the picker")
    shown = set(ADDRESS.findall(screen))
    assert {first.group(), *made} <= shown
    assert saved(env) == shown  # nothing anyone made is lost from the file

    pane.keys("y")  # copy the highlighted address: tmux's buffer gets it
    said = pane.wait(lambda s: "tmux buffer" in flat(s), "the copy toast")
    assert "Copied" in flat(said) and "(OSC 52, tmux buffer)" in flat(said)
    assert pane.tmux("show-buffer").strip() in shown

    pane.keys("q")
    pane.wait(lambda _s: pane.dead(), "tmtui to exit")
    assert saved(env) == shown


def test_scripts_work_against_the_demo_and_it_cleans_up(pane: Pane, env: dict[str, str]) -> None:
    run_tui(pane, env, "demo")
    banner = re.compile(r"Scripts: tmtui --server (http://127\.0\.0\.1:\d+) inbox")
    screen = pane.wait(lambda s: banner.search(flat(s)) and "live" in s, "the demo's banner", timeout=20)
    found = banner.search(flat(screen))
    assert found is not None
    url = found.group(1)
    address = ADDRESS.search(flat(screen))
    assert address is not None and f"send mail to {address.group()} via SMTP" in flat(screen)

    listed = tmtui(env, "--server", url, "inbox")
    assert listed.returncode == 0, listed.stderr
    assert "Your Acme verification code" in listed.stdout  # the demo's seeded mail

    pane.keys("q")
    pane.wait(lambda _s: pane.dead(), "the demo to exit")
    assert address.group() not in saved(env)  # the demo server is gone, and so is its mailbox
