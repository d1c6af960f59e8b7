"""``o``: open a link of a mail in the local browser, or copy it when there is none to use.

- Only ``http`` and ``https`` links open (:func:`tmtui.safety.links.inspect_link`);
  a ``mailto`` or anything else is refused with a word, never handed to a program.
- A flagged link (it hides its host, goes to an IP address or another port,
  mixes scripts, or its text names another site: see :mod:`tmtui.safety.links`)
  is opened only after a yes in a dialog that shows the host it really goes to.
- A local desktop session opens it with :mod:`webbrowser`, in a detached child
  process (:mod:`tmtui.ui.browser_child`) with its output on ``/dev/null``,
  awaited without blocking the UI: the browser's output never reaches the
  terminal, and a console browser (lynx, w3m) is never started inside the TUI.
- Over SSH (``SSH_CONNECTION``, ``SSH_CLIENT`` or ``SSH_TTY``), on Linux/BSD
  without ``DISPLAY`` / ``WAYLAND_DISPLAY``, or when no graphical browser is
  found or it fails to start, the link is copied instead
  (:func:`tmtui.ui.clipboard.copy`) and the toast says why: a browser on the
  remote host would open where nobody sees it.

What is opened or copied is the link as :attr:`LinkView.copy` has it: the host
as the browser looks it up (punycode), nothing a shell or launcher script could act on.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textual.app import App

from tmtui.safety import sanitize_line
from tmtui.safety.links import LinkView, inspect_link
from tmtui.ui import clipboard
from tmtui.ui.dialogs.confirm import ConfirmDialog

__all__ = ["LinkOpener", "launch", "remote_reason"]

CHILD = Path(__file__).with_name("browser_child.py")
CHILD_TIMEOUT = 10.0  # seconds; the child gives its launcher 4 and a remote-control browser 5
OPENED, NO_GUI = 0, 3  # the child's exit statuses (tmtui.ui.browser_child)
SSH_VARIABLES = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def remote_reason(env: Mapping[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why a browser started here would not be where the user is ("over SSH"); None when local."""
    env = os.environ if env is None else env
    if any(env.get(name) for name in SSH_VARIABLES):
        return "over SSH"
    desktop = platform == "darwin" or platform.startswith(("win", "cygwin"))
    if not desktop and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return "no desktop session"
    return None


async def launch(url: str) -> str | None:
    """Open ``url`` in a graphical browser; None once opened, else why not.

    ``url`` is inert already (:attr:`LinkView.copy`) and is one argument of a
    program, never a shell's. The child is awaited, not a thread: leaving the
    app meanwhile does not wait for it (it runs on, detached, and ends by itself).
    """
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-I", str(CHILD), url, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return "the browser could not be started"
    try:
        status = await asyncio.wait_for(child.wait(), CHILD_TIMEOUT)
    except TimeoutError:
        return None  # the browser is busy starting: it has the link
    if status == OPENED:
        return None
    return "no graphical browser found" if status == NO_GUI else "the browser did not start"


class LinkOpener:
    """Opens (or copies) the links of one app's mail."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def open(self, url: str, label: str = "") -> None:
        view = inspect_link(url, label)
        if view is None or view.scheme not in ("http", "https"):
            what = "a mail address" if view is not None else "not an http or https link"
            self.app.notify(f"Not opened: {what}; only http and https links open in the browser"
                            + (" (l copies it)" if view is not None else ""), markup=False, timeout=4)
            return
        remote = remote_reason()
        if not view.flagged:
            self._go(view, remote)
            return
        verb = "Copy" if remote else "Open"
        host = sanitize_line(view.host, 300) + (f" ({sanitize_line(view.unicode_host, 300)})"
                                                if view.unicode_host else "")
        ask = f"Copy it? (not opened: {remote})" if remote else "Open it in the browser anyway?"
        question = (f"Careful: this link is flagged ({', '.join(view.flags)}).\n\n"
                    f"It goes to  {host}\n\n{sanitize_line(view.url, 600)}\n\n{ask}")
        # Every part is sanitised, or ours (the flags: sanitised by inspect_link); never markup.
        self.app.push_screen(ConfirmDialog(question, yes=verb, no="Cancel"),
                             callback=lambda yes: self._go(view, remote) if yes else None)

    def _go(self, view: LinkView, remote: str | None) -> None:
        if remote:
            self._copy(view, remote)
            return

        async def start() -> None:
            why = await launch(view.copy)
            if why is None:
                self.app.notify(sanitize_line(f"Opened in the browser: {view.line(90)}", 200), markup=False,
                                timeout=4)
            else:
                self._copy(view, why)

        self.app.run_worker(start(), group="browser", exit_on_error=False)

    def _copy(self, view: LinkView, why: str) -> None:
        clipboard.copy(self.app, view.copy, what=view.line(80, copied=True), why=f"Not opened ({why})")
