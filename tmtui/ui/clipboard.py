"""Every copy goes through :func:`copy`: clean text, put where the user will paste it.

- OSC 52, always: the terminal's clipboard, which also works over SSH (when the
  terminal allows it).
- A local desktop session (no ``SSH_CONNECTION``) with a clipboard tool
  (``wl-copy``, ``xclip``, ``xsel``, ``pbcopy``) gets it there too: many
  terminals ignore OSC 52, and a tool on a remote host would fill the wrong clipboard.
- Inside tmux, tmux's own buffer (``prefix ]`` pastes it); ``-w`` asks tmux to
  pass it on to the outer terminal, since tmux drops an application's OSC 52
  unless ``set-clipboard on``.

The tools run in a thread, never on the event loop; the toast then says where
the text went ("Copied to the clipboard (OSC 52, tmux buffer)").
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import App

from tmtui.safety import copy_safe, sanitize_line

MAX_COPY = 8192  # cells: a long confirmation link fits; a runaway string does not
TOOL_TIMEOUT = 3.0  # seconds; a clipboard tool that hangs is given up on


@dataclass(frozen=True, slots=True)
class Helper:
    """A program that takes the text on its standard input."""

    name: str  # as the toast says it
    argv: tuple[str, ...]
    fallback: tuple[str, ...] = ()  # tried when ``argv`` fails (an older tmux has no -w)


# (tool, arguments, the variable that says its kind of session is there; "" = none needed:
# pbcopy exists on macOS only, where the desktop is always there)
DESKTOP_TOOLS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("wl-copy", (), "WAYLAND_DISPLAY"),
    ("xclip", ("-selection", "clipboard"), "DISPLAY"),
    ("xsel", ("--clipboard", "--input"), "DISPLAY"),
    ("pbcopy", (), ""),
)


def helpers(env: Mapping[str, str] | None = None,
            which: Callable[[str], str | None] = shutil.which) -> list[Helper]:
    """Where the text goes besides OSC 52, for this environment."""
    env = os.environ if env is None else env
    chosen: list[Helper] = []
    if "SSH_CONNECTION" not in env:  # over SSH a local tool would fill the remote host's clipboard
        for tool, arguments, needs in DESKTOP_TOOLS:
            path = which(tool) if not needs or env.get(needs) else None
            if path:
                chosen.append(Helper(tool, (path, *arguments)))
                break
    tmux = which("tmux") if env.get("TMUX") else None
    if tmux:
        chosen.append(Helper("tmux buffer", (tmux, "load-buffer", "-w", "-"), (tmux, "load-buffer", "-")))
    return chosen


def _feed(argv: Sequence[str], text: str) -> bool:
    try:
        # DEVNULL, not pipes: xclip and wl-copy leave a child serving the selection, and
        # it must not hold our pipes open. A new session keeps it out of our ctrl+c/ctrl+z.
        done = subprocess.run(argv, input=text.encode(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=TOOL_TIMEOUT, check=False,
                              start_new_session=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def run_helpers(chosen: Sequence[Helper], text: str) -> list[str]:
    """Hand ``text`` to each helper (blocking); the names of those that took it."""
    return [h.name for h in chosen if _feed(h.argv, text) or (h.fallback and _feed(h.fallback, text))]


def copy(app: App[Any], text: str, what: str | None = None, why: str | None = None) -> None:
    """Copy ``text`` and say where it went; ``what`` names it in the toast ("code 482913");
    ``why`` starts the toast when copying stands in for something else ("Not opened (over SSH)").

    The toast names what was copied only as the caller describes it (the caller
    keeps it short and sanitised); the text itself is cleaned here.
    """
    # One clean line: no control sequence or newline reaches the clipboard (and a shell).
    clean = copy_safe(text[:MAX_COPY])
    App.copy_to_clipboard(app, clean)  # OSC 52 (and Textual's own paste buffer)
    chosen = helpers()
    if not chosen:
        _say(app, what, ["OSC 52"], why)
        return

    async def hand_over() -> None:
        taken = await asyncio.to_thread(run_helpers, chosen, clean)
        _say(app, what, ["OSC 52", *taken], why)

    app.run_worker(hand_over(), group="clipboard", exit_on_error=False)


def _say(app: App[Any], what: str | None, routes: list[str], why: str | None = None) -> None:
    subject = f"Copied {sanitize_line(what, 90)}" if what else "Copied"
    if why:
        subject = f"{sanitize_line(why, 60)}: c{subject[1:]}"
    app.notify(sanitize_line(f"{subject} to the clipboard ({', '.join(routes)})", 200), markup=False, timeout=3)
