"""SessionStore reconciliation: add, remove and update rows, never duplicate them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tmtui.api.models import DomainCatalog, MessagePage, MessageSummary
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
    assert changes[-1].initial and set(changes[-1].backfill) == {"1", "2", "3"}
    assert changes[-1].added == ()  # the first listing is never new mail
    store.merge_page("a@b.test", page(msg(1), msg(3), msg(2), msg(4)), whole=True)
    assert changes[-1].added == ("4",) and changes[-1].backfill == () and not changes[-1].initial


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


# New mail vs backfill (issue 11 item 2) --------------------------------------------


def test_pages_behind_the_first_listing_are_backfill_never_new_mail() -> None:
    store, changes = store_with()
    # First page (the newest three), then the whole mailbox once every page is fetched.
    store.merge_page("a@b.test", page(msg(9), msg(8), msg(7)), whole=False)
    assert changes[-1].initial and changes[-1].added == ()
    store.replace_messages("a@b.test", [msg(n) for n in range(1, 10)])
    assert changes[-1].added == () and set(changes[-1].backfill) == {str(n) for n in range(1, 7)}
    # Listed completely: from now on every row seen for the first time is new mail.
    store.merge_page("a@b.test", page(msg(10), msg(9), msg(8)), whole=False)
    assert changes[-1].added == ("10",) and changes[-1].backfill == ()


def test_before_the_listing_completes_only_rows_above_the_known_ones_are_new() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(9), msg(8), msg(7)), whole=False)
    # The paging failed; the next round brings a new mail on top and, after a
    # delete elsewhere, an older row into the newest page's window.
    store.merge_page("a@b.test", page(msg(10), msg(9), msg(8), msg(6)), whole=False)
    assert changes[-1].added == ("10",) and changes[-1].backfill == ("6",)


def test_mail_into_an_empty_mailbox_is_new() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(), whole=True)
    assert changes[-1].initial and changes[-1].added == ()
    store.merge_page("a@b.test", page(msg(1)), whole=False)
    assert changes[-1].added == ("1",)


# Listeners ---------------------------------------------------------------------------


def test_a_failing_listener_is_logged_as_a_bug_and_never_reaches_the_writer(
        caplog: pytest.LogCaptureFixture) -> None:
    store, _changes = store_with()

    def broken(_change: Change) -> None:
        raise RuntimeError("listener bug")

    store.subscribe(broken)
    after: list[Change] = []
    store.subscribe(after.append)
    with caplog.at_level("ERROR", logger="tmtui.store"):
        store.merge_page("a@b.test", page(msg(1)), whole=True)  # must not raise
    assert ids(store) == ["1"]
    assert len(after) == 1 and after[0].kind == "messages"  # later listeners still hear of it
    [record] = [r for r in caplog.records if r.name == "tmtui.store"]
    assert record.exc_info is not None and "listener bug" in str(record.exc_info[1])


# Batches -----------------------------------------------------------------------------


def test_a_batch_emits_one_change_with_every_kind_and_id() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(1), msg(2)), whole=True)
    before = len(changes)
    with store.batch():
        store.set_connection("a@b.test", "live")
        store.merge_page("a@b.test", page(msg(3), msg(2)), whole=True)
        store.merge_page("a@b.test", page(msg(4), msg(3), msg(2)), whole=True)
        assert ids(store) == ["4", "3", "2"]  # reads inside the batch see every write
        assert len(changes) == before
    [change] = changes[before:]
    assert change.address == "a@b.test"
    assert change.kinds == {"connection", "messages"} and change.touches("messages")
    assert not change.touches("session", "catalog")
    assert change.added == ("3", "4") and change.removed == ("1",)


def test_nested_batches_emit_once_at_the_outermost_exit_even_on_error() -> None:
    store, changes = store_with()
    store.merge_page("a@b.test", page(msg(1)), whole=True)
    before = len(changes)
    try:
        with store.batch():
            with store.batch():
                store.merge_page("a@b.test", page(msg(2), msg(1)), whole=True)
            assert len(changes) == before
            raise ValueError("the sync layer failed half way")
    except ValueError:
        pass
    [change] = changes[before:]
    assert change.added == ("2",)


def test_a_batch_over_two_mailboxes_emits_one_change_each_and_the_catalog_joins_the_first() -> None:
    store, changes = store_with()
    store.add_mailbox("c@d.test")
    before = len(changes)
    with store.batch():
        store.set_catalog(DomainCatalog(domains=("b.test",), default_domain="b.test"))
        store.set_connection("a@b.test", "live")
        store.set_connection("c@d.test", "polling")
        store.merge_page("a@b.test", page(msg(1)), whole=True)
    first, second = changes[before:]
    assert (first.address, first.kinds) == ("a@b.test", {"catalog", "connection", "messages"})
    assert (second.address, second.kinds) == ("c@d.test", {"connection"})


def test_an_empty_batch_emits_nothing() -> None:
    store, changes = store_with()
    with store.batch():
        store.set_connection("a@b.test", "connecting")  # no change: already connecting
    assert changes == []


def test_merging_changes_unites_their_ids_and_refuses_two_mailboxes() -> None:
    first = Change("messages", "a@b.test", added=("1", "2"), backfill=("0",))
    second = Change("messages", "a@b.test", added=("2", "3"), removed=("1",))
    merged = first.merge(second)
    assert merged.added == ("1", "2", "3") and merged.removed == ("1",) and merged.backfill == ("0",)
    assert Change("connection", "a@b.test").merge(Change("catalog")).kinds == {"connection", "catalog"}
    with pytest.raises(ValueError):
        first.merge(Change("messages", "c@d.test"))


def test_a_renewal_alone_is_recorded_quietly() -> None:
    """Every listing renews the session: announcing it would double each mail's changes."""
    store, changes = store_with()
    before = len(changes)
    store.update_meta("a@b.test", T0 + timedelta(hours=2), None)
    assert store.get("a@b.test").expires_at == T0 + timedelta(hours=2)
    assert len(changes) == before
