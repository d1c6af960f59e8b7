"""Offline is explained where the user looks, in words, and commands fail at once with one line."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.api.client import TempMailClient
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.server.config import ServerConfig
from tmtui.server.runner import ReferenceServer
from tmtui.state import SavedMailbox
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

FAST = {"poll_min_seconds": 1.0, "poll_max_seconds": 1.0}
INTERNAL = re.compile(r"get_email_list|fetch_email|del_email|open_email_address|ConnectError|"
                      r"ConnectTimeout|ReadError|TransportError|events:")
RETRY = re.compile(r"retrying (in \d+ s|now)")


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def no_internal_names(text: str) -> None:
    found = INTERNAL.search(text)
    assert found is None, f"internal name {found.group(0)!r} on screen:\n{text}"


async def _stopped_server_with_a_mailbox(tmp_path: Path) -> tuple[ServerConfig, SavedMailbox]:
    config = ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100)
    async with ReferenceServer(config) as first:
        async with TempMailClient(first.base_url) as client:
            session = await client.get_email_address()
        ports = {"port": first.http_port, "smtp_port": first.smtp_port}
    return (ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100, **ports),
            SavedMailbox(session.address, session.sid_token, session.meta.expires_at))


async def test_offline_picker_and_empty_inbox_say_so_in_words(tmp_path: Path, downloads: Path) -> None:
    config, saved = await _stopped_server_with_a_mailbox(tmp_path)
    base_url = f"http://127.0.0.1:{config.port}"
    app = build_app(Config(server=base_url, download_dir=downloads, **FAST), saved=[saved], persist=False)
    async with app.run_test(size=(80, 24)) as pilot:
        mailbox = app.store.mailboxes[0]
        await store_until(app.store, lambda: mailbox.connection == "offline" and mailbox.retry_at is not None)
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen) and "offline" in screen_text(pilot))
        row = next(line for line in screen_text(pilot).splitlines() if saved.address in line)
        assert re.search(r"● offline, retrying (in \d+ s|now)\s*$", row), row  # whole words, none cut
        no_internal_names(screen_text(pilot))
        await pilot.resize_terminal(60, 20)  # no room for the next try: the state alone, whole
        await screen_until(pilot, lambda: any(line.rstrip().endswith("● offline")
                                              for line in screen_text(pilot).splitlines()))
        await pilot.resize_terminal(80, 24)

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        await screen_until(pilot, lambda: "Offline - retrying" in screen_text(pilot))
        text = screen_text(pilot)
        assert "cannot reach the server" in text and RETRY.search(text), text
        assert "appears here the moment it arrives" not in text
        no_internal_names(text)

        app.clear_notifications()
        await pilot.press("r")
        await screen_until(pilot, lambda: any("trying to reach the server again now" in t for t in toasts(app)))

        async with ReferenceServer(config) as second:
            await deliver(second.smtp_port, saved.address, build_mail(saved.address, subject="back"))
            await store_until(app.store, lambda: mailbox.connection == "live", timeout=30)
            await screen_until(pilot, lambda: "back" in screen_text(pilot) and "Offline" not in screen_text(pilot))


async def test_opening_a_message_offline_fails_at_once_and_loads_when_back(tmp_path: Path,
                                                                           downloads: Path) -> None:
    config = ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100)
    first = ReferenceServer(config)
    await first.start()
    ports = {"port": first.http_port, "smtp_port": first.smtp_port}
    app = build_app(Config(server=first.base_url, download_dir=downloads, **FAST), persist=False)
    async with app.run_test(size=(80, 24)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        await deliver(first.smtp_port, mailbox.address, build_mail(mailbox.address, subject="kept",
                                                                   text="body-marker-5521"))
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
        await first.stop()
        await store_until(store, lambda: mailbox.connection == "offline", timeout=30)

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        # At once: no request waits on a server known to be down (no spinner, no timeout).
        await pilot.pause()
        assert not reader.query_one("#reader-loading").display
        text = screen_text(pilot)
        flat = " ".join(text.split())
        assert "Offline (cannot reach the server)" in flat and "loads once the connection is back" in flat
        no_internal_names(text)

        second = ReferenceServer(ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100,
                                              **ports))
        async with second:
            await screen_until(pilot, lambda: "body-marker-5521" in screen_text(pilot), timeout=30)
