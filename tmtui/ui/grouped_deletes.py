"""One `d` over rows of several mailboxes (All mailboxes), and one `u` that undoes all of it.

The core holds deletes per mailbox (:class:`~tmtui.sync.deletes.HeldDeletes`):
a `d` on marked rows of three mailboxes holds three. This remembers which were
held together, so `u` puts all of them back, as it does for one mailbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tmtui.sync.deletes import HeldDelete, HeldDeletes


class GroupedDeletes:
    def __init__(self, deletes: HeldDeletes) -> None:
        self.deletes = deletes
        self._groups: list[list[HeldDelete]] = []

    def hold(self, ids: Mapping[str, Sequence[str]]) -> int:
        """Hold the deletes of ``{address: ids}`` as one; returns how many messages left the store."""
        group = [held for address, some in ids.items() if (held := self.deletes.hold(address, some)) is not None]
        if not group:
            return 0
        still = set(self.deletes.held())  # groups already sent (or undone) are forgotten
        self._groups = [g for g in self._groups if any(h in still for h in g)] + [group]
        return sum(len(held.rows) for held in group)

    def undo(self) -> list[HeldDelete] | None:
        """Put back the latest held delete of any mailbox, with the rest of its group; None if none is held.

        A delete held elsewhere (the reader's `d`) has no group: it comes back alone.
        """
        held = self.deletes.held()
        if not held:
            return None
        latest = held[-1]
        group = next((g for g in self._groups if latest in g), [latest])
        self._groups = [g for g in self._groups if g is not group]
        # Held together, one per mailbox, and the latest among them is the latest of all:
        # each is its mailbox's latest, which is what undo(address) takes back.
        return [h for h in group if h in held and self.deletes.undo(h.address) is not None]
