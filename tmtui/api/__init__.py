"""Async client for the TempMail MMO API: typed models, typed errors, SSE events.

Knows nothing of Textual. Start with :class:`TempMailClient`; session meta
refresh is documented in :mod:`tmtui.api.client`, retries in
:mod:`tmtui.api.transport`, the event stream in :mod:`tmtui.api.events`.
"""

from __future__ import annotations

from tmtui.api.client import TempMailClient
from tmtui.api.errors import (
    STATUS_ERRORS,
    AddressInUse,
    ApiError,
    BadRequest,
    Forbidden,
    InvalidSession,
    MailboxNotFound,
    MethodNotAllowed,
    NotFound,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    ServerError,
    SizeMismatch,
    TooLarge,
    TransportError,
    Unavailable,
)
from tmtui.api.events import MailboxEventStream, mailbox_events
from tmtui.api.meta import MetaListener
from tmtui.api.models import (
    Attachment,
    DomainCatalog,
    EventKind,
    Health,
    MailboxEvent,
    Message,
    MessagePage,
    MessageSummary,
    Session,
    SessionMeta,
)
from tmtui.api.secret import Secret

__all__ = [
    "STATUS_ERRORS", "AddressInUse", "ApiError", "Attachment", "BadRequest", "DomainCatalog",
    "EventKind", "Forbidden", "Health", "InvalidSession", "MailboxEvent", "MailboxEventStream",
    "MailboxNotFound", "Message", "MessagePage", "MessageSummary", "MetaListener",
    "MethodNotAllowed", "NotFound", "ProtocolError", "RateLimited", "RequestTimeout", "Secret",
    "ServerError", "Session", "SessionMeta", "SizeMismatch", "TempMailClient", "TooLarge",
    "TransportError", "Unavailable", "mailbox_events",
]
