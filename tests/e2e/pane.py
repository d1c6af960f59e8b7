"""A private tmux server with one pane, driven like a person would: the e2e tests' terminal.

tmux runs on its own socket (-L) with no user config; CI installs tmux (.ci/run).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.waiting import until_sync

COLS, ROWS = 100, 30


def needs_tmux() -> None:
    """Skip the calling test module when tmux is missing."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (CI installs it; locally: apt-get install tmux)",
                    allow_module_level=True)


class Pane:
    """A tmux server of our own with one pane running ``command``."""

    def __init__(self, socket: str, config: Path) -> None:
        self.socket, self.config = socket, config

    def tmux(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), *args],
                              capture_output=True, text=True, timeout=10, check=True, input=stdin)
        return done.stdout

    def start(self, command: str, env: dict[str, str], size: tuple[int, int] = (COLS, ROWS)) -> None:
        # A fresh tmux server takes its environment from this client.
        subprocess.run(["tmux", "-L", self.socket, "-f", str(self.config), "new-session", "-d",
                        "-s", "demo", "-x", str(size[0]), "-y", str(size[1]), command],
                       env=env, check=True, timeout=10)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "demo", key)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def everything(self) -> str:
        """The pane with its scrollback: what a person would see scrolling up after exit."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "demo")

    def dead(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "demo", "#{pane_dead}").strip() == "1"

    def wait(self, condition: Callable[[str], object], what: str, timeout: float = 10.0) -> str:
        """Poll the screen until ``condition(text)`` holds; fail with the screen shown."""
        seen = [""]

        def shown() -> bool:
            seen[0] = self.screen()
            return bool(condition(seen[0])) or self.dead()

        with contextlib.suppress(TimeoutError):
            until_sync(shown, timeout, what=what)
        if not condition(seen[0]):
            pytest.fail(f"{what} did not appear within {timeout} s; the screen:\n{self.everything()}")
        return seen[0]


@contextlib.contextmanager
def private_tmux(tmp_path: Path, name: str) -> Iterator[Pane]:
    config = tmp_path / "tmux.conf"
    # remain-on-exit keeps the pane after tmtui exits, so its status and output can be read.
    config.write_text("set -g remain-on-exit on\nset -g history-limit 5000\nset -g status off\n")
    pane = Pane(f"tmtui-{name}-{os.getpid()}", config)
    try:
        yield pane
    finally:
        subprocess.run(["tmux", "-L", pane.socket, "-f", str(config), "kill-server"],
                       capture_output=True, timeout=10)


def flat(text: str) -> str:
    """The screen as one line: a wrapped banner or toast reads as it was written."""
    return " ".join(text.split())
