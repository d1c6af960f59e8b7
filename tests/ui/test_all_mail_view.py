"""All mailboxes: the picker's first row shows every mailbox's mail newest first, live, with its mailbox.

Real app, real reference server, mail delivered over real SMTP. Message ids are
only unique within a mailbox: every key here must act on the row's own mailbox.
"""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.ui.screens.all_mail import AllMailScreen
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList


async def _two_mailboxes(app, pilot) -> tuple[str, str]:
    """The first run's mailbox, and a second one labelled "github"; back in the picker."""
    store = app.store
    await store_until(store, lambda: len(store.mailboxes) == 1)
    first = store.mailboxes[0].address
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    second = await app.sync.create_custom("second", "b.test", label="github")
    await store_until(store, lambda: all(m.connection == "live" for m in store.mailboxes) and len(store.mailboxes) == 2)
    await pilot.press("escape")
    await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen) and "All mailboxes" in screen_text(pilot))
    return first, second


async def _mail(app, server, address: str, subject: str) -> None:
    """Deliver one mail and wait for it in the store: each one newer than the one before."""
    mailbox = app.store.get(address)
    before = len(mailbox.messages)
    await deliver(server.smtp_port, address, build_mail(address, subject=subject))
    await store_until(app.store, lambda: len(mailbox.messages) == before + 1)


async def _open_all(app, pilot) -> AllMailScreen:
    picker = app.screen
    assert picker.query_one("#mailboxes").cursor_row == 0  # the first row, highlighted on arrival
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(app.screen, AllMailScreen))
    return app.screen


def _shown(screen: AllMailScreen) -> list[tuple[str, str]]:
    return [(row.mailbox, row.subject) for row in screen.query_one(MessageList).rows]


