"""A closed reader is gone: nothing keeps the screen, its body or its text area alive.

Textual kept them: a thread worker's context in an idle pool thread, and a
text area's watcher on the app's theme (tmtui.ui.lifetimes). Each closed
reader with a 1 MB body made every full pass of the collector longer.
"""

from __future__ import annotations

import gc

from textual.widgets import TextArea

from tests.support.mail import build_mail, deliver
from tests.support.newsletter import newsletter
from tests.support.waiting import screen_until, store_until
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen


def _alive(kind: type) -> int:
    gc.collect()
    return sum(isinstance(item, kind) for item in gc.get_objects())


async def test_closed_readers_and_their_text_areas_are_freed(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        raw = build_mail(mailbox.address, subject="A newsletter", html=newsletter(300_000))
        await deliver(server.smtp_port, mailbox.address, raw)
        await store_until(store, lambda: len(mailbox.messages) == 1)
        for _ in range(3):
            await pilot.press("enter")
            await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
            await pilot.press("escape")
            await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        await screen_until(pilot, lambda: _alive(ReaderScreen) == 0 and _alive(TextArea) == 0,
                           what="no reader and no text area left alive")
