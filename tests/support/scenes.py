"""Reproducible scenes of the real app on the real reference server, for screenshots and snapshots.

    with scene(tmp_path / "downloads") as demo:      # server running, mail seeded, clocks fixed
        app = demo.app()
        async with app.run_test(size=SCENE_SIZE) as pilot:
            await SHOTS["reader"](pilot)                 # drive the app to the reader, settled
            svg = app.export_screenshot()

Everything a screen shows is fixed: the server and UI clocks (mail times, the
expiry countdown), the address (``demo.user@demo.test``, claimed through the
API like ``c`` does), the seeded mail (``tmtui.demo_mail``; delivered one by
one with the server clock at each mail's Date, so ids and times are the same
every run), the time zone (UTC, the reader shows local time) and the text
cursors (blink off). Test support, not shipped; the server extra is needed.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.waiting import screen_text, screen_until
from tmtui import clock
from tmtui.api.client import TempMailClient
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.demo_mail import sample_mails
from tmtui.state import SavedMailbox

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tmtui.server.runner import ServerThread
    from tmtui.ui.app import TmtuiApp

SCENE_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SCENE_USER = "demo.user"
SCENE_DOMAINS = ("demo.test", "mail.demo.test")
SCENE_ADDRESS = f"{SCENE_USER}@{SCENE_DOMAINS[0]}"
SCENE_SIZE = (100, 30)
SCENE_SERVER = "http://127.0.0.1:8025"  # as `tmtui serve` runs by default
# The UI looks 45 s after the server's last listing: the countdown reads 23h 59m, not 24h 00m.
UI_LAG = timedelta(seconds=45)
# The session was created this long before "now", before the first sample mail arrived.
SESSION_AGE = timedelta(hours=6)

Drive = Callable[["Pilot[object]"], Awaitable[None]]


class ManualClock:
    """A server clock (Unix seconds) that moves only when told to."""

    def __init__(self, when: datetime) -> None:
        self.value = when.timestamp()

    def __call__(self) -> float:
        return self.value

    def set(self, when: datetime) -> None:
        self.value = when.timestamp()


@dataclass
class Scene:
    """A running server with one seeded mailbox, and what is needed to build the app on it."""

    server: ServerThread
    server_clock: ManualClock
    saved: SavedMailbox
    download_dir: Path

    @property
    def address(self) -> str:
        return self.saved.address

    def app(self, *, banner: str | None = None) -> TmtuiApp:
        """A fresh app on the scene's mailbox (not persisted, downloads into ``download_dir``)."""
        config = Config(server=self.server.base_url, download_dir=self.download_dir)
        app = build_app(config, saved=[self.saved], start_address=self.address, persist=False,
                        banner=banner)
        # The picker names its server; the scene's port is a free one, so the name is fixed
        # like the clocks (nothing is saved: persistence is off).
        app.sync.keeper.server = SCENE_SERVER
        return app

    def deliver(self, raw: bytes, at: datetime | None = None) -> str:
        """Store one raw mail as delivered at ``at`` (default: its Date header); returns its id."""
        when = at or _date_of(raw)
        now = self.server_clock.value
        if when is not None:
            self.server_clock.set(when)
        try:
            return self.server.control.deliver(self.address, raw)
        finally:
            self.server_clock.value = now


def _date_of(raw: bytes) -> datetime | None:
    value = message_from_bytes(raw)["Date"]
    return parsedate_to_datetime(value) if value else None


async def _claim(base_url: str, user: str, domain: str) -> SavedMailbox:
    """A session on ``user@domain``, the way `c` (custom name) gets one."""
    async with TempMailClient(base_url) as client:
        scratch = await client.get_email_address(domain=domain)
        session = await client.set_email_user(scratch.sid_token, user, domain=domain)
    return SavedMailbox(session.address, session.sid_token, session.meta.expires_at)


