"""The state file kept in step with the store, off the event loop and shared safely.

- A mailbox added, removed, given a new token or a new label / note is
  written at once (the
  command that caused it awaits :meth:`StateKeeper.flush`; a watcher's
  recovery kicks the background loop).
- A new expiry alone (every listing renews the session) only marks the file
  dirty: it is flushed at most once per ``flush_interval`` and on exit, so an
  arriving mail never waits for a file write.
- The file holds the mailboxes of every server; this keeper sees and writes
  only those of its own server (``server``, a :func:`tmtui.state.server_key`)
  and passes the others through untouched.
- Every write is a read-merge-write under the file's lock (see
  :mod:`tmtui.sync.merge`), done in a thread. The loop also notices when
  another process changed the file (a cheap ``stat`` each ``watch_interval``)
  and hands what it added or removed to ``on_external``.
- :meth:`StateKeeper.everything` and :meth:`StateKeeper.import_saved` read and
  add to the whole file, every server's mailboxes (``tmtui export`` / ``import``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from tmtui import paths, state
from tmtui.state import SavedMailbox
from tmtui.store import SessionStore
from tmtui.sync.merge import Imported, Merge, merge, merge_import

log = logging.getLogger("tmtui.sync")

FLUSH_INTERVAL = 30.0  # seconds between writes caused by expiry changes alone
WATCH_INTERVAL = 1.0  # seconds between looks at the file for other processes' changes

Signature = tuple[int, int, int] | None


def _signature(path: Path) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class StateKeeper:
    def __init__(self, store: SessionStore, *, server: str, enabled: bool = True, path: Path | None = None,
                 on_external: Callable[[Merge], None] = lambda _merge: None,
                 on_warning: Callable[[str], None] = lambda _text: None,
                 flush_interval: float = FLUSH_INTERVAL, watch_interval: float = WATCH_INTERVAL) -> None:
        self._store = store
        self.server = state.server_key(server)
        self.enabled = enabled
        self._path = path
        self._on_external = on_external
        self._on_warning = on_warning
        self._flush_interval = flush_interval
        self._watch_interval = watch_interval
        self._base: set[str] = set()
        self._forgotten: set[str] = set()
        self._retokened: set[str] = set()
        self._relabeled: set[str] = set()
        self._urgent = False
        self._dirty = False
        self._last_flush = float("-inf")
        self._seen: Signature = None
        self._kick = asyncio.Event()
        self._lock = asyncio.Lock()
        self._last_warning: str | None = None
        self.last_error: state.StateError | None = None  # the latest flush failed with this
        self.writes = 0  # files written by this process (benchmarks and tests read it)
        self.elsewhere = 0  # saved mailboxes that belong to other servers

    @property
    def path(self) -> Path:
        return self._path or paths.state_file()

    # What changed --------------------------------------------------------------

    def load(self) -> tuple[list[SavedMailbox], str | None]:
        """The saved mailboxes at start; they become the merge base."""
        if not self.enabled:
            return [], None
        saved, warning = state.load(self.path)
        mine, others = self._partition(saved)
        self._base = {m.address.lower() for m in mine}
        self._seen = _signature(self.path)
        self.elsewhere = len(others)
        return mine, warning

    def _partition(self, saved: list[SavedMailbox]) -> tuple[list[SavedMailbox], list[SavedMailbox]]:
        """This server's mailboxes (and unclaimed version 1 entries), and the others."""
        mine = [m for m in saved if m.server in (self.server, "")]
        return mine, [m for m in saved if m.server not in (self.server, "")]

    def added(self, address: str, *, retokened: bool = True) -> None:
        """A mailbox was added or got a new token: write it at once."""
        if retokened:
            self._retokened.add(address.lower())
        self._forgotten.discard(address.lower())
        self._urgent = True
        self._kick.set()

    def relabeled(self, address: str) -> None:
        """The user gave a mailbox a label or note: write it at once; it beats the file's."""
        self._relabeled.add(address.lower())
        self._urgent = True
        self._kick.set()

    def forgotten(self, address: str) -> None:
        self._forgotten.add(address.lower())
        self._retokened.discard(address.lower())
        self._relabeled.discard(address.lower())
        self._urgent = True
        self._kick.set()

    def expiry_changed(self) -> None:
        self._dirty = True  # written with the next flush; no hurry

    # Writing ---------------------------------------------------------------------

    async def run(self) -> None:
        """Write what is due and watch the file for other processes, until cancelled."""
        if not self.enabled:
            return
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kick.wait(), self._watch_interval)
            self._kick.clear()
            due = self._dirty and time.monotonic() - self._last_flush >= self._flush_interval
            if self._urgent or due or _signature(self.path) != self._seen:
                await self.flush()

    async def flush(self) -> None:
        """Merge with the file and write it (in a thread), if anything is pending."""
        if not self.enabled:
            return
        async with self._lock:
            pending = self._urgent or self._dirty or _signature(self.path) != self._seen
            if not pending:
                return
            forgotten, retokened, relabeled = self._forgotten, self._retokened, self._relabeled
            self._forgotten, self._retokened, self._relabeled = set(), set(), set()
            self._urgent = self._dirty = False
            ours = [SavedMailbox(m.address, m.sid_token, m.expires_at, self.server, m.label, m.note)
                    for m in self._store.mailboxes]
            try:
                result, written, signature, warning = await asyncio.to_thread(
                    self._merge_and_write, ours, forgotten, retokened, relabeled)
            except state.StateError as exc:
                self.last_error = exc
                # Keep what is pending: the next kick tries again.
                self._forgotten |= forgotten
                self._retokened |= retokened
                self._relabeled |= relabeled
                self._dirty = True
                self._warn(f"{exc}; mailboxes will not be remembered after tmtui exits")
                return
            self._last_flush = time.monotonic()
            self._last_warning = self.last_error = None
            self.writes += written
            self._base = {m.address.lower() for m in result.saved}
            self._seen = signature
            if warning:
                self._warn(warning)
        if result.external:
            self._on_external(result)

    def _merge_and_write(self, ours: list[SavedMailbox], forgotten: set[str], retokened: set[str],
                         relabeled: set[str]) -> tuple[Merge, int, Signature, str | None]:
        path = self.path
        with state.locked(path):
            existed = path.exists()
            disk, warning = state.load(path)
            mine, others = self._partition(disk)
            # A file that vanished or was unusable says nothing about removals:
            # merging against it as "removed elsewhere" would drop every mailbox.
            base = self._base if existed and warning is None else set()
            result = merge(base=base, disk=mine, ours=ours, forgotten=forgotten,
                           retokened=retokened, relabeled=relabeled)
            result.saved = [replace(m, server=self.server) for m in result.saved]  # claims v1 entries
            self.elsewhere = len(others)
            written = 0
            if [*others, *result.saved] != disk:
                state.save([*others, *result.saved], path)
                written = 1
            return result, written, _signature(path), warning

    def _warn(self, text: str) -> None:
        log.warning("%s", text)
        if text != self._last_warning:  # the user must know, once
            self._on_warning(text)
        self._last_warning = text

    # The whole registry (every server) -------------------------------------------------

    async def everything(self) -> list[SavedMailbox]:
        """Every saved mailbox of every server, after writing what is pending here."""
        await self.flush()
        if self.last_error is not None:
            raise self.last_error
        saved, warning = await asyncio.to_thread(state.load, self.path)
        if warning:
            self._warn(warning)
        return saved

    async def import_saved(self, entries: list[SavedMailbox]) -> Imported:
        """Add an exported registry to the file under its lock (see :func:`merge_import`).

        This store learns of what it changed for its own server on the next
        flush, as of any other process's change (a running TUI does the same).
        """
        if not self.enabled:
            raise state.StateError("saved mailboxes are off in this process")
        await self.flush()
        result, written, warning = await asyncio.to_thread(self._import, entries)
        if warning:
            self._warn(warning)
        self.writes += written
        return result

    def _import(self, entries: list[SavedMailbox]) -> tuple[Imported, int, str | None]:
        path = self.path
        with state.locked(path):
            disk, warning = state.load(path)
            result = merge_import(disk, entries, server=self.server)
            if result.saved == disk:
                return result, 0, warning
            state.save(result.saved, path)
            return result, 1, warning
