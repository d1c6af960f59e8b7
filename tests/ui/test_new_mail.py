"""New mail is what arrived after the mailbox was first listed in this run (issue 11 item 2).

The server's page size is 3 here, so the first listing of the seeded mailbox
takes three pages: the pages fetched behind the first one are old mail, and
start-up must neither announce them nor auto-copy their codes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.message_pump import MessagePump

from tests.support.mail import build_mail, deliver
from tests.support.waiting import listed_and_live, screen_until
from tmtui.api.client import TempMailClient
from tmtui.state import SavedMailbox
from tmtui.ui.screens.inbox import InboxScreen

OLD_MAILS = 7
PAGE_SIZE = 3


@pytest.fixture
def server_config(tmp_path: Path):
    from tmtui.server.config import ServerConfig

    return ServerConfig(data_dir=tmp_path / "server", welcome_mail=False, page_size=PAGE_SIZE)


async def drained(node: MessagePump, timeout: float = 10.0) -> None:
    """Resolve once ``node`` has handled every message queued before this call."""
    done = asyncio.Event()
    node.call_later(done.set)
    await asyncio.wait_for(done.wait(), timeout)


def record_notifications(app) -> list[tuple[str, str]]:
    """(title, message) of every notification the app raises."""
    seen: list[tuple[str, str]] = []
    real = app.notify

    def notify(message: str, *args: object, **kwargs: object) -> None:
        seen.append((str(kwargs.get("title", "")), str(message)))
        real(message, *args, **kwargs)

    app.notify = notify
    return seen


async def test_old_pages_are_not_new_mail_at_start_up_and_one_arrival_is_one_toast(
        make_app, server) -> None:
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
    address = session.address
    server.control.seed(address, OLD_MAILS, subject="Verification code 50010{n}")
    saved = SavedMailbox(address, session.sid_token, session.meta.expires_at)
    app = make_app(saved=[saved], start_address=address, config={"auto_copy_code": True})
    notes = record_notifications(app)

    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await listed_and_live(store, address, OLD_MAILS)
        mailbox = store.get(address)
        assert mailbox is not None
        await drained(app)  # every store change so far went through the announcer
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                           and len(app.screen.rows) == OLD_MAILS)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await drained(inbox)
        assert app.clipboard == ""  # no stale code copied
        assert notes == []  # no "New mail (+N more)", no "Copied code"
        assert inbox.new_ids == frozenset()  # and no old row highlighted as new

        await deliver(server.smtp_port, address, build_mail(address, subject="Your login code: 771234"))
        await screen_until(pilot, lambda: app.clipboard == "771234")
        await drained(app)
        await drained(inbox)
        toasts = [message for title, message in notes if title.startswith("New mail")]
        copies = [message for _title, message in notes if message.startswith("Copied code")]
        assert toasts == ["Sender <sender@example.org>: Your login code: 771234"]
        assert copies == ["Copied code 771234 to the clipboard (OSC 52)"]
        assert inbox.new_ids == {mailbox.messages[0].id}
