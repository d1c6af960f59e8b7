"""The one store -> UI path: a failing listener is a bug report, a burst is one message
that keeps every id."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from textual.message_pump import MessagePump

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import clock
from tmtui.api.models import MessagePage, MessageSummary
from tmtui.store import Change
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.inbox import InboxScreen


async def drained(node: MessagePump, timeout: float = 10.0) -> None:
    """Resolve once ``node`` has handled every message queued before this call."""
    done = asyncio.Event()
    node.call_later(done.set)
    await asyncio.wait_for(done.wait(), timeout)


async def test_a_listener_that_raises_never_takes_the_mailbox_offline(
        make_app, server, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()

    def broken(_change: Change) -> None:
        raise RuntimeError("a bug in a listener")

    states: list[str] = []
    app.store.subscribe(broken)
    app.store.subscribe(lambda _change: states.extend(m.connection for m in app.store.mailboxes))
    with caplog.at_level(logging.ERROR, logger="tmtui.store"):
        async with app.run_test(size=(100, 32)) as pilot:
            store = app.store
            await store_until(store, lambda: bool(store.mailboxes)
                              and store.mailboxes[0].connection == "live")
            mailbox = store.mailboxes[0]
            for subject in ("first", "second"):  # the watcher carries on after each failure
                await deliver(server.smtp_port, mailbox.address, build_mail(mailbox.address, subject=subject))
                await screen_until(pilot, lambda s=subject: s in screen_text(pilot))
            assert mailbox.connection == "live" and mailbox.detail == ""
    assert "offline" not in states and "reconnecting" not in states
    failures = [r for r in caplog.records if r.name == "tmtui.store"]
    assert failures and all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in failures)


def summary(message_id: str, minutes: int) -> MessageSummary:
    return MessageSummary(id=message_id, sender="Burst <b@example.org>", subject=f"burst {message_id}",
                          excerpt="", timestamp=clock.now() + timedelta(minutes=minutes), read=False,
                          has_attachment=False)


async def test_a_burst_of_changes_is_one_message_that_keeps_every_added_id(make_app) -> None:
    app = make_app()
    burst = "burst@a.test"  # a mailbox no watcher lists: only this test writes its rows
    handled: list[StoreChanged] = []

    def hook(message: object) -> None:
        if isinstance(message, StoreChanged) and message.address == burst:
            handled.append(message)

    async with app.run_test(size=(100, 32), message_hook=hook) as pilot:
        store = app.store
        store.add_mailbox(burst)
        store.replace_messages(burst, [])  # listed, and complete: what comes now is new mail
        app.open_inbox(burst)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                           and app.screen.address == burst and app.screen.is_current)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await drained(app)
        await drained(inbox)
        handled.clear()
        # Three listings land before the UI runs again (what the sync layer does in a burst).
        rows: list[MessageSummary] = []
        for n in range(1, 4):
            rows.insert(0, summary(f"burst-{n}", n))
            store.merge_page(burst, MessagePage(messages=tuple(rows), count=len(rows)), whole=True)
        await drained(app)
        await drained(inbox)
        # One message for the App and one for each screen that handles it (the first
        # run's own mailbox may have opened another inbox), each with all three ids.
        assert len(handled) >= 2
        assert {m.added for m in handled} == {("burst-1", "burst-2", "burst-3")}
        assert inbox.new_ids == {"burst-1", "burst-2", "burst-3"}

        def toasts() -> list[str]:  # shown after the frame with the rows
            return [str(n.message) for n in app._notifications if n.title.startswith("New mail")]

        await screen_until(pilot, lambda: bool(toasts()))
        assert toasts() == ["Burst <b@example.org>: burst burst-3 (+2 more)"]


def test_folding_store_messages_unites_what_they_carry() -> None:
    older = StoreChanged(Change("messages", "a@b.test", added=("1",), removed=("0",)))
    newer = StoreChanged(Change("connection", "a@b.test"))
    assert older.can_replace(newer)
    assert newer.change.kinds == {"messages", "connection"}
    assert newer.added == ("1",) and newer.removed == ("0",)
    assert not older.can_replace(StoreChanged(Change("messages", "c@d.test", added=("2",))))
