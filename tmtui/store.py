"""SessionStore: the one source of truth that every screen shares.

It holds plain typed data: the known mailboxes with their session meta, the
message summaries of each, its connection state and the domain catalog. Only the
sync layer writes server state into it; screens read it and subscribe to
:class:`Change` notifications. It knows nothing of HTTP or Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from tmtui.api.models import DomainCatalog, MessagePage, MessageSummary, Session
from tmtui.api.secret import Secret

ConnectionState = Literal["connecting", "live", "polling", "reconnecting", "offline", "lost"]
Problem = Literal["takeover", "gone"]
ChangeKind = Literal["mailboxes", "messages", "connection", "session", "catalog"]


@dataclass(frozen=True, slots=True)
class Change:
    """What moved in the store. ``added`` lists message ids that are new to the mailbox."""

    kind: ChangeKind
    address: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    initial: bool = False  # the mailbox's first listing: its rows are not "new mail"


@dataclass(slots=True)
class Mailbox:
    """One mailbox as the UI sees it. Mutated only through :class:`SessionStore`."""

    address: str
    sid_token: Secret | None = None
    expires_at: datetime | None = None
    event_token: Secret | None = None
    connection: ConnectionState = "connecting"
    detail: str = ""
    problem: Problem | None = None  # needs the user: take it back, or forget it
    messages: list[MessageSummary] = field(default_factory=list)
    complete: bool = False
    listed: bool = False
    total: int | None = None

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


class SessionStore:
    def __init__(self) -> None:
        self._mailboxes: dict[str, Mailbox] = {}
        self._listeners: list[Listener] = []
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
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _emit(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # Writing (sync layer only) -------------------------------------------

    def add_mailbox(self, address: str, sid_token: Secret | None = None,
                    expires_at: datetime | None = None) -> Mailbox:
        key = address.lower()
        mailbox = self._mailboxes.get(key)
        if mailbox is None:
            mailbox = self._mailboxes[key] = Mailbox(key, sid_token, expires_at)
            self._emit(Change("mailboxes", key))
        return mailbox

    def remove_mailbox(self, address: str) -> None:
        if self._mailboxes.pop(address.lower(), None) is not None:
            self._emit(Change("mailboxes", address.lower()))

    def apply_session(self, session: Session, previous_address: str | None = None) -> Mailbox:
        """Record a session for its address; a renamed session moves its mailbox entry."""
        key = session.address.lower()
        if previous_address and previous_address.lower() != key:
            self.remove_mailbox(previous_address)
        mailbox = self.add_mailbox(key)
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
        changed = False
        if expires_at is not None and expires_at != mailbox.expires_at:
            mailbox.expires_at, changed = expires_at, True
        if event_token and event_token != mailbox.event_token:
            mailbox.event_token = event_token
        if changed:
            self._emit(Change("session", mailbox.address))

    def set_catalog(self, catalog: DomainCatalog) -> None:
        if catalog != self.catalog:
            self.catalog = catalog
            self._emit(Change("catalog"))

    def set_connection(self, address: str, state: ConnectionState, detail: str = "",
                       problem: Problem | None = None) -> None:
        mailbox = self.get(address)
        if mailbox is None:
            return
        if (mailbox.connection, mailbox.detail, mailbox.problem) != (state, detail, problem):
            mailbox.connection, mailbox.detail, mailbox.problem = state, detail, problem
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
        if messages == mailbox.messages and not initial:
            return
        before = {m.id for m in mailbox.messages}
        after = {m.id for m in messages}
        mailbox.messages = messages
        self._emit(Change("messages", mailbox.address,
                          added=tuple(m.id for m in messages if m.id not in before),
                          removed=tuple(before - after), initial=initial))

    def remove_messages(self, address: str, ids: Iterable[str]) -> None:
        mailbox = self.get(address)
        if mailbox is None:
            return
        gone = set(ids)
        remaining = [m for m in mailbox.messages if m.id not in gone]
        removed = tuple(m.id for m in mailbox.messages if m.id in gone)
        if removed:
            mailbox.messages = remaining
            if mailbox.total is not None:
                mailbox.total = max(0, mailbox.total - len(removed))
            self._emit(Change("messages", mailbox.address, removed=removed))

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