@contextmanager
def fixed_environment(now: datetime = SCENE_NOW) -> Iterator[None]:
    """UTC as the local zone, colour on, the UI clock at ``now`` + UI_LAG; all restored afterwards."""
    saved = {name: os.environ.get(name) for name in ("TZ", "NO_COLOR")}
    os.environ["TZ"] = "UTC"
    os.environ.pop("NO_COLOR", None)  # Textual reads it when an App is built
    time.tzset()
    ui_now = now + UI_LAG
    clock.set_clock(lambda: ui_now)
    try:
        yield
    finally:
        clock.set_clock(None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        time.tzset()


@contextmanager
def scene(download_dir: Path, *, now: datetime = SCENE_NOW) -> Iterator[Scene]:
    """Start the reference server and seed the demo mailbox; stop everything on exit."""
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerThread

    server_clock = ManualClock(now - SESSION_AGE)
    # The clock stands still, so rate windows never empty: limits off for the scene.
    config = ServerConfig(domains=SCENE_DOMAINS, welcome_mail=False, clock=server_clock,
                          requests_per_minute=0, creations_per_minute=0)
    with fixed_environment(now), ServerThread(config) as server:
        # Its own loop on its own thread: callers may be inside a running loop (scripts, pilots).
        with ThreadPoolExecutor(1) as pool:
            saved = pool.submit(asyncio.run, _claim(server.base_url, SCENE_USER, SCENE_DOMAINS[0])).result()
        demo = Scene(server, server_clock, saved, download_dir)
        for raw in sample_mails(saved.address, now=now):
            demo.deliver(raw)
        server_clock.set(now)
        yield demo


# Driving the app ---------------------------------------------------------------------

async def settle(pilot: Pilot[object]) -> None:
    """Text cursors solid (no blink), animations done, layout and paint flushed."""
    from textual.widgets import Input, TextArea

    app = pilot.app
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
        for area in screen.query(TextArea):
            area.cursor_blink = False
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


async def inbox_ready(pilot: Pilot[object]) -> None:
    """The start mailbox's inbox is on screen, live, with every seeded mail drawn."""
    from tmtui.ui.screens.inbox import InboxScreen
    from tmtui.ui.widgets.message_list import MessageList

    app: TmtuiApp = pilot.app  # type: ignore[assignment]
    count = len(sample_mails(SCENE_ADDRESS))

    def ready() -> bool:
        screen = app.screen
        if not isinstance(screen, InboxScreen):
            return False
        mailbox = screen.mailbox
        return (mailbox is not None and mailbox.connection == "live" and mailbox.complete
                and len(mailbox.messages) == count
                and len(screen.query_one(MessageList).rows) == count
                and "● live" in screen_text(pilot))

    await screen_until(pilot, ready, what="the live inbox")


async def open_message(pilot: Pilot[object], subject: str) -> None:
    """From the inbox, move to the row with ``subject``, open it and wait for the body."""
    from tmtui.ui.screens.reader import ReaderScreen
    from tmtui.ui.widgets.message_list import MessageList

    app = pilot.app
    rows = app.screen.query_one(MessageList).rows
    index = next(i for i, row in enumerate(rows) if row.subject == subject)
    await pilot.press("g", *["j"] * index, "enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None,
                what=f"the reader on {subject!r}")
    await screen_until(pilot, lambda: subject in screen_text(pilot), what="the reader's headers")
    await pilot.pause()


CODE_SUBJECT = "Your Acme verification code"
INVOICE_SUBJECT = "Your invoice and receipt photo"


async def shot_inbox(pilot: Pilot[object]) -> None:
    await inbox_ready(pilot)
    await settle(pilot)


async def shot_picker(pilot: Pilot[object]) -> None:
    from tmtui.ui.screens.picker import PickerScreen

    await inbox_ready(pilot)
    await pilot.press("escape")
    await screen_until(pilot, lambda: isinstance(pilot.app.screen, PickerScreen), what="the picker")
    await screen_until(pilot, lambda: "● live" in screen_text(pilot), what="the picker's live row")
    await settle(pilot)


async def shot_reader(pilot: Pilot[object]) -> None:
    await inbox_ready(pilot)
    await open_message(pilot, CODE_SUBJECT)
    await screen_until(pilot, lambda: "482913" in screen_text(pilot), what="the verification code")
    await settle(pilot)


async def shot_save(pilot: Pilot[object]) -> None:
    from tmtui.ui.dialogs.attachments import AttachmentDialog

    await inbox_ready(pilot)
    await open_message(pilot, INVOICE_SUBJECT)
    await screen_until(pilot, lambda: "receipt.png" in screen_text(pilot), what="the attachment list")
    await pilot.press("a")
    await screen_until(pilot, lambda: isinstance(pilot.app.screen, AttachmentDialog), what="the chooser")
    await settle(pilot)


async def shot_help(pilot: Pilot[object]) -> None:
    from tmtui.ui.dialogs.help import HelpDialog

    await inbox_ready(pilot)
    await pilot.press("question_mark")
    await screen_until(pilot, lambda: isinstance(pilot.app.screen, HelpDialog), what="the keys dialog")
    await settle(pilot)


SHOTS: dict[str, Drive] = {
    "picker": shot_picker,
    "inbox": shot_inbox,
    "reader": shot_reader,
    "save": shot_save,
    "help": shot_help,
}
