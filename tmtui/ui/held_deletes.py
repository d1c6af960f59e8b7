"""The app's side of held deletes: gone from the screen at once, sent to the server
after a hold that `u` can undo, with the notices that say so.

A base of :class:`tmtui.ui.app.TmtuiApp` (every screen calls these on ``self.app``);
the hold itself is :mod:`tmtui.sync.deletes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import App

from tmtui.humanize import describe
from tmtui.safety import sanitize_line

if TYPE_CHECKING:
    from tmtui.sync.deletes import HeldDelete
    from tmtui.sync.worker import SyncWorker

UNDO_HINT = " - u to undo"


class HeldDeletes(App[None]):
    sync: SyncWorker

    def delete_messages(self, address: str, ids: Sequence[str]) -> int:
        held = self.sync.deletes.hold(address, ids)
        if held is None:
            return 0
        self.say_deleted(len(held.rows))
        return len(held.rows)

    def say_deleted(self, count: int) -> None:
        """`Deleted 3 - u to undo`, shown while the delete is held."""
        self.notify(sanitize_line(f"Deleted {count}{UNDO_HINT}"), markup=False, timeout=self.sync.deletes.hold_seconds)

    def undo_delete(self, address: str) -> list[str]:
        """The ids put back by undoing the latest held delete of ``address`` (newest first)."""
        held = self.sync.deletes.undo(address)
        if held is None:
            self.notify("Nothing to undo", timeout=3)
            return []
        self.drop_undo_hints()
        self.notify(f"Restored {len(held.rows)}", markup=False, timeout=3)
        return held.ids

    def drop_undo_hints(self) -> None:
        """After an undo, no "u to undo" toast holds any more."""
        for shown in list(self._notifications):
            if str(shown.message).endswith(UNDO_HINT):
                self._unnotify(shown)

    def commit_deletes(self, address: str | None = None) -> None:
        if self.sync.deletes.held(address):
            self.run_worker(self.sync.deletes.commit(address), group="deletes", exit_on_error=False)

    def _delete_failed(self, held: HeldDelete, exc: BaseException) -> None:
        count = len(held.rows)
        self.notify(f"Could not delete {count} message{'s' if count != 1 else ''}: {describe(exc)}. "
                    "They are back in the list.", severity="error", markup=False, timeout=10)

