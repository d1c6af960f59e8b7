"""Session meta: read from X-Session-* headers, merged, and fanned out to listeners.

The server renews a session on most mailbox actions and may hand out a new
mailbox event token with any response, in the JSON body, in headers, or both
(binary attachment downloads only have headers). :class:`MetaRegistry` is the
one place that sees all of them: the client feeds it every response, it merges
what the response carried into what was known for that ``sid_token`` (a field
the response did not mention keeps its previous value) and calls every
listener with the merged :class:`SessionMeta`. The sync layer subscribes once
and always holds the latest expiry and event token.

Header values are auxiliary: a malformed one is ignored (logged at debug),
unlike a malformed JSON field, which is a protocol error.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from tmtui.api.models import SessionMeta
from tmtui.api.parse import from_millis
from tmtui.api.secret import Secret

log = logging.getLogger("tmtui.api")

MetaListener = Callable[[Secret, SessionMeta], None]

HEADER_STARTED = "X-Session-Started-At"
HEADER_EXPIRES = "X-Session-Expires-At"
HEADER_TTL = "X-Session-Ttl-Minutes"
HEADER_EVENT_TOKEN = "X-Mailbox-Event-Token"


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except (ValueError, OverflowError):
        log.debug("ignoring malformed %s header", name)
        return None


def _header_float(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        log.debug("ignoring malformed %s header", name)
        return None
    return value if math.isfinite(value) else None


def _header_time(headers: Mapping[str, str], name: str) -> datetime | None:
    value = _header_int(headers, name)
    if value is None:
        return None
    stamp = from_millis(value)
    if stamp is None:
        log.debug("ignoring out-of-range %s header", name)
    return stamp


def meta_from_headers(headers: Mapping[str, str]) -> SessionMeta | None:
    """The session meta a response's headers carry, or None when they carry none."""
    token = (headers.get(HEADER_EVENT_TOKEN) or "").strip()
    meta = SessionMeta(
        started_at=_header_time(headers, HEADER_STARTED),
        expires_at=_header_time(headers, HEADER_EXPIRES),
        ttl_minutes=_header_float(headers, HEADER_TTL),
        event_token=Secret(token) if token else None,
    )
    return None if is_empty(meta) else meta


def is_empty(meta: SessionMeta) -> bool:
    return (meta.started_at is None and meta.expires_at is None
            and meta.ttl_minutes is None and meta.event_token is None)


def merge(old: SessionMeta | None, new: SessionMeta | None) -> SessionMeta | None:
    """``new`` over ``old``: a field ``new`` leaves unset keeps its ``old`` value."""
    if old is None:
        return new
    if new is None:
        return old
    return replace(
        old,
        started_at=new.started_at or old.started_at,
        expires_at=new.expires_at or old.expires_at,
        ttl_minutes=new.ttl_minutes if new.ttl_minutes is not None else old.ttl_minutes,
        event_token=new.event_token or old.event_token,
    )


class MetaRegistry:
    """Latest known meta per session, plus the listeners to tell when it changes."""

    def __init__(self) -> None:
        self._latest: dict[Secret, SessionMeta] = {}
        self._listeners: list[MetaListener] = []

    def subscribe(self, listener: MetaListener) -> Callable[[], None]:
        """Call ``listener(sid_token, meta)`` for every response carrying meta.

        Returns a function that unsubscribes. Listeners run synchronously inside
        the request, so they should only record the value (or schedule work).
        """
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def latest(self, sid_token: Secret) -> SessionMeta | None:
        return self._latest.get(sid_token)

    def forget(self, sid_token: Secret) -> None:
        self._latest.pop(sid_token, None)

    def update(self, sid_token: Secret | None, meta: SessionMeta | None) -> SessionMeta | None:
        """Merge ``meta`` into what is known for ``sid_token``; returns the merged value."""
        if sid_token is None or not sid_token:
            return meta
        if meta is None or is_empty(meta):
            return self._latest.get(sid_token)
        previous = self._latest.get(sid_token)
        merged = meta if previous is None else merge(previous, meta) or meta
        self._latest[sid_token] = merged
        for listener in list(self._listeners):
            try:
                listener(sid_token, merged)
            except Exception:
                # A listener's bug must not turn a good response into a failure.
                log.exception("session meta listener failed")
        return merged
