"""sid_token and the mailbox event token never leave the state file.

One full session on the real server, over real SMTP: create, deliver, list,
open, save an attachment, delete, the SSE stream, a session killed server-side
(401 and session_lost, recovered), a takeover by another client (the UI asks,
``y`` takes the mailbox back), and a refresh. Meanwhile everything that could
carry a token is captured:

- every log record of every logger, root at DEBUG (httpx and httpcore
  included), formatted with its arguments and any traceback;
- every notification (message and title), every error the app reported (its
  str, repr and formatted traceback), every worker failure;
- the screen text after each step, ``app.export_screenshot()`` at the end of
  each step, and every sequence written to the terminal outside the screen
  (title, desktop notifications).

Every sid_token and event token the session ever held (they change on
recovery and takeover) must be absent from all of it, raw and URL-encoded.
The state file is 0600 in a 0700 directory.
"""

from __future__ import annotations

import logging
import os
import stat
import traceback
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import paths
from tmtui.api.client import TempMailClient
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.store import Change
from tmtui.ui.app import TmtuiApp

ATTACHMENT = b"%PDF-1.4 token hygiene\n" * 50


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs() -> Everything:
    handler = Everything()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def _record_what_the_user_sees(app: TmtuiApp, seen: list[str]) -> None:
    """Every notification and reported error goes into ``seen`` as well as to the app."""
    real_notify, real_report = app.notify, app.report_error

    def notify(message: object, *args: object, **kwargs: object) -> None:
        seen.append(f"notify {message!s} {kwargs.get('title', '')}")
        real_notify(message, *args, **kwargs)  # type: ignore[arg-type]

    def report_error(exc: BaseException) -> None:
        seen.extend([str(exc), repr(exc), "".join(traceback.format_exception(exc))])
        real_report(exc)

    app.notify = notify  # type: ignore[method-assign]
    app.report_error = report_error  # type: ignore[method-assign]


async def test_no_token_reaches_logs_errors_notifications_screen_or_title(
        server, tmp_path: Path, all_logs: Everything, monkeypatch: pytest.MonkeyPatch) -> None:
    from tmtui.ui import terminal
    from tmtui.ui.dialogs.confirm import ConfirmDialog
    from tmtui.ui.screens.inbox import InboxScreen
    from tmtui.ui.screens.reader import ReaderScreen

    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    downloads = tmp_path / "downloads"
    seen: list[str] = []  # everything the user or a log could see
    tokens: set[str] = set()
    writes: list[str] = []
    monkeypatch.setattr(terminal, "_write", lambda app, sequence: writes.append(sequence))

    app = build_app(Config(server=server.base_url, download_dir=downloads, poll_min_seconds=1,
                           poll_max_seconds=1, desktop_notify=True, terminal_title=True))
    _record_what_the_user_sees(app, seen)

    def collect(_change: Change) -> None:
        for mailbox in app.store.mailboxes:
            for secret in (mailbox.sid_token, mailbox.event_token):
                if secret:
                    tokens.add(secret.reveal())

    def hook(message: object) -> None:
        error = getattr(getattr(message, "worker", None), "error", None)
        if error is not None:
            seen.extend([repr(error), "".join(traceback.format_exception(error))])

    async with app.run_test(size=(100, 32), message_hook=hook) as pilot:
        app.store.subscribe(collect)

        def look() -> None:
            seen.append(screen_text(pilot))
            seen.append(app.export_screenshot())

        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        address = mailbox.address
        app.app_focus = False  # desktop notifications are written for new mail
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        await deliver(server.smtp_port, address, build_mail(
            address, subject="Hygiene", html="<p>code 424242</p>",
            attachments=[("report.pdf", ATTACHMENT, "application/pdf")]))
        await store_until(store, lambda: len(mailbox.messages) == 1)
        app.app_focus = True
        look()

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        await pilot.press("a")
        await screen_until(pilot, lambda: (downloads / "report.pdf").exists())
        look()
        await pilot.press("d")  # the only message: back to the inbox
        await store_until(store, lambda: not mailbox.messages)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        look()

        # A session killed on the server: 401 / session_lost, reopened by itself.
        before = mailbox.sid_token
        server.control.invalidate_session(address)
        await pilot.press("r")
        await store_until(store, lambda: mailbox.sid_token != before and mailbox.connection == "live")
        look()

        # Another client takes the mailbox over; the UI asks, y takes it back.
        before = mailbox.sid_token
        async with TempMailClient(server.base_url) as other:
            thief = await other.open_email_address(address, force_takeover=True)
            tokens.add(thief.sid_token.reveal())
            await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog)
                               and "taken over" in screen_text(pilot))
            look()
            await pilot.press("y")
            await store_until(store, lambda: mailbox.sid_token not in (before, thief.sid_token)
                              and mailbox.connection == "live")
        await pilot.press("r")
        await deliver(server.smtp_port, address, build_mail(address, subject="After takeover"))
        await screen_until(pilot, lambda: "After takeover" in screen_text(pilot))
        look()
        collect(Change("messages", address))

    assert len(tokens) >= 6, "expected several sid and event tokens over the session"
    haystacks = {"log": all_logs.lines, "user-visible": seen, "terminal write": writes}
    assert all_logs.lines and writes  # the capture itself worked
    for token in tokens:
        for form in {token, quote(token, safe=""), quote_plus(token)}:
            for where, texts in haystacks.items():
                leaks = [text for text in texts if form in text]
                assert not leaks, f"a token reached the {where}: {leaks[0][:300]!r}"

    state_file = paths.state_file()
    assert state_file.is_file()
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(state_file.parent).st_mode) == 0o700
