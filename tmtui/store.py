"""SessionStore: the one source of truth that every screen shares.

It holds plain typed data: the known mailboxes with their session meta, the
message summaries of each, its connection state and the domain catalog. Only the
sync layer writes server state into it; the UI reads it and hears of every
:class:`Change` (the App subscribes once). It knows nothing of HTTP or Textual.

"New mail" is decided here, once: a change's ``added`` holds only mail that
arrived after the mailbox was first listed in this run. The rows of the first
listing and of the pages fetched behind it are ``backfill``: shown, never
announced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from tmtui.api.models import DomainCatalog, MessagePage, MessageSummary, Session
from tmtui.api.secret import Secret
from tmtui.changes import Change, ChangeKind, merge_changes

__all__ = ["Change", "ChangeKind", "ConnectionState", "Listener", "Mailbox", "Problem",
           "SessionStore"]

ConnectionState = Literal["connecting", "live", "polling", "reconnecting", "offline", "lost"]
Problem = Literal["takeover", "gone"]

log = logging.getLogger("tmtui.store")


@dataclass(slots=True)
class Mailbox:
    """One mailbox as the UI sees it. Mutated only through :class:`SessionStore`."""

    address: str
    sid_token: Secret | None = None
    expires_at: datetime | None = None
    event_token: Secret | None = None
    label: str = ""  # the user's name for it ("github sign-up"), one clean line; "" when none
    note: str = ""
    connection: ConnectionState = "connecting"
    detail: str = ""
    problem: Problem | None = None  # needs the user: take it back, or forget it
    retry_at: datetime | None = None  # offline: when the watcher tries again
    messages: list[MessageSummary] = field(default_factory=list)
    complete: bool = False
    listed: bool = False
    total: int | None = None
    hidden: set[str] = field(default_factory=set)
    """Ids this client deleted, or holds back to delete (undo): never shown again
    unless restored, even when a listing that raced the delete still has them."""

    @property
    def unread(self) -> int:
        return sum(1 for m in self.messages if not m.read)

    def index_of(self, message_id: str) -> int | None:
        for i, message in enumerate(self.messages):
            if message.id == message_id:
                return i
        return None


Listener = Callable[[Change], None]


def newest_first(messages: Iterable[MessageSummary]) -> list[MessageSummary]:
    """In order of arrival, newest first: server time, then the numeric id (ids grow)."""
    return sorted(messages, key=lambda m: (m.timestamp, _id_order(m.id)), reverse=True)


def _id_order(message_id: str) -> int:
    tail = message_id.rpartition(":")[2]
    return int(tail) if tail.isdigit() else -1


def _order(message: MessageSummary) -> tuple[datetime, int]:
    return message.timestamp, _id_order(message.id)


def _arrivals(mailbox: Mailbox, fresh: list[MessageSummary], *, initial: bool) -> list[MessageSummary]:
    """Which of the rows seen for the first time are new mail (the rest are backfill).

    None of the first listing. Once every page has been listed, all of them.
    In between (the pages behind the first are still being fetched, or failed
    to), only rows newer than every row already known: mail arrives at the top,
    while the older pages fill in below.
    """
    if initial:
        return []
    if mailbox.complete or not mailbox.messages:
        return fresh
    newest = _order(mailbox.messages[0])  # the list is kept newest first
    return [m for m in fresh if _order(m) > newest]


class SessionStore:
    def __init__(self) -> None:
        self._mailboxes: dict[str, Mailbox] = {}
        self._listeners: list[Listener] = []
        self._batch_depth = 0
        self._pending: list[Change] = []
        self.catalog: DomainCatalog | None = None

    # Reading ---------------------------------------------------------------

    @property
    def mailboxes(self) -> list[Mailbox]:
        return list(self._mailboxes.values())

    def get(self, address: str) -> Mailbox | None:
        return self._mailboxes.get(address.lower())

    def __contains__(self, address: str) -> bool:
        return address.lower() in self._mailboxes

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(change)`` after every change; returns a function that unsubscribes.

        Listeners run synchronously inside the writer's call (the sync layer,
        often under a watcher's lock): they must be quick, and whatever they
        raise is logged as a bug and goes no further.
        """
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Emit the changes made inside as one merged :class:`Change` per mailbox, at exit.

        For writes that belong together, such as a listing's session meta and
        its page: listeners hear of them once, when the store is consistent.
        Reads inside the block already see every write. Batches nest (the
        outermost one emits), and what was written is emitted even when the
        block raises. Keep the block synchronous (no ``await`` inside): the
        batch is the store's, not the task's, so another task's writes would
        be held back with it.

            with store.batch():
                store.update_meta(address, meta.expires_at, meta.event_token)
                store.merge_page(address, page, whole=whole)
        """
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._pending:
                pending, self._pending = self._pending, []
                for change in merge_changes(pending):
                    self._notify(change)

    def _emit(self, change: Change) -> None:
        if self._batch_depth:
            self._pending.append(change)
        else:
            self._notify(change)

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # a failing listener is a bug to report, never the writer's failure
                log.exception("store listener %r failed on %s change", listener, change.kind)

    # Writing (sync layer only) -------------------------------------------

    def add_mailbox(self, address: str, sid_token: Secret | None = None,
                    expires_at: datetime | None = None, *, label: str = "", note: str = "") -> Mailbox:
        key = address.lower()
        mailbox = self._mailboxes.get(key)
        if mailbox is None:
            mailbox = self._mailboxes[key] = Mailbox(key, sid_token, expires_at, label=label, note=note)
            self._emit(Change("mailboxes", key))
        return mailbox

    def set_label(self, address: str, label: str, note: str | None = None) -> bool:
        """Give a mailbox a label (and a note; None keeps the note). One ``label`` Change;
        returns whether anything changed. The caller cleans the text (:func:`tmtui.state.clean_label`)."""
        mailbox = self.get(address)
        if mailbox is None:
            return False
        note = mailbox.note if note is None else note
        if (mailbox.label, mailbox.note) == (label, note):
            return False
        mailbox.label, mailbox.note = label, note
        self._emit(Change("label", mailbox.address))
        return True

    def remove_mailbox(self, address: str) -> None:
        if self._mailboxes.pop(address.lower(), None) is not None:
            self._emit(Change("mailboxes", address.lower()))

    def apply_session(self, session: Session, previous_address: str | None = None) -> Mailbox:
        """Record a session for its address; a renamed session moves its mailbox entry."""
        key = session.address.lower()
        carried = ("", "")
        if previous_address and previous_address.lower() != key:
            old = self.get(previous_address)
            carried = (old.label, old.note) if old is not None else carried
            self.remove_mailbox(previous_address)
        mailbox = self.add_mailbox(key, label=carried[0], note=carried[1])
        mailbox.sid_token = session.sid_token
        self._apply_meta(mailbox, session.meta.expires_at, session.meta.event_token)
        if session.catalog is not None:
            self.set_catalog(session.catalog)
        return mailbox

    def update_meta(self, address: str, expires_at: datetime | None,
                    event_token: Secret | None) -> None:
        mailbox = self.get(address)
        if mailbox is not None:
            self._apply_meta(mailbox, expires_at, event_token)

    def _apply_meta(self, mailbox: Mailbox, expires_at: datetime | None,
                    event_token: Secret | None) -> None:
        """Quietly: every listing renews the session, and the screens' countdowns
        tick each second anyway, so a renewal alone is no change to announce
        (it would double the store changes of every arriving mail)."""
        if expires_at is not None and expires_at != mailbox.expires_at:
            mailbox.expires_at = expires_at
        if event_token and event_token != mailbox.event_token:
            mailbox.event_token = event_token

    def set_catalog(self, catalog: DomainCatalog) -> None:
        if catalog != self.catalog:
            self.catalog = catalog
            self._emit(Change("catalog"))

    def set_connection(self, address: str, state: ConnectionState, detail: str = "",
                       problem: Problem | None = None, retry_at: datetime | None = None) -> None:
        mailbox = self.get(address)
        if mailbox is None:
            return
        now = (state, detail, problem, retry_at)
        if (mailbox.connection, mailbox.detail, mailbox.problem, mailbox.retry_at) != now:
            mailbox.connection, mailbox.detail, mailbox.problem, mailbox.retry_at = now
            self._emit(Change("connection", mailbox.address))

    def replace_messages(self, address: str, messages: Iterable[MessageSummary]) -> None:
        """Authoritative full listing: rows not in it are gone."""
        mailbox = self.get(address)
        if mailbox is None:
            return
        self._set_messages(mailbox, newest_first(messages))
        mailbox.complete, mailbox.total = True, len(mailbox.messages)

    def merge_page(self, address: str, page: MessagePage, *, whole: bool) -> None:
        """Reconcile with the newest page: add, drop and update rows inside its window.

        ``whole`` says the page is the entire mailbox, so rows missing from it
        are gone; otherwise it speaks only for rows newer than its oldest one.
        """
        mailbox = self.get(address)
        if mailbox is None:
            return
        if whole:
            self.replace_messages(address, page.messages)
            return
        fresh = newest_first(page.messages)
        in_page = {m.id for m in fresh}
        oldest = fresh[-1].timestamp if fresh else None
        # Rows strictly newer than the page's oldest row must be in the page, or
        # they were deleted; rows at the boundary or older are outside its window.
        kept = [m for m in mailbox.messages
                if m.id not in in_page and (oldest is None or m.timestamp <= oldest)]
        self._set_messages(mailbox, newest_first([*fresh, *kept]))

    def _set_messages(self, mailbox: Mailbox, messages: list[MessageSummary]) -> None:
        initial, mailbox.listed = not mailbox.listed, True
        if mailbox.hidden:
            messages = [m for m in messages if m.id not in mailbox.hidden]
        if messages == mailbox.messages and not initial:
            return
        before = {m.id for m in mailbox.messages}
        after = {m.id for m in messages}
        fresh = [m for m in messages if m.id not in before]
        arrived = {m.id for m in _arrivals(mailbox, fresh, initial=initial)}
        mailbox.messages = messages
        self._emit(Change("messages", mailbox.address,
                          added=tuple(m.id for m in fresh if m.id in arrived),
                          removed=tuple(before - after), initial=initial,
                          backfill=tuple(m.id for m in fresh if m.id not in arrived)))

    def remove_messages(self, address: str, ids: Iterable[str]) -> list[MessageSummary]:
        """Rows this client deleted (or holds back to delete): gone, and kept out of later
        listings until :meth:`restore_messages`. Returns the rows removed, newest first."""
        mailbox = self.get(address)
        if mailbox is None:
            return []
        gone = set(ids)
        mailbox.hidden |= gone
        removed = [m for m in mailbox.messages if m.id in gone]
        if removed:
            mailbox.messages = [m for m in mailbox.messages if m.id not in gone]
            if mailbox.total is not None:
                mailbox.total = max(0, mailbox.total - len(removed))
            self._emit(Change("messages", mailbox.address, removed=tuple(m.id for m in removed)))
        return removed

    def restore_messages(self, address: str, rows: Iterable[MessageSummary]) -> None:
        """Put back rows taken out by :meth:`remove_messages` (an undone or failed delete).

        They come back as they were, never as new mail (``backfill``).
        """
        mailbox = self.get(address)
        if mailbox is None:
            return
        rows = list(rows)
        mailbox.hidden -= {m.id for m in rows}
        present = {m.id for m in mailbox.messages}
        back = [m for m in rows if m.id not in present]
        if back:
            mailbox.messages = newest_first([*mailbox.messages, *back])
            if mailbox.total is not None:
                mailbox.total += len(back)
            self._emit(Change("messages", mailbox.address, backfill=tuple(m.id for m in back)))

    def mark_read(self, address: str, message_id: str) -> None:
        mailbox = self.get(address)
        if mailbox is None:
            return
        index = mailbox.index_of(message_id)
        if index is not None and not mailbox.messages[index].read:
            mailbox.messages[index] = replace(mailbox.messages[index], read=True)
            self._emit(Change("messages", mailbox.address))

    def set_token(self, address: str, sid_token: Secret | None, expires_at: datetime | None) -> None:
        """Another process reopened this mailbox: use its session from now on."""
        mailbox = self.get(address)
        if mailbox is not None and mailbox.sid_token != sid_token:
            mailbox.sid_token, mailbox.event_token = sid_token, None
            self._apply_meta(mailbox, expires_at, None)
            self._emit(Change("session", mailbox.address))
