"""ctrl+z suspends tmtui to the shell and `fg` brings it back intact, in a real terminal (tmux)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the demo needs the server extra")
if shutil.which("tmux") is None:
    pytest.skip("tmux is not installed (CI installs it; locally: apt-get install tmux)",
                allow_module_level=True)

from tests.e2e.test_tmux_demo import Pane


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Pane]:
    config = tmp_path / "tmux.conf"
    config.write_text("set -g history-limit 5000\nset -g status off\n")
    pane = Pane(f"tmtui-suspend-{os.getpid()}", config)
    env = dict(os.environ, TMTUI_STATE_DIR=str(tmp_path / "state"), TMTUI_CONFIG=str(tmp_path / "config.toml"),
               TMTUI_DOWNLOAD_DIR=str(tmp_path / "downloads"), TERM="xterm-256color")
    env.pop("TMTUI_SERVER", None)
    pane.start("bash --norc --noprofile", env)
    try:
        yield pane
    finally:
        subprocess.run(["tmux", "-L", pane.socket, "-f", str(config), "kill-server"],
                       capture_output=True, timeout=10)


def test_ctrl_z_suspends_and_fg_resumes_intact(shell: Pane, tmp_path: Path) -> None:
    shell.tmux("send-keys", "-t", "demo", "-l",
               f"cd {shlex.quote(str(tmp_path))} && {shlex.quote(sys.executable)} -m tmtui demo")
    shell.keys("Enter")
    shell.wait(lambda s: "● live" in s and "Acme" in s, "the live inbox", timeout=20)

    shell.keys("C-z")
    shell.wait(lambda s: "Stopped" in s, "the shell, with tmtui stopped")

    shell.tmux("send-keys", "-t", "demo", "-l", "fg")
    shell.keys("Enter")
    screen = shell.wait(lambda s: "● live" in s and "Acme" in s and "Stopped" not in s, "the inbox again")
    assert "Terminal Weekly" in screen  # the whole list is drawn again, not just what changed

    shell.keys("g", "Enter")  # keys still work: open the newest mail, then back
    shell.wait(lambda s: "Subject:" in s, "the reader")
    shell.keys("q")
    shell.wait(lambda s: "● live" in s and "Subject:" not in s, "back in the inbox")
    shell.keys("q")
    shell.wait(lambda s: "● live" not in s, "tmtui to quit")
    shell.tmux("send-keys", "-t", "demo", "-l", "echo exit=$?")
    shell.keys("Enter")
    output = shell.wait(lambda s: re.search(r"^exit=\d+", s, re.M), "the exit status")
    assert re.search(r"^exit=0$", output, re.M), output
    assert "Traceback" not in output
