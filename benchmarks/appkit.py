"""Child side: the real TmtuiApp, headless, with a frame clock and key injection.

``make_app`` builds the app the way ``tmtui --server URL --address ADDRESS``
does (config file, saved state, persistence on), in the child's temporary
directories; ``FileWrites`` counts the writes of a file (the state file).

``Frames`` wraps the app's ``_display`` (called once per composed frame, after
the compositor rendered the dirty regions; headless mode skips only the write
to a terminal). A waiter resolves at the first frame where its predicate holds,
with the wall time (``time.monotonic``) and the main thread's CPU time
(``time.thread_time``) at that frame.

Keys go in as the terminal driver delivers them (an ``events.Key`` posted to
the app), not through ``pilot.press``, whose idle waits cost ~41 ms per key.
Waiting is the tests' helper, ``tests.support.waiting.until``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tmtui.ui.app import TmtuiApp
    from tmtui.ui.widgets.message_list import MessageList

SIZE = (100, 32)
FrameStamp = tuple[float, float]  # (monotonic wall seconds, main-thread CPU seconds)


def make_app(params: dict[str, Any], **config: Any) -> TmtuiApp:
    """The app as a user runs ``tmtui --server URL --address ADDRESS``, persistence on.

    ``config`` goes into the config file and the mailbox into the state file
    (a previous run's), both under the child's temporary directories
    (``TMTUI_CONFIG``, ``TMTUI_STATE_DIR``, set by ``harness.Child``); then
    the app is built the way ``tmtui`` builds it, reading both.
    """
    from tmtui import paths, state
    from tmtui.api.secret import Secret
    from tmtui.cli import build_parser
    from tmtui.launch import app_for

    mailbox = params["mailbox"]
    expires = mailbox.get("expires_at")
    state.save([state.SavedMailbox(mailbox["address"], Secret(mailbox["sid"]),
                                   datetime.fromtimestamp(expires, tz=UTC) if expires else None)])
    settings = {"download_dir": Path(params["scratch"]) / "downloads", **config}
    paths.config_file().write_text(_toml(settings), encoding="utf-8")
    args = build_parser().parse_args(["--server", params["base_url"], "--address", mailbox["address"]])
    return app_for(args)


def _toml(values: dict[str, Any]) -> str:
    """Flat TOML for the config file: booleans, numbers, strings and paths."""
    lines = []
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        else:
            text = json.dumps(str(value))  # a JSON string is a TOML basic string
        lines.append(f"{key} = {text}\n")
    return "".join(lines)


class FileWrites:
    """Counts the atomic replacements of one file in this process, with their times.

    Wraps ``os.replace`` and ``os.rename`` (every atomic write ends in one of
    them), so a count does not depend on which module writes the file or how.
    """

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.times: list[float] = []  # time.monotonic() of each replacement
        self._originals: dict[str, Callable[..., None]] = {}

    def install(self) -> FileWrites:
        for name in ("replace", "rename"):
            original = getattr(os, name)
            self._originals[name] = original
            setattr(os, name, self._wrap(original))
        return self

    def uninstall(self) -> None:
        for name, original in self._originals.items():
            setattr(os, name, original)
        self._originals.clear()

    def _wrap(self, original: Callable[..., None]) -> Callable[..., None]:
        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            original(src, dst, *args, **kwargs)
            if isinstance(dst, (str, bytes, os.PathLike)) and Path(os.fsdecode(dst)).resolve() == self.path:
                self.times.append(time.monotonic())

        return replace

    @property
    def count(self) -> int:
        return len(self.times)


class Frames:
    def __init__(self, app: Any) -> None:
        self.count = 0
        self.listeners: list[Callable[[Any, float, float], None]] = []
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[FrameStamp]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                stamp = (time.monotonic(), time.thread_time())
                self.count += 1
                if self._waiters:
                    waiting, self._waiters = self._waiters, []
                    for predicate, future in waiting:
                        if future.done():
                            continue
                        if predicate():
                            future.set_result(stamp)
                        else:
                            self._waiters.append((predicate, future))
                for listener in self.listeners:
                    listener(screen, *stamp)
            original(screen, renderable)

        app._display = display

    def wait(self, predicate: Callable[[], bool] = lambda: True) -> asyncio.Future[FrameStamp]:
        """A future for the first frame from now on at which ``predicate()`` holds."""
        future: asyncio.Future[FrameStamp] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        return future


CHARACTERS = {"space": " ", "slash": "/"}


def key_event(key: str) -> Any:
    """``key`` is a Textual key name ("j", "space", "slash", "escape")."""
    from textual import events

    char = key if len(key) == 1 else CHARACTERS.get(key)
    return events.Key(key, char)


def press(app: Any, key: str) -> FrameStamp:
    """Post a key as the driver would; returns the (wall, cpu) stamp just before."""
    event = key_event(key)
    event.set_sender(app)
    stamp = (time.monotonic(), time.thread_time())
    app.post_message(event)
    return stamp


def message_list(app: Any) -> MessageList | None:
    from tmtui.ui.screens.inbox import InboxScreen
    from tmtui.ui.widgets.message_list import MessageList

    screen = app.screen
    if isinstance(screen, InboxScreen):
        return screen.query_one(MessageList)
    return None


def rows_shown(app: Any) -> int:
    widget = message_list(app)
    return len(widget.rows) if widget is not None else 0


def mailbox_state(app: Any) -> str | None:
    mailbox = app.store.mailboxes[0] if app.store.mailboxes else None
    return mailbox.connection if mailbox is not None else None


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MiB, from /proc/self/status."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in values:
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]
