"""Deletes that can be undone for a few seconds: the TUI's `d` and `u`.

The rows leave the store at once (kept out of listings that race the delete),
and the server is asked only when the hold ends, or at once when the user
leaves the mailbox or the app; an undo before that puts the rows back and the
server never hears of it. A delete the server refuses puts the rows back too,
and ``on_failure`` says why: nothing is lost silently. Scripts (``tmtui rm``)
delete at once with :meth:`~tmtui.sync.worker.SyncWorker.delete`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from tmtui.api.models import MessageSummary
from tmtui.store import SessionStore

log = logging.getLogger("tmtui.sync")

HOLD_SECONDS = 5.0

Delete = Callable[[str, Sequence[str]], Awaitable[object]]


@dataclass(eq=False)
class HeldDelete:
    """One `d`: the rows of one mailbox, out of sight, not yet deleted on the server."""

    address: str
    rows: list[MessageSummary]
    timer: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.rows]


class HeldDeletes:
    """The held deletes of every mailbox, each sent when its hold ends (or sooner)."""

    def __init__(self, store: SessionStore, delete: Delete, *, hold_seconds: float = HOLD_SECONDS) -> None:
        self.store = store
        self._delete = delete  # the immediate delete, which also keeps the ids out of the store
        self.hold_seconds = hold_seconds
        self.on_failure: Callable[[HeldDelete, BaseException], None] = lambda _held, _exc: None
        self._held: list[HeldDelete] = []
        self._sending: dict[asyncio.Task[None], str] = {}  # on their way: task -> address

    def hold(self, address: str, ids: Sequence[str]) -> HeldDelete | None:
        """Take the rows out of the store now; delete them on the server after the hold.

        None when none of ``ids`` is in the mailbox any more.
        """
        rows = self.store.remove_messages(address, ids)
        if not rows:
            return None
        held = HeldDelete(address.lower(), rows)
        held.timer = asyncio.get_running_loop().create_task(self._send_later(held), name="held delete")
        self._held.append(held)
        return held

    def held(self, address: str | None = None) -> list[HeldDelete]:
        return [h for h in self._held if address is None or h.address == address.lower()]

    def undo(self, address: str | None = None) -> HeldDelete | None:
        """Put back the rows of the latest held delete (of ``address``); None if there is none."""
        for held in reversed(self.held(address)):
            self._take(held)
            self.store.restore_messages(held.address, held.rows)
            return held
        return None

    async def commit(self, address: str | None = None) -> None:
        """Send every held delete (of ``address``) now, and wait for those already on their way."""
        for held in self.held(address):
            self._take(held)
            self._start(held)
        pending = [task for task, where in self._sending.items() if address is None or where == address.lower()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _take(self, held: HeldDelete) -> None:
        self._held.remove(held)
        if held.timer is not None:
            held.timer.cancel()  # still waiting out its hold: nothing was sent

    def _start(self, held: HeldDelete) -> None:
        task = asyncio.get_running_loop().create_task(self._send(held), name="delete")
        self._sending[task] = held.address
        task.add_done_callback(lambda done: self._sending.pop(done, None))

    async def _send_later(self, held: HeldDelete) -> None:
        await asyncio.sleep(self.hold_seconds)
        if held in self._held:
            self._held.remove(held)
            self._start(held)

    async def _send(self, held: HeldDelete) -> None:
        try:
            await self._delete(held.address, held.ids)
        except Exception as exc:  # whatever failed, the rows come back and the user is told
            log.info("held delete of %d failed: %s", len(held.rows), type(exc).__name__)
            self.store.restore_messages(held.address, held.rows)
            self.on_failure(held, exc)
