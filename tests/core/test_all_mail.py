"""One inbox for all: every mailbox's mail newest first, each row with its mailbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.support.mail import build_mail, deliver
from tests.support.waiting import store_until
from tmtui.all_mail import MailRow, all_mail, moves_all_mail, unread_everywhere
from tmtui.api.models import MessagePage, MessageSummary
from tmtui.changes import Change
from tmtui.server.runner import ReferenceServer
from tmtui.store import SessionStore
from tmtui.sync import SyncWorker
from tmtui.sync.policy import StreamPolicy

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def msg(n: int, seconds: int, *, read: bool = False) -> MessageSummary:
    return MessageSummary(id=str(n), sender="s", subject=f"m{n}", excerpt="",
                          timestamp=T0 + timedelta(seconds=seconds), read=read, has_attachment=False)


def fill(store: SessionStore, address: str, messages: list[MessageSummary], label: str = "") -> None:
    store.add_mailbox(address, label=label)
    store.merge_page(address, MessagePage(messages=tuple(messages), count=len(messages)), whole=True)


def test_rows_are_newest_first_across_mailboxes_and_carry_their_mailbox() -> None:
    store = SessionStore()
    fill(store, "a@x.test", [msg(1, 10), msg(4, 40, read=True)], label="github")
    fill(store, "b@x.test", [msg(1, 20), msg(3, 30)])  # id 1 again: ids are per mailbox
    rows = all_mail(store.mailboxes)
    assert [(r.address, r.message.id) for r in rows] == [
        ("a@x.test", "4"), ("b@x.test", "3"), ("b@x.test", "1"), ("a@x.test", "1")]
    assert [r.mailbox for r in rows] == ["github", "b@x.test", "b@x.test", "github"]
    assert len({r.key for r in rows}) == 4  # (address, id) tells the two "1"s apart
    assert unread_everywhere(store.mailboxes) == 3
    assert all_mail([]) == []


def test_which_changes_move_the_combined_view() -> None:
    assert moves_all_mail(Change("messages", "a@x.test"))
    assert moves_all_mail(Change("label", "a@x.test")) and moves_all_mail(Change("mailboxes", "a@x.test"))
    assert moves_all_mail(Change("connection", "a@x.test", also=frozenset({"messages"})))
    assert not moves_all_mail(Change("connection", "a@x.test")) and not moves_all_mail(Change("catalog"))


MAILBOX = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 1000)), max_size=12)


@given(st.lists(MAILBOX, max_size=5))
def test_nothing_is_lost_and_every_row_is_no_newer_than_the_one_above(mailboxes: list[list[tuple[int, int]]]) -> None:
    store = SessionStore()
    for index, rows in enumerate(mailboxes):
        fill(store, f"m{index}@x.test", [msg(n, seconds) for n, seconds in dict(rows).items()])
    combined = all_mail(store.mailboxes)
    expected = {(m.address, s.id) for m in store.mailboxes for s in m.messages}
    assert [r.key for r in combined] == list(dict.fromkeys(r.key for r in combined))  # no duplicates
    assert {r.key for r in combined} == expected
    times = [r.message.timestamp for r in combined]
    assert times == sorted(times, reverse=True)
    for mailbox in store.mailboxes:  # each mailbox's own order is kept
        assert [r.message for r in combined if r.address == mailbox.address] == mailbox.messages


# -- live, on the real server -------------------------------------------------------------------


async def test_mail_delivered_to_several_mailboxes_lands_in_order_with_its_label(
        core: SyncWorker, server: ReferenceServer) -> None:
    first = await core.create_custom("first", "a.test", label="github")
    second = await core.create_custom("second", "b.test")
    await store_until(core.store, lambda: all(m.connection == "live" for m in core.store.mailboxes))
    order = [first, second, first, second]
    for n, address in enumerate(order):
        await deliver(server.smtp_port, address, build_mail(address, subject=f"mail {n}"))
        await store_until(core.store, lambda n=n: len(all_mail(core.store.mailboxes)) == n + 1)
    rows: list[MailRow] = all_mail(core.store.mailboxes)
    assert [(r.mailbox, r.message.subject) for r in rows] == [
        ("second@b.test", "mail 3"), ("github", "mail 2"), ("second@b.test", "mail 1"), ("github", "mail 0")]
    assert unread_everywhere(core.store.mailboxes) == 4
    newest = rows[0]
    await core.delete(newest.address, [newest.message.id])  # what `d` on a row does
    await core.label(first, "renamed")
    assert [(r.mailbox, r.message.subject) for r in all_mail(core.store.mailboxes)] == [
        ("renamed", "mail 2"), ("second@b.test", "mail 1"), ("renamed", "mail 0")]


def test_focus_all_keeps_every_mailbox_fast_within_the_stream_budget() -> None:
    policy = StreamPolicy(lambda: ["a@x.test", "b@x.test", "c@x.test"], sse=True, max_streams=2)
    policy.focus("c@x.test")  # one inbox open: it streams first, the others poll slowly
    assert [policy.is_focused(a) for a in ("a@x.test", "b@x.test", "c@x.test")] == [False, False, True]
    assert [policy.may_stream(a) for a in ("a@x.test", "b@x.test", "c@x.test")] == [True, False, True]
    policy.focus_all()  # All mailboxes: every one is polled at the fast rate, streams stay at two
    assert all(policy.is_focused(a) for a in ("a@x.test", "b@x.test", "c@x.test"))
    assert [policy.may_stream(a) for a in ("a@x.test", "b@x.test", "c@x.test")] == [True, True, False]
    policy.focus("b@x.test")  # back to one
    assert not policy.is_focused("a@x.test") and policy.may_stream("b@x.test")
