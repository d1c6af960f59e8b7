"""Shared steps of the fault tests: build the app on a (faulty) transport, wait for
the live inbox, and the checks every fault test ends with."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path

from textual.pilot import Pilot

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import builder
from tmtui.config import Config
from tmtui.state import SavedMailbox
from tmtui.store import Mailbox
from tmtui.ui.app import TmtuiApp

from .fakes import FaultyTransport

FAST = {"poll_min_seconds": 1.0, "poll_max_seconds": 1.0}
SIZE = (100, 32)


def build_app(base_url: str, downloads: Path, *, faulty: FaultyTransport | None = None,
              saved: Sequence[SavedMailbox] | None = (), warnings: Sequence[str] = (),
              persist: bool = False, **config: object) -> TmtuiApp:
    options = {**FAST, **config}
    return builder.build_app(Config(server=base_url, download_dir=downloads, **options),  # type: ignore[arg-type]
                             saved=saved, warnings=warnings, persist=persist, transport=faulty)


def record_notifications(app: TmtuiApp) -> list[str]:
    """Every notification the app raises, as text (severity first)."""
    seen: list[str] = []
    real = app.notify

    def notify(message: object, *args: object, **kwargs: object) -> None:
        seen.append(f"{kwargs.get('severity', 'information')}: {message}")
        real(message, *args, **kwargs)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return seen


async def live_inbox(pilot: Pilot[object], timeout: float = 15.0) -> Mailbox:
    from tmtui.ui.screens.inbox import InboxScreen

    app: TmtuiApp = pilot.app  # type: ignore[assignment]
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live",
                      timeout)
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    return store.mailboxes[0]


async def send(server, mailbox: Mailbox, *subjects: str) -> None:
    for subject in subjects:
        await deliver(server.smtp_port, mailbox.address, build_mail(mailbox.address, subject=subject))


def subjects(mailbox: Mailbox) -> list[str]:
    return sorted(m.subject for m in mailbox.messages)


async def rows_are(pilot: Pilot[object], mailbox: Mailbox, expected: Sequence[str],
                   timeout: float = 15.0) -> None:
    """Exactly these rows, each once, in the store and on the screen."""
    app: TmtuiApp = pilot.app  # type: ignore[assignment]
    await store_until(app.store, lambda: subjects(mailbox) == sorted(expected), timeout)
    ids = [m.id for m in mailbox.messages]
    assert len(ids) == len(set(ids)), "a row is doubled"
    await screen_until(pilot, lambda: all(s in screen_text(pilot) for s in expected))


async def still_responds(pilot: Pilot[object]) -> None:
    """A key still does what it should: ? opens the keys dialog, escape closes it."""
    from tmtui.ui.dialogs.help import HelpDialog

    app = pilot.app
    before = app.screen
    await pilot.press("question_mark")
    await screen_until(pilot, lambda: isinstance(app.screen, HelpDialog), 5)
    await pilot.press("escape")
    await screen_until(pilot, lambda: app.screen is before, 5)
    assert app.is_running


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
