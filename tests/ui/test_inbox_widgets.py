"""The inbox's widgets follow the screen's reactives: rows, marks, the new-mail highlight, the header."""

from __future__ import annotations

from tests.support.mail import build_mail
from tests.support.waiting import first_inbox, screen_text, screen_until
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.widgets.message_list import MessageList


async def test_marks_new_mail_highlight_and_header_follow_the_store(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        mailbox = await first_inbox(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        messages = inbox.query_one(MessageList)
        await screen_until(pilot, lambda: "0 messages, 0 unread" in screen_text(pilot))

        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=f"mail {n}")
                                                      for n in range(3)])
        await screen_until(pilot, lambda: len(messages.rows) == 3)
        await screen_until(pilot, lambda: "3 messages, 3 unread" in screen_text(pilot))
        assert messages.new_ids == {m.id for m in mailbox.messages}  # all three arrived just now

        await pilot.press("space", "space")  # mark the two newest
        assert messages.marked == {m.id for m in mailbox.messages[:2]}
        await pilot.press("d")
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Delete 2 marked messages" in screen_text(pilot)
        await pilot.press("y")
        await screen_until(pilot, lambda: len(messages.rows) == 1 and not messages.marked)
        assert [row.subject for row in messages.rows] == [mailbox.messages[0].subject]
        assert messages.new_ids == {mailbox.messages[0].id}
        await screen_until(pilot, lambda: "1 message, 1 unread" in screen_text(pilot))

        await pilot.press("enter")  # reading it takes it out of the highlight, and it is read
        await screen_until(pilot, lambda: not isinstance(app.screen, InboxScreen))
        await pilot.press("escape")
        await screen_until(pilot, lambda: app.screen is inbox and "1 message, 0 unread" in screen_text(pilot))
        assert messages.new_ids == frozenset()