async def test_every_mailbox_newest_first_live_and_enter_opens_the_rows_own_message(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = await _two_mailboxes(app, pilot)
        for address, subject in ((first, "one"), (second, "two"), (first, "three")):
            await _mail(app, server, address, subject)
        screen = await _open_all(app, pilot)
        assert app.sync.policy.is_focused(first) and app.sync.policy.is_focused(second)  # both kept fast
        await screen_until(pilot, lambda: _shown(screen) == [(first, "three"), ("github", "two"), (first, "one")])
        text = screen_text(pilot)
        assert "All mailboxes · 3 mails · 3 unread" in text
        assert "github" in text
        await pilot.press("r")  # every mailbox listed now
        await screen_until(pilot, lambda: any(str(n.message) == "Up to date, 3 messages" for n in app._notifications))

        await _mail(app, server, second, "four")  # arrives while the view is open
        await screen_until(pilot, lambda: _shown(screen)[0] == ("github", "four") and "four" in screen_text(pilot))
        assert "4 mails · 4 unread" in screen_text(pilot)

        await pilot.press("g", "j", "j", "enter")  # "two", in the second mailbox
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        two = next(m for m in app.store.get(second).messages if m.subject == "two")
        assert (reader.address, reader.message_id) == (second, two.id)
        await screen_until(pilot, lambda: reader.message is not None and reader.message.subject == "two")
        await pilot.press("escape")
        await screen_until(pilot, lambda: app.screen is screen and "3 unread" in screen_text(pilot))

        await pilot.press("escape")  # back in the picker: one mailbox in focus again
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert not app.sync.policy.is_focused(second)


async def test_d_deletes_from_the_rows_own_mailbox_and_u_brings_it_back(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = await _two_mailboxes(app, pilot)
        await _mail(app, server, second, "older in second")
        await _mail(app, server, first, "newest in first")
        screen = await _open_all(app, pilot)
        await screen_until(pilot, lambda: len(_shown(screen)) == 2)

        await pilot.press("j", "d")  # "older in second"
        await screen_until(pilot, lambda: _shown(screen) == [(first, "newest in first")])
        assert [m.subject for m in app.store.get(second).messages] == []
        assert [m.subject for m in app.store.get(first).messages] == ["newest in first"]
        await pilot.press("u")
        await screen_until(pilot, lambda: len(_shown(screen)) == 2)
        assert [m.subject for m in app.store.get(second).messages] == ["older in second"]
        assert screen.query_one(MessageList).rows[screen.query_one(MessageList).cursor].subject == "older in second"

        # Marks across both mailboxes: one `d` (asked first), one `u` brings both back.
        await pilot.press("g", "space", "space", "d")
        await screen_until(pilot, lambda: "from 2 mailboxes" in screen_text(pilot))
        await pilot.press("y")
        await screen_until(pilot, lambda: app.screen is screen and not _shown(screen))
        await pilot.press("u")
        await screen_until(pilot, lambda: len(_shown(screen)) == 2)
        assert screen.query_one(MessageList).cursor == 0  # on the newest of the mail brought back

        await pilot.press("d")  # the newest, held; leaving the view sends it to the server
        await screen_until(pilot, lambda: len(_shown(screen)) == 1)
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await app.sync.deletes.commit()  # waits for the delete already on its way
        on_server = {a: [m.subject for m in await app.sync.messages(a)] for a in (first, second)}
        assert on_server == {first: [], second: ["older in second"]}


async def test_a_saves_the_rows_attachment_from_its_own_mailbox(make_app, server, downloads) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = await _two_mailboxes(app, pilot)
        raw = build_mail(second, subject="receipt", attachments=[("receipt.txt", b"paid 12 EUR\n", "text/plain")])
        await deliver(server.smtp_port, second, raw)
        await store_until(app.store, lambda: len(app.store.get(second).messages) == 1)
        await _mail(app, server, first, "no attachment")
        screen = await _open_all(app, pilot)
        await screen_until(pilot, lambda: len(_shown(screen)) == 2)
        await pilot.press("a")  # the newest has none: said, nothing fetched
        await screen_until(pilot, lambda: any("no attachments" in str(n.message) for n in app._notifications))
        await pilot.press("j", "a")
        await screen_until(pilot, lambda: (downloads / "receipt.txt").exists())
        assert (downloads / "receipt.txt").read_bytes() == b"paid 12 EUR\n"


async def test_the_reader_steps_through_the_combined_list_it_was_opened_from(make_app, server) -> None:
    """n, p and d in a reader opened here go row by row through All mailboxes, across mailboxes."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = await _two_mailboxes(app, pilot)
        for address, subject in ((first, "one"), (second, "two"), (first, "three")):
            await _mail(app, server, address, subject)
        screen = await _open_all(app, pilot)
        await screen_until(pilot, lambda: _shown(screen) == [(first, "three"), ("github", "two"), (first, "one")])

        def showing(address: str, subject: str) -> bool:
            reader = app.screen
            return (isinstance(reader, ReaderScreen) and reader.address == address
                    and reader.message is not None and reader.message.subject == subject)

        await pilot.press("g", "enter")
        await screen_until(pilot, lambda: showing(first, "three"))
        await pilot.press("n")  # the next row is the second mailbox's, not "one" of the first
        await screen_until(pilot, lambda: showing(second, "two"))
        await pilot.press("n")
        await screen_until(pilot, lambda: showing(first, "one"))
        await pilot.press("n")  # the last row
        await screen_until(pilot, lambda: any(str(n.message) == "No more messages" for n in app._notifications))
        await pilot.press("p")
        await screen_until(pilot, lambda: showing(second, "two"))

        await pilot.press("d")  # from its own mailbox; the reader shows the next row of the list
        await screen_until(pilot, lambda: showing(first, "one"))
        assert [m.subject for m in app.store.get(second).messages] == []
        assert [m.subject for m in app.store.get(first).messages] == ["three", "one"]
        await pilot.press("u")  # back to the mail just deleted, in its own mailbox
        await screen_until(pilot, lambda: showing(second, "two"))
        assert [m.subject for m in app.store.get(second).messages] == ["two"]

        await pilot.press("escape")  # the list's cursor follows the mail read last, in the second mailbox
        await screen_until(pilot, lambda: app.screen is screen)
        message_list = screen.query_one(MessageList)
        await screen_until(pilot, lambda: message_list.rows[message_list.cursor].subject == "two")


async def test_the_inbox_reader_still_steps_within_its_mailbox(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first, second = await _two_mailboxes(app, pilot)
        for address, subject in ((first, "one"), (second, "two"), (first, "three")):
            await _mail(app, server, address, subject)
        await pilot.press("j", "enter")  # the first mailbox's inbox (the row under All mailboxes)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.address == first)
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 2)
        await pilot.press("g", "enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.message is not None)
        reader = app.screen
        assert reader.message.subject == "three"
        await pilot.press("n")
        await screen_until(pilot, lambda: reader.message is not None and reader.message.subject == "one")
        assert reader.address == first
