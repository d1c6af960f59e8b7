"""Keys typed faster than the screen draws go where the user meant: into the dialog the first key opens.

A terminal hands several keys over in one read when the user types fast (or
pastes). ``type_ahead`` delivers them that way: all queued before the app
handles the first one.
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_until, store_until, until
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

FILES = [("first.txt", b"one\n", "text/plain"), ("second.txt", b"two\n", "text/plain"),
         ("third.txt", b"three\n", "text/plain")]
LINKS = ("<p><a href='https://a.example/one'>one</a> <a href='https://b.example/two'>two</a> "
         "<a href='https://c.example/three'>three</a></p>")


CHARACTERS = {"enter": "\r", "space": " ", "escape": "\x1b"}


def type_ahead(app, *keys: str) -> None:
    """Queue every key at once, as a terminal delivers fast typing."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else CHARACTERS.get(key))
        event.set_sender(app)
        app._driver.send_message(event)


async def _reader(app, server, pilot, **mail: object) -> ReaderScreen:
    address = (await first_inbox(pilot)).address
    await deliver(server.smtp_port, address, build_mail(address, **mail))  # type: ignore[arg-type]
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_attachment_chooser_down_down_enter_saves_the_third(make_app, server, downloads: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _reader(app, server, pilot, subject="files", attachments=FILES)
        type_ahead(app, "a", "down", "down", "enter")
        # A save writes a hidden ``.part`` file first and renames it when complete.
        await until(lambda: downloads.is_dir() and any(not p.name.startswith(".") for p in downloads.iterdir()),
                    what="a saved file")
        await until(lambda: app.screen is reader)
        await pilot.pause()
        assert sorted(p.name for p in downloads.iterdir()) == ["third.txt"]


async def test_link_chooser_down_enter_copies_the_second(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _reader(app, server, pilot, subject="links", html=LINKS)
        type_ahead(app, "l", "down", "enter")
        await screen_until(pilot, lambda: app.screen is reader and app.clipboard.startswith("https://"))
        assert app.clipboard == "https://b.example/two"


async def test_delete_then_yes_typed_fast_answers_the_question(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        store = app.store
        mailbox = await first_inbox(pilot)
        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=f"m{n}")
                                                      for n in range(3)])
        messages = app.screen.query_one(MessageList)
        await screen_until(pilot, lambda: len(messages.rows) == 3)
        await pilot.press("space", "space")
        type_ahead(app, "d", "y")
        await store_until(store, lambda: len(mailbox.messages) == 1, what="the two marked deleted")
        assert app.clipboard != mailbox.address  # `y` answered the question, it did not copy


async def test_filter_typed_at_once_gets_every_character(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox = await first_inbox(pilot)
        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=s)
                                                      for s in ("json report", "alpha", "beta")])
        inbox = app.screen
        messages = inbox.query_one(MessageList)
        await screen_until(pilot, lambda: len(messages.rows) == 3)
        type_ahead(app, "slash", "j", "s", "o", "n")
        await screen_until(pilot, lambda: inbox.filter_text == "json", what="the whole filter typed")
        assert [r.subject for r in messages.rows] == ["json report"]
        assert messages.cursor == 0  # j went to the filter, not to the list


async def test_a_slash_typed_in_the_filter_is_text(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        inbox = app.screen
        await pilot.press("slash", "a", "slash", "b")
        assert inbox.filter_text == "a/b"
