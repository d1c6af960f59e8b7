"""Rows this client deleted (or holds back to delete) stay out of the store until restored."""

from __future__ import annotations

from tests.core.test_store import ids, msg, page, store_with


def test_a_listing_that_races_a_delete_does_not_bring_the_rows_back() -> None:
    store, changes = store_with()
    store.replace_messages("a@b.test", [msg(1), msg(2), msg(3)])
    removed = store.remove_messages("a@b.test", ["2", "3"])
    assert [m.id for m in removed] == ["3", "2"] and changes[-1].removed == ("3", "2")
    # The server has not deleted them yet (the delete is held, or on its way).
    store.merge_page("a@b.test", page(msg(1), msg(2), msg(3)), whole=False)
    store.replace_messages("a@b.test", [msg(1), msg(2), msg(3)])
    assert ids(store) == ["1"]
    assert store.get("a@b.test").total == 1  # type: ignore[union-attr]


def test_restored_rows_come_back_in_order_and_are_not_new_mail() -> None:
    store, changes = store_with()
    store.replace_messages("a@b.test", [msg(1), msg(2), msg(3)])
    removed = store.remove_messages("a@b.test", ["2"])
    store.restore_messages("a@b.test", removed)
    assert ids(store) == ["3", "2", "1"]
    assert changes[-1].added == () and changes[-1].backfill == ("2",)
    store.replace_messages("a@b.test", [msg(1), msg(2), msg(3)])  # listed again: shown again
    assert ids(store) == ["3", "2", "1"]
