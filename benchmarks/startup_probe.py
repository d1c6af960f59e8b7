"""A start-up child: ``python -m benchmarks.startup_probe tmtui|bare [URL ADDRESS]``.

Imports nothing before it must, so the process pays what a user's would: for
``tmtui`` the same path as the ``tmtui --server URL --address ADDRESS`` command
(argument parsing, config and saved state, the app), for ``bare`` the baseline
app. ``App.run`` is made headless at 100x32, and ``App._display`` reports on
stdout, as monotonic times, the first frame of the screen (the inbox; for the
baseline its table with rows) and the first with content (inbox rows; table
rows), plus the process CPU time by then; then the app exits.
"""

from __future__ import annotations

import os
import sys
import time

OUT = os.dup(1)  # written with os.write: no buffering between the frame and the parent

def _patch(screen_ready: object, content_ready: object) -> None:
    from textual.app import App

    original_run, original_display = App.run, App._display
    shown: dict[str, float | None] = {"screen": None}

    def run(self: App[object], *args: object, **kwargs: object) -> object:
        return original_run(self, headless=True, size=(100, 32))

    def display(self: App[object], screen: object, renderable: object) -> None:
        original_display(self, screen, renderable)
        if renderable is None:
            return
        now = time.monotonic()
        if shown["screen"] is None and screen_ready(self, screen):  # type: ignore[operator]
            shown["screen"] = now
        if shown["screen"] is not None and content_ready(self, screen):  # type: ignore[operator]
            os.write(OUT, f"frame {now!r} {shown['screen']!r} {time.process_time()!r}\n".encode())
            App._display = original_display  # type: ignore[method-assign]
            self.exit()

    App.run = run  # type: ignore[method-assign]
    App._display = display  # type: ignore[method-assign]


def _inbox(app: object, screen: object) -> bool:
    return type(screen).__name__ == "InboxScreen"


def _inbox_rows(app: object, screen: object) -> bool:
    if not _inbox(app, screen):
        return False
    from tmtui.ui.widgets.message_list import MessageList

    return bool(screen.query_one(MessageList).rows)  # type: ignore[attr-defined]


def _table_rows(app: object, screen: object) -> bool:
    from textual.widgets import DataTable

    tables = screen.query(DataTable)  # type: ignore[attr-defined]
    return bool(tables) and tables.first().row_count > 0


def main() -> int:
    mode = sys.argv[1]
    if mode == "tmtui":
        from tmtui.cli import parse_args

        args = parse_args(["--server", sys.argv[2], "--address", sys.argv[3]])
        _patch(_inbox, _inbox_rows)
        from tmtui.launch import run_tui

        return run_tui(args)
    _patch(_table_rows, _table_rows)
    from benchmarks.bare import BareApp

    BareApp().run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
