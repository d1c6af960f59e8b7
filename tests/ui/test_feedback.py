"""Every key says what happened, even when there is nothing to do."""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_until
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def said(pilot, key: str, words: str) -> None:
    """Press ``key``; a toast with ``words`` appears."""
    app = pilot.app
    app.clear_notifications()
    await pilot.press(key)
    await screen_until(pilot, lambda: any(words in t for t in toasts(app)), what=f"{key!r}: {words!r}")


async def test_inbox_keys_with_nothing_to_act_on_say_so(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox = await first_inbox(pilot)
        await said(pilot, "d", "Nothing to delete: the inbox is empty")
        await said(pilot, "u", "Nothing to undo")
        await said(pilot, "r", "Up to date, 0 messages")
        await said(pilot, "enter", "Nothing to open: the list is empty")
        await said(pilot, "space", "Nothing to mark: the list is empty")
        await deliver(server.smtp_port, mailbox.address, build_mail(mailbox.address, subject="one"))
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
        await said(pilot, "r", "Up to date, 1 message")


async def test_reader_keys_a_plain_message_cannot_serve_say_why(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        address = (await first_inbox(pilot)).address
        await deliver(server.smtp_port, address, build_mail(address, subject="plain", text="Just words."))
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        await said(pilot, "Y", "No confirmation link found in this message")
        await said(pilot, "y", "No one-time code found in this message")
        await said(pilot, "l", "This message has no links")
        await said(pilot, "a", "This message has no attachments")
        await said(pilot, "n", "No more messages")
