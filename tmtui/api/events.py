"""The mailbox event stream (SSE, ``GET {base}/events/mailbox?token=...``).

Usage::

    async with client.events(event_token) as stream:   # connects; raises typed errors
        async for event in stream:                      # MailboxEvent values
            ...
        stream.retry_ms                                 # the server's reconnect hint

or ``async for event in mailbox_events(client, event_token)``.

* Connecting raises InvalidSession (401), RateLimited (429, with retry_after),
  Unavailable (503) and the other typed errors, decided from the status before
  any event is read; a non-event-stream 200 is a ProtocolError.
* Events ``state``, ``changed``, ``ping`` and ``session_lost`` become
  :class:`MailboxEvent`; other event names are ignored. Payload fields are read
  leniently: a malformed field gets its default rather than losing the event.
  A malformed data line drops a ``state`` or ``ping`` (the next one will do),
  but ``changed`` and ``session_lost`` are still yielded, bare, because their
  name alone is the news.
* ``retry:`` hints are kept in ``stream.retry_ms`` and copied onto each event.
* No data (not even a ping) for ``read_timeout`` seconds raises RequestTimeout;
  a connection that breaks mid-stream raises TransportError. A clean close by
  the server ends the iteration. Reconnecting is the caller's job, with the
  newest token it holds.
* The token is only in the URL. Error messages never include httpx's own text
  (it may quote the URL), and httpx/httpcore log records are redacted.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar

import httpx
from httpx_sse import ServerSentEvent, aconnect_sse

from tmtui.api import parse
from tmtui.api.errors import ProtocolError, RequestTimeout, TransportError
from tmtui.api.models import EventKind, MailboxEvent
from tmtui.api.redact import install_log_redaction
from tmtui.api.secret import Secret
from tmtui.api.transport import MAX_ERROR_BYTES, error_for_response, read_capped

log = logging.getLogger("tmtui.api")

LABEL = "events"
KINDS: frozenset[str] = frozenset({"state", "changed", "ping", "session_lost"})
_KEEP_WITHOUT_DATA = frozenset({"changed", "session_lost"})
T = TypeVar("T")


def _lenient(read: Callable[[], T], default: T, key: str) -> T:
    try:
        return read()
    except ProtocolError:
        log.debug("event field %r malformed; using the default", key)
        return default


def _folders(payload: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = payload.get(key)
    if isinstance(value, dict):  # {"INBOX": 3, "Junk": 0}: counts keyed by folder
        return tuple(name for name in value if isinstance(name, str))
    if not isinstance(value, list):
        return ()
    names: list[str] = []
    for item in value:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):  # tolerate {"name": "INBOX", ...} objects
            name = item.get("name") or item.get("path") or item.get("folder")
            if isinstance(name, str):
                names.append(name)
    return tuple(names)


def _optional_text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)[:500]  # an error object, kept as data


def _ts(payload: Mapping[str, Any]) -> datetime | None:
    value = payload.get("ts")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return parse.from_millis(float(value))
    except ValueError:
        return None


def parse_event(name: str, data: str, retry_ms: int | None) -> MailboxEvent | None:
    """A MailboxEvent for a known event, or None for one to ignore."""
    if name not in KINDS:
        log.debug("ignoring event of unknown type")
        return None
    kind: EventKind = name  # type: ignore[assignment]
    payload: Any = {}
    if data.strip():
        try:
            payload = json.loads(data)
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            log.debug("%s event with malformed data", name)
            if name not in _KEEP_WITHOUT_DATA:
                return None
            payload = {}
    what = f"{name} event"
    prev = payload.get("prevCount", payload.get("prev_count"))
    return MailboxEvent(
        kind=kind,
        email=_lenient(lambda: parse.opt_str(payload, "email", what), "", "email"),
        ts=_ts(payload),
        connected=_lenient(lambda: None if payload.get("connected") is None
                           else parse.opt_bool(payload, "connected", what), None, "connected"),
        count=_lenient(lambda: parse.opt_int(payload, "count", what), None, "count"),
        total_count=_lenient(lambda: parse.opt_int(payload, "total_count", what), None, "total_count"),
        prev_count=_lenient(lambda: parse.opt_int({"prevCount": prev}, "prevCount", what), None,
                            "prevCount"),
        reason=_optional_text(payload, "reason"),
        folder=_optional_text(payload, "folder"),
        path=_optional_text(payload, "path"),
        connected_folders=_folders(payload, "connected_folders"),
        watched_folders=_folders(payload, "watched_folders"),
        folders=_folders(payload, "folders"),
        error=_optional_text(payload, "error"),
        retry_ms=retry_ms,
    )


class StreamSource(Protocol):
    """What a stream needs of its client (a TempMailClient); named here so the
    client can import this module without this module importing the client."""

    @property
    def base_url(self) -> str: ...

    @property
    def timeout(self) -> float: ...

    @property
    def http(self) -> httpx.AsyncClient: ...


class MailboxEventStream:
    """One connection to the event stream: an async context manager and iterator."""

    def __init__(self, client: StreamSource, event_token: Secret, *,
                 read_timeout: float | None = 60.0) -> None:
        self._client = client
        self._token = event_token
        self._read_timeout = read_timeout
        self._stack: AsyncExitStack | None = None
        self._events: AsyncIterator[ServerSentEvent] | None = None
        self.retry_ms: int | None = None  # latest ``retry:`` hint from the server

    def __repr__(self) -> str:
        state = "open" if self._events is not None else "closed"
        return f"MailboxEventStream({self._client.base_url!r}, {state})"

    async def __aenter__(self) -> MailboxEventStream:
        await self.connect()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Open the stream; raises the typed error for a refused or failed connect."""
        install_log_redaction()
        stack = AsyncExitStack()
        timeout = httpx.Timeout(self._client.timeout, read=self._read_timeout)
        try:
            async with asyncio.timeout(self._client.timeout):
                source = await stack.enter_async_context(aconnect_sse(
                    self._client.http, "GET", self._client.base_url + "/events/mailbox",
                    params={"token": self._token.reveal()}, timeout=timeout))
        except (httpx.TimeoutException, TimeoutError):
            await stack.aclose()
            # ``from None``: httpx's exception text and traceback may quote the URL.
            raise RequestTimeout(f"{LABEL}: the server did not answer in time") from None
        except httpx.HTTPError as exc:
            await stack.aclose()
            raise TransportError(f"{LABEL}: could not connect ({type(exc).__name__})") from None
        response = source.response
        log.debug("GET %s -> %d", LABEL, response.status_code)
        if not response.is_success:
            try:
                body, _ = await read_capped(response, MAX_ERROR_BYTES)
            except httpx.HTTPError:
                body = b""
            await stack.aclose()
            raise error_for_response(response, body, LABEL) from None
        if "text/event-stream" not in response.headers.get("content-type", ""):
            await stack.aclose()
            raise ProtocolError(f"{LABEL}: the server did not answer with an event stream")
        self._stack = stack
        self._events = source.aiter_sse()

    async def aclose(self) -> None:
        events, stack = self._events, self._stack
        self._events = self._stack = None
        if events is not None:
            await events.aclose()  # type: ignore[attr-defined]
        if stack is not None:
            await stack.aclose()

    def __aiter__(self) -> MailboxEventStream:
        return self

    async def __anext__(self) -> MailboxEvent:
        if self._events is None:
            raise StopAsyncIteration
        while True:
            try:
                sse = await self._events.__anext__()
            except httpx.TimeoutException:
                raise RequestTimeout(f"{LABEL}: the stream went silent (no event or ping "
                                     f"within {self._read_timeout} s)") from None
            except httpx.DecodingError:
                raise ProtocolError(f"{LABEL}: the stream could not be decoded") from None
            except httpx.HTTPError as exc:
                raise TransportError(f"{LABEL}: the stream broke ({type(exc).__name__})") from None
            if sse.retry is not None and sse.retry >= 0:
                self.retry_ms = sse.retry
            event = parse_event(sse.event, sse.data, self.retry_ms)
            if event is not None:
                return event


async def mailbox_events(client: StreamSource, event_token: Secret, *,
                         read_timeout: float | None = 60.0) -> AsyncIterator[MailboxEvent]:
    """Every event of one connection; see the module docstring for errors."""
    async with MailboxEventStream(client, event_token, read_timeout=read_timeout) as stream:
        async for event in stream:
            yield event
