"""Change: what moved in the SessionStore, and how changes fold into one.

The store emits one Change per write; :meth:`SessionStore.batch` and the UI's
burst merging (``StoreChanged.can_replace``) fold several into one. Folding
keeps everything: the ids of the parts are united, never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["mailboxes", "messages", "connection", "session", "catalog", "label"]


@dataclass(frozen=True, slots=True)
class Change:
    """What moved in the store, for one mailbox (``address``) or store-wide (None).

    - ``kind``: what moved. A merged change (a :meth:`SessionStore.batch`, or a
      burst the UI folded into one message) moved several kinds: the others
      are in ``also``; test with :meth:`touches`.
    - ``added``: ids of new mail, i.e. mail that arrived after the mailbox's
      first complete listing in this run. The one input of toasts, bell,
      auto-copy and the new-mail highlight.
    - ``backfill``: ids shown for the first time that are not new mail (the
      first listing, and the pages fetched behind it).
    - ``removed``: ids that left the mailbox.
    - ``initial``: this change carries the mailbox's first listing.

    Merged changes hold the union of the ids of their parts, so an id may be in
    both ``added`` and ``removed``: read the store for what is there now.
    """

    kind: ChangeKind
    address: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    initial: bool = False
    backfill: tuple[str, ...] = ()
    also: frozenset[ChangeKind] = frozenset()

    @property
    def kinds(self) -> frozenset[ChangeKind]:
        return self.also | {self.kind}

    def touches(self, *kinds: ChangeKind) -> bool:
        """Whether this change moved any of ``kinds``."""
        return self.kind in kinds or not self.also.isdisjoint(kinds)

    def merge(self, later: Change) -> Change:
        """One change that says everything ``self`` and then ``later`` said.

        Both must be about the same mailbox, or one of them store-wide (its
        address is None): the merged change keeps the mailbox's address.
        """
        if None not in (self.address, later.address) and self.address != later.address:
            raise ValueError("changes of two mailboxes do not merge")
        return Change(self.kind, self.address or later.address,
                      added=_union(self.added, later.added),
                      removed=_union(self.removed, later.removed),
                      initial=self.initial or later.initial,
                      backfill=_union(self.backfill, later.backfill),
                      also=(self.also | later.kinds) - {self.kind})


def merge_changes(changes: Sequence[Change]) -> list[Change]:
    """Fold changes into one per mailbox, in order of first appearance.

    Store-wide changes (the catalog) join the first mailbox's change, so a
    listing that also brought a new catalog is still one change.
    """
    merged: dict[str | None, Change] = {}
    for change in changes:
        key = change.address
        if key is None and merged:
            key = next(iter(merged))
        elif key is not None and None in merged and len(merged) == 1:
            merged[key] = merged.pop(None)  # an earlier store-wide change joins this mailbox
        earlier = merged.get(key)
        merged[key] = change if earlier is None else earlier.merge(change)
    return list(merged.values())


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    if not first or not second:
        return first or second
    return tuple(dict.fromkeys((*first, *second)))
