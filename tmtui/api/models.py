"""Typed values for every API response. Frozen, slotted, safe to share across layers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tmtui.api.secret import Secret


@dataclass(frozen=True, slots=True)
class DomainCatalog:
    domains: tuple[str, ...]
    default_domain: str
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SessionMeta:
    """Lifetime facts of a session, refreshed from JSON bodies and X-Session-* headers."""

    started_at: datetime | None
    expires_at: datetime | None
    ttl_minutes: float | None
    event_token: Secret | None


@dataclass(frozen=True, slots=True)
class Session:
    address: str
    user: str
    domain: str
    sid_token: Secret
    meta: SessionMeta
    catalog: DomainCatalog | None = None


@dataclass(frozen=True, slots=True)
class MessageSummary:
    id: str  # may carry a folder prefix: "Junk:123"
    sender: str
    subject: str
    excerpt: str
    timestamp: datetime
    read: bool
    has_attachment: bool

    @property
    def folder(self) -> str:
        folder, sep, _ = self.id.rpartition(":")
        return folder if sep else "INBOX"

    @property
    def is_junk(self) -> bool:
        return self.folder.lower() == "junk"


@dataclass(frozen=True, slots=True)
class MessagePage:
    messages: tuple[MessageSummary, ...]
    count: int  # size of this page, not the mailbox total
    meta: SessionMeta | None = None
    catalog: DomainCatalog | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    size: int
    type: str


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    sender: str
    subject: str
    html: str
    timestamp: datetime
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    data: dict[str, object] = field(default_factory=dict)


EventKind = Literal["state", "changed", "ping", "session_lost"]


@dataclass(frozen=True, slots=True)
class MailboxEvent:
    """One SSE event from /events/mailbox with its documented payload fields."""

    kind: EventKind
    email: str = ""
    ts: datetime | None = None
    connected: bool | None = None
    count: int | None = None
    total_count: int | None = None
    prev_count: int | None = None
    reason: str | None = None
    folder: str | None = None
    path: str | None = None
    connected_folders: tuple[str, ...] = ()
    watched_folders: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    error: str | None = None
    retry_ms: int | None = None  # the server's reconnect hint, when it sent one
