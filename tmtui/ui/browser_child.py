"""Open one URL with :mod:`webbrowser`, as a detached child of the TUI (stdlib only).

Run as ``python -I browser_child.py URL`` by :mod:`tmtui.ui.links_open`, in a
new session with stdin, stdout and stderr on ``/dev/null``: whatever the
browser or its launcher prints (GTK warnings, ``xdg-open`` chatter) never
reaches the TUI's terminal, and with no controlling terminal nothing it starts
can take the screen over. It runs in a fresh process so that ``webbrowser``
looks at the environment as it is now (it remembers its first look).

A console browser (``lynx``, ``w3m``, ``links``, ``elinks``, ``www-browser``,
or any command ``webbrowser`` would run in the foreground, as it does
``$BROWSER``) would want the terminal the TUI owns: it is not used, and the
exit status says so.

Exit status: 0 opened (or the launcher still runs after a while: a browser
that stays), 3 no graphical browser, 1 the browser failed to start.
"""

from __future__ import annotations

import os
import subprocess
import sys
import webbrowser

OPENED, FAILED, NO_GUI = 0, 1, 3
LAUNCHER_WAIT = 4.0  # seconds a plain launcher (xdg-open, gio) gets to say whether it worked
CONSOLE = frozenset({"www-browser", "links", "links2", "elinks", "lynx", "w3m", "browsh", "carbonyl",
                     "netrik", "edbrowse", "retawq"})


def _name(controller: webbrowser.BaseBrowser) -> str:
    name = getattr(controller, "name", "") or ""
    return os.path.basename(name.split()[0] if name.strip() else "").lower()


def _console(controller: webbrowser.BaseBrowser) -> bool:
    # GenericBrowser (not Background) runs its command in the foreground: it wants a terminal.
    return (_name(controller) in CONSOLE or type(controller) is webbrowser.GenericBrowser
            or isinstance(controller, webbrowser.Elinks))


def _run(argv: list[str]) -> int:
    """A plain launcher, waited for a little: xdg-open exits 0 once the browser has it."""
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return FAILED
    try:
        return OPENED if process.wait(LAUNCHER_WAIT) == 0 else FAILED
    except subprocess.TimeoutExpired:
        return OPENED  # still running: a browser that stays, not a failed launcher


def main(url: str) -> int:
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return NO_GUI
    if _console(controller):
        return NO_GUI
    if isinstance(controller, webbrowser.BackgroundBrowser):
        # webbrowser polls the launcher at once and calls a quick, successful one a failure.
        return _run([controller.name, *(arg.replace("%s", url) for arg in controller.args)])
    try:
        return OPENED if controller.open(url, new=2) else FAILED
    except (OSError, webbrowser.Error):
        return FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]) if len(sys.argv) == 2 else FAILED)
