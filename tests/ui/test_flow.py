"""The whole path a user takes, on the real server with real SMTP delivery."""

from __future__ import annotations

from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_text, screen_until, store_until, until
from tmtui.api.client import TempMailClient
from tmtui.state import SavedMailbox
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


async def test_first_run_creates_mailbox_and_mail_flows_through(make_app, server, downloads: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        mailbox = await first_inbox(pilot)

        raw = build_mail(mailbox.address, subject="Your invoice", sender="Shop <shop@example.org>",
                         html="<p>Thanks! Your code is <b>271828</b>.</p>",
                         attachments=[("invoice.pdf", PDF, "application/pdf")])
        await deliver(server.smtp_port, mailbox.address, raw)
        await store_until(store, lambda: len(mailbox.messages) == 1)
        await screen_until(pilot, lambda: "Your invoice" in screen_text(pilot))

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await screen_until(pilot, lambda: reader.rendered is not None)
        await screen_until(pilot, lambda: "271828" in screen_text(pilot))
        assert "invoice.pdf" in screen_text(pilot)

        await pilot.press("a")
        await screen_until(pilot, lambda: (downloads / "invoice.pdf").exists())
        assert (downloads / "invoice.pdf").read_bytes() == PDF
        assert not [p for p in downloads.iterdir() if p.name.endswith(".part")]

        await pilot.press("d")
        await store_until(store, lambda: not mailbox.messages)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        assert "Your invoice" not in screen_text(pilot)
        # Gone from the server too, not only from the screen (leaving the mailbox ends the undo hold).
        await pilot.press("escape")
        await until(lambda: not app.sync.deletes.held())
        await app.sync.deletes.commit()
        page = await app.sync.client.get_email_list(mailbox.sid_token)
        assert page.count == 0


async def test_saved_mailbox_opened_at_start_focuses_the_list(make_app, server) -> None:
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
    saved = SavedMailbox(session.address, session.sid_token, session.meta.expires_at)
    app = make_app(saved=[saved], start_address=session.address)
    async with app.run_test(size=(100, 32)) as pilot:
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        # The list has the keys, not the hidden filter box: the footer offers d, r, y.
        await screen_until(pilot, lambda: "d Delete" in screen_text(pilot))
        assert isinstance(app.focused, MessageList)
