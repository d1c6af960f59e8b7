"""Deleting: marks survive the filter, `d` is immediate on screen and undoable, nothing is lost silently."""

from __future__ import annotations

from tests.faults.fakes import FaultyTransport, reply
from tests.faults.kit import record_notifications
from tests.support.mail import build_mail
from tests.support.waiting import first_inbox, screen_text, screen_until, store_until, until
from tmtui.store import Mailbox
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

SUBJECTS = ["json report", "alpha", "beta"]  # delivered in this order: beta is the newest


async def _inbox(app, server, pilot, subjects=SUBJECTS) -> tuple[Mailbox, MessageList]:
    mailbox = await first_inbox(pilot)
    server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=s) for s in subjects])
    messages = app.screen.query_one(MessageList)
    await screen_until(pilot, lambda: len(messages.rows) == len(subjects))
    return mailbox, messages


def toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def on_server(app, mailbox: Mailbox) -> list[str]:
    """The subjects the server still has (asked directly, not through the store)."""
    page = await app.sync.client.get_email_list(mailbox.sid_token)
    return sorted(m.subject for m in page.messages)


async def test_marks_survive_the_filter_and_a_bulk_delete_counts_the_hidden(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, messages = await _inbox(app, server, pilot)
        await pilot.press("g", "space", "space")  # beta and alpha
        assert {r.subject for r in messages.rows if r.id in messages.marked} == {"alpha", "beta"}
        await pilot.press("slash", *"json", "enter")
        await screen_until(pilot, lambda: [r.subject for r in messages.rows] == ["json report"])
        assert len(messages.marked) == 2, "the filter dropped the marks"

        await pilot.press("d")
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Delete 2 marked messages (2 hidden by the filter)" in screen_text(pilot)
        await pilot.press("y")
        await store_until(app.store, lambda: [m.subject for m in mailbox.messages] == ["json report"])
        assert not messages.marked


async def test_delete_is_immediate_on_screen_held_for_undo_and_sent_on_leaving(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, messages = await _inbox(app, server, pilot)
        await pilot.press("g", "d")  # beta
        await screen_until(pilot, lambda: "Deleted 1 - u to undo" in toasts(app))
        assert [r.subject for r in messages.rows] == ["alpha", "json report"]
        assert await on_server(app, mailbox) == sorted(SUBJECTS), "sent before the hold ended"

        # A full listing now (the server still has the row) does not bring it back.
        await app.sync.refresh(mailbox.address)
        await pilot.pause()
        assert "beta" not in [m.subject for m in mailbox.messages]

        await pilot.press("u")
        await screen_until(pilot, lambda: [r.subject for r in messages.rows] == ["beta", "alpha", "json report"])
        assert messages.current_id == mailbox.messages[0].id  # the cursor is on the restored row

        await pilot.press("j", "d")  # alpha; leaving the mailbox sends it at once
        await screen_until(pilot, lambda: "alpha" not in [r.subject for r in messages.rows])
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await until(lambda: not app.sync.deletes.held())
        assert await on_server(app, mailbox) == ["beta", "json report"]


async def test_a_held_delete_is_sent_when_the_hold_ends(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, _ = await _inbox(app, server, pilot)
        app.sync.deletes.hold_seconds = 0.05  # the default hold is seconds; the behaviour is the same
        await pilot.press("g", "d")
        await until(lambda: not app.sync.deletes.held(), what="the hold to end")
        await app.sync.deletes.commit()  # waits for the delete already on its way
        assert await on_server(app, mailbox) == ["alpha", "json report"]


async def test_leaving_the_app_sends_held_deletes(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, _ = await _inbox(app, server, pilot)
        await pilot.press("g", "d")
        await screen_until(pilot, lambda: "Deleted 1 - u to undo" in toasts(app))
        address, sid = mailbox.address, mailbox.sid_token
    from tmtui.api.client import TempMailClient

    async with TempMailClient(server.base_url) as client:
        page = await client.get_email_list(sid)
    assert sorted(m.subject for m in page.messages) == ["alpha", "json report"], address


async def test_a_delete_the_server_refuses_puts_the_rows_back_and_says_why(make_app, server) -> None:
    faulty = FaultyTransport()
    app = make_app(transport=faulty)
    seen = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, messages = await _inbox(app, server, pilot)
        faulty.inject("del_email", reply(500, {"error": "disk full"}), times=None)
        await pilot.press("g", "space", "space", "d")
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await screen_until(pilot, lambda: len(messages.rows) == 1)
        await pilot.press("escape")  # leaving sends it now
        await store_until(app.store, lambda: len(mailbox.messages) == 3)
        await until(lambda: any("Could not delete 2 messages" in line for line in seen))
        line = next(line for line in seen if "Could not delete" in line)
        assert line.startswith("error:") and "back in the list" in line
        assert await on_server(app, mailbox) == sorted(SUBJECTS)


async def test_reader_delete_shows_the_next_and_u_brings_it_back(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, _ = await _inbox(app, server, pilot)
        await pilot.press("g", "enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.message is not None)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        first = reader.message_id
        await pilot.press("d")
        await screen_until(pilot, lambda: reader.message is not None and reader.message_id != first)
        assert "Deleted 1 - u to undo" in toasts(app)
        await pilot.press("u")
        await screen_until(pilot, lambda: reader.message is not None and reader.message.id == first)
        assert first in {m.id for m in mailbox.messages}
        assert await on_server(app, mailbox) == sorted(SUBJECTS)
