"""SessionStore reconciliation: add, remove and update rows, never duplicate them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tmtui.api.models import MessagePage, MessageSummary
from tmtui.store import Change, SessionStore

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def msg(n: int, *, read: bool = False, minutes: int | None = None) -> MessageSummary:
    return MessageSummary(id=str(n), sender="s", subject=f"m{n}", excerpt="",
                          timestamp=T0 + timedelta(minutes=n if minutes is None else minutes),
                          read=read, has_attachment=False)


def page(*messages: MessageSummary) -> MessagePage:
    return MessagePage(messages=tuple(messages), count=len(messages))


def store_with(address: str = "a@b.test") -> tuple[SessionStore, list[Change]]:
    store = SessionStore()
    store.add_mailbox(address)
    changes: list[Change] = []
    store.subscribe(changes.append)
    return store, changes


def ids(store: SessionStore) -> list[str]:
    return [m.id for m in store.get("a@b.test").messages]  # type: ignore[union-attr]


def test_whole_page_replaces_newest_first_and_reports_added() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(1), msg(3), msg(2)), whole=True)
    assert ids(store) == ["3", "2", "1"]
    assert set(changes[-1].added) == {"1", "2", "3"}


def test_partial_page_drops_deleted_rows_in_its_window_and_keeps_older_ones() -> None:
    store, _ = store_with()
    store.replace_messages("a@b.test", [msg(n) for n in range(1, 11)])
    # Newest page now: 11 (new), 10, 8, 7 (9 was deleted). Rows older than 7 are outside it.
    store.merge_page("a@b.test", page(msg(11), msg(10), msg(8), msg(7)), whole=False)
    assert ids(store) == ["11", "10", "8", "7", "6", "5", "4", "3", "2", "1"]


def test_read_flags_update_without_duplicates() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(1), msg(2)), whole=True)
    store.merge_page("a@b.test", page(msg(1, read=True), msg(2)), whole=True)
    assert ids(store) == ["2", "1"]
    assert store.get("a@b.test").messages[1].read  # type: ignore[union-attr]
    assert changes[-1].added == () and changes[-1].removed == ()


def test_no_change_emits_nothing() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(1)), whole=True)
    before = len(changes)
    store.merge_page("a@b.test", page(msg(1)), whole=True)
    assert len(changes) == before


def test_rows_at_the_page_boundary_timestamp_are_kept() -> None:
    store, _ = store_with()
    store.replace_messages("a@b.test", [msg(1, minutes=5), msg(2, minutes=5), msg(3, minutes=6)])
    store.merge_page("a@b.test", page(msg(3, minutes=6), msg(2, minutes=5)), whole=False)
    assert sorted(ids(store)) == ["1", "2", "3"]


def test_remove_and_mark_read() -> None:
    store, changes = store_with()
    store.replace_messages("a@b.test", [msg(1), msg(2)])
    store.mark_read("a@b.test", "1")
    assert store.get("a@b.test").unread == 1  # type: ignore[union-attr]
    store.remove_messages("a@b.test", ["2", "nope"])
    assert ids(store) == ["1"]
    assert changes[-1].removed == ("2",)


def test_addresses_are_case_insensitive_and_renames_move_the_entry() -> None:
    store, _ = store_with("A@B.test")
    assert "a@b.test" in store and store.get("A@B.TEST") is not None
    store.remove_mailbox("a@b.test")
    assert store.mailboxes == []
