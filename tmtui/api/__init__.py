"""Async client for the TempMail MMO API: typed models, typed errors, SSE events.

Knows nothing of Textual. Start with :class:`TempMailClient`; session meta
refresh is documented in :mod:`tmtui.api.client`, retries in
:mod:`tmtui.api.transport`, the event stream in :mod:`tmtui.api.events`.

The names below are imported when first asked for (PEP 562): importing one
small module of the package (``tmtui.api.secret`` for the state file,
``tmtui.api.lazy`` at start-up) must not load the client and its parsers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "TempMailClient": "client",
    **dict.fromkeys((
        "STATUS_ERRORS", "AddressInUse", "ApiError", "BadRequest", "Forbidden", "InvalidSession",
        "MailboxNotFound", "MethodNotAllowed", "NotFound", "ProtocolError", "RateLimited", "RequestTimeout",
        "ServerError", "SizeMismatch", "TooLarge", "TransportError", "Unavailable"), "errors"),
    "MailboxEventStream": "events", "mailbox_events": "events",
    "MetaListener": "meta",
    **dict.fromkeys((
        "Attachment", "DomainCatalog", "EventKind", "Health", "MailboxEvent", "Message", "MessagePage",
        "MessageSummary", "Session", "SessionMeta"), "models"),
    "Secret": "secret",
}

__all__ = [
    "STATUS_ERRORS", "AddressInUse", "ApiError", "Attachment", "BadRequest", "DomainCatalog",
    "EventKind", "Forbidden", "Health", "InvalidSession", "MailboxEvent", "MailboxEventStream",
    "MailboxNotFound", "Message", "MessagePage", "MessageSummary", "MetaListener",
    "MethodNotAllowed", "NotFound", "ProtocolError", "RateLimited", "RequestTimeout", "Secret",
    "ServerError", "Session", "SessionMeta", "SizeMismatch", "TempMailClient", "TooLarge",
    "TransportError", "Unavailable", "mailbox_events",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'tmtui.api' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tmtui.api.{module}"), name)
    globals()[name] = value  # asked once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
