"""The inbox filter on the real app: what each key shows, keys typed at once, marks, a big mailbox.

The filter is an index (tmtui/ui/row_filter.py) and the rows of a big listing
are built in slices (tmtui/ui/row_cache.py); whatever the path, the list must
show what testing every row of the store would.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.support.mail import build_mail
from tests.support.waiting import first_inbox, screen_until
from tests.ui.test_typeahead import type_ahead
from tmtui.store import Mailbox
from tmtui.ui.row_cache import ROWS_PER_SLICE
from tmtui.ui.row_filter import matches, normal_query
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.widgets.message_list import MessageList, to_row

SUBJECTS = ("json report", "Jason's invoice", "alpha", "beta JSON", "gamma", "JSONL export")


def expected(inbox: InboxScreen, mailbox: Mailbox) -> list[str]:
    """The ids a naive filter shows: every message of the store, tested one by one."""
    query = normal_query(inbox.filter_text)
    return [m.id for m in mailbox.messages if not query or matches(to_row(m), query)]


def shown(messages: MessageList) -> list[str]:
    return [row.id for row in messages.rows]


async def _inbox(app, server, pilot, subjects: tuple[str, ...] = SUBJECTS,
                 ) -> tuple[Mailbox, InboxScreen, MessageList]:
    mailbox = await first_inbox(pilot)
    server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=s) for s in subjects])
    inbox = app.screen
    assert isinstance(inbox, InboxScreen)
    messages = inbox.query_one(MessageList)
    await screen_until(pilot, lambda: len(messages.rows) == len(subjects))
    return mailbox, inbox, messages


async def test_each_key_shows_what_a_naive_filter_would_and_new_mail_joins_the_filter(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, inbox, messages = await _inbox(app, server, pilot)
        await pilot.press("slash")
        typed = ""
        # Typed on (narrowing), cut back (widening), replaced, and blanks around it.
        for key in ("j", "s", "o", "n", "backspace", "backspace", "a", "backspace", "backspace", "space", "j",
                    "s", "o", "n", "l"):
            typed = typed[:-1] if key == "backspace" else typed + (" " if key == "space" else key)
            await pilot.press(key)
            await screen_until(pilot, lambda t=typed: inbox.filter_text == t, what=f"filter {typed!r}")
            assert shown(messages) == expected(inbox, mailbox), typed
        await pilot.press("backspace")  # "j json": the last query's matches are narrowed no more
        await screen_until(pilot, lambda: inbox.filter_text == typed[:-1])
        for _ in range(len(typed) - 1):
            await pilot.press("backspace")
        await pilot.press("j", "s", "o", "n")
        await screen_until(pilot, lambda: inbox.filter_text == "json")

        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=s)
                                                      for s in ("late json", "late other")])
        await screen_until(pilot, lambda: len(mailbox.messages) == len(SUBJECTS) + 2
                           and shown(messages) == expected(inbox, mailbox), what="the new mail filtered")
        subjects = [row.subject for row in messages.rows]
        assert "late json" in subjects and "late other" not in subjects


async def test_keys_typed_at_once_filter_once_for_the_last_of_them(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, inbox, messages = await _inbox(app, server, pilot)
        calls: list[str] = []
        refresh: Callable[[], None] = inbox.refresh_rows

        def counted() -> None:
            calls.append(inbox.filter_text)
            refresh()

        inbox.refresh_rows = counted  # type: ignore[method-assign]
        type_ahead(app, "slash", "j", "s", "o", "n", "l")
        await screen_until(pilot, lambda: inbox.filter_text == "jsonl", what="the whole filter typed")
        await pilot.pause()
        assert len(calls) < 5, calls  # five keys, queued together: not one filter each
        assert calls[-1] == "jsonl"
        assert [row.subject for row in messages.rows] == ["JSONL export"]
        assert shown(messages) == expected(inbox, mailbox)


async def test_marks_survive_the_filter_and_new_mail(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox, inbox, messages = await _inbox(app, server, pilot)
        await pilot.press("space", "space")  # the two newest: "JSONL export" and "gamma"
        marked = {m.id for m in mailbox.messages[:2]}
        assert messages.marked == marked
        await pilot.press("slash", "j", "s", "o", "n")  # hides "gamma"
        await screen_until(pilot, lambda: inbox.filter_text == "json")
        assert not marked <= set(shown(messages))
        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject="json late")])
        await screen_until(pilot, lambda: "json late" in [row.subject for row in messages.rows])
        await pilot.press("escape")  # clears the filter: every row back, the marks as they were
        await screen_until(pilot, lambda: inbox.filter_text == "" and len(messages.rows) == len(SUBJECTS) + 1)
        assert messages.marked == marked


async def test_a_big_mailbox_shows_every_row_in_order_and_filters(make_app, server) -> None:
    count = ROWS_PER_SLICE * 3 + 7  # built in slices, not at once
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        mailbox = await first_inbox(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        messages = inbox.query_one(MessageList)
        server.control.seed(mailbox.address, count)
        await pilot.press("r")  # a full listing: its pages land as one store change
        await screen_until(pilot, lambda: len(messages.rows) == count, timeout=30, what="every row")
        assert shown(messages) == [m.id for m in mailbox.messages]
        await pilot.press("slash", "1", "2")
        await screen_until(pilot, lambda: inbox.filter_text == "12")
        assert shown(messages) == expected(inbox, mailbox)
        assert 0 < len(messages.rows) < count
