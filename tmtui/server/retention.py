"""Retention: messages expire, idle empty mailboxes go, free pages go back to the disk.

Policy (config.py, ``tmtui serve --help``, README):

- a message is deleted ``message_ttl_minutes`` after it arrived (default 24 h);
  its mailbox's streams get ``changed`` with reason ``expired``;
- a mailbox with no session and no mail is deleted once it has been idle
  (no arrival, no session ending) for ``mailbox_idle_minutes`` (default 24 h);
  reopening it then answers 404 MAILBOX_NOT_FOUND;
- sessions expire after ``ttl_minutes`` as before (sessions.py).

The sweep runs in the background in small batches (``sweep_batch`` rows per
transaction on the writer thread), so the event loop and other writes get
their turn between batches. A quick indexed read on the loop first tells
whether there is anything to do at all.
"""

from __future__ import annotations

from collections import Counter

from tmtui.server.core import ServerCore
from tmtui.server.storage import Storage

COMPACT_FREE_PAGES = 1024  # give pages back to the disk once this many are free


class Retention:
    def __init__(self, core: ServerCore) -> None:
        self._core = core
        self._config = core.config

    @property
    def interval(self) -> float:
        """Seconds between sweeps: a twentieth of the shortest retention time, within [sweep, 60 s]."""
        times = [t * 60 for t in (self._config.message_ttl_minutes, self._config.mailbox_idle_minutes) if t > 0]
        floor = self._config.sweep_interval
        return floor if not times else min(60.0, max(floor, min(times) / 20))

    def _message_cutoff(self) -> int | None:
        ttl = self._config.message_ttl_minutes
        return None if ttl <= 0 else int(self._core.now() - ttl * 60)

    def _idle_cutoff(self) -> float | None:
        idle = self._config.mailbox_idle_minutes
        return None if idle <= 0 else self._core.now() - idle * 60

    def _expired(self, gone: list[tuple[int, str]]) -> None:
        for (mailbox_id, folder), n in Counter(gone).items():
            self._core.publish_changed(mailbox_id, "expired", folder, -n)

    async def sweep(self) -> tuple[int, int]:
        """One pass: (messages expired, mailboxes purged)."""
        core, batch = self._core, self._config.sweep_batch
        expired = purged = 0
        cutoff = self._message_cutoff()
        while cutoff is not None and core.storage.any_message_before(cutoff):
            gone = await core.db.write(lambda s: s.expire_messages(cutoff, batch))
            self._expired(gone)
            expired += len(gone)
        idle = self._idle_cutoff()
        while idle is not None and core.storage.any_idle_mailbox(idle):
            # Under the lock: an action between "does it exist" and "use it" never loses its mailbox.
            async with core.mutations:
                purged += await core.db.write(lambda s: s.purge_idle_mailboxes(idle, batch))
        if core.storage.free_pages() >= COMPACT_FREE_PAGES:
            await core.db.write(Storage.compact)
        return expired, purged

    def sweep_blocking(self) -> tuple[int, int]:
        """The same, all at once, for the test controls (``advance_clock``)."""
        core, batch = self._core, self._config.sweep_batch
        cutoff, idle = self._message_cutoff(), self._idle_cutoff()
        gone: list[tuple[int, str]] = []
        purged = 0
        if cutoff is not None:
            while chunk := core.db.write_blocking(lambda s: s.expire_messages(cutoff, batch)):
                gone += chunk
        self._expired(gone)
        if idle is not None:
            while n := core.db.write_blocking(lambda s: s.purge_idle_mailboxes(idle, batch)):
                purged += n
        return len(gone), purged
