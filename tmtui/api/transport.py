"""One HTTP exchange with the API: URL building, retries, error mapping, logging.

Retry policy (what the client does before raising):

* Idempotent calls (get_domains, get_email_list, fetch_email, fetch_attachment
  before any byte reached the sink, del_email, health) are retried up to
  ``max_retries`` times on connection failures (connect error or timeout,
  connection reset, a peer that closed without answering) and on 502/503, with
  exponential backoff and full jitter: ``uniform(0, min(8, 0.5 * 2**n))`` s.
  ``del_email`` counts as idempotent: deleting an id twice deletes it once (a
  retried batch may under-report ``deleted``; callers reconcile with the list).
* Session-creating calls (get_email_address, with or without a sid_token to
  restore, set_email_user, open_email_address) are never retried on failure:
  the server may have acted on the first attempt, and a second one could
  create a second mailbox or take over twice. The caller decides.
* A read timeout (the server accepted the request but did not answer within
  ``timeout``) is not retried for any call: the user already waited once.
* 429 means the server refused without acting, so every call is retried once
  after sleeping ``Retry-After`` seconds when that is at most
  ``max_retry_after`` (60 s); with no usable Retry-After, a longer one, or a
  second 429, :class:`RateLimited` is raised carrying ``retry_after``.
* ``max_retries=0`` turns all of this off.

Each attempt has a total deadline of ``timeout`` seconds (headers and, for JSON,
the body); streamed downloads have ``timeout`` per read instead.

Log lines (logger ``tmtui.api``, DEBUG) name the method, the action, the status
and the elapsed time; never a URL, a body or a token.

One module over the usual size on purpose: the retry policy above is one
decision table over send, deadline, status mapping and streaming, and split
across modules its cases would no longer read side by side.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tmtui.api import lazy
from tmtui.api.errors import (
    STATUS_ERRORS,
    ApiError,
    MailboxNotFound,
    NotFound,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    ServerError,
    TransportError,
)
from tmtui.api.lazy import httpx_module
from tmtui.api.meta import MetaRegistry, meta_from_headers
from tmtui.api.parse import decode_json
from tmtui.api.secret import Secret
from tmtui.safety import sanitize_line

log = logging.getLogger("tmtui.api")

if TYPE_CHECKING:
    import httpx

    # One try: the response and its body, or None for a streamed body left unread.
    Attempt = Callable[[], Awaitable[tuple[httpx.Response, bytes | None]]]
else:
    httpx = httpx_module()  # imported at the first request: tmtui.api.lazy

Sleep = Callable[[float], Awaitable[None]]
FormData = Mapping[str, str | list[str]]

BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
MAX_JSON_BYTES = 16 * 1024 * 1024  # far above any real page; stops a runaway body
MAX_ERROR_BYTES = 64 * 1024
MAX_SERVER_ERROR_CHARS = 500

_RETRYABLE_STATUS = frozenset({502, 503})


def _retryable_transport(exc: BaseException) -> bool:
    """The request most likely never reached the application, or the connection
    broke: safe to repeat for idempotent calls."""
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadError,
                            httpx.WriteError, httpx.RemoteProtocolError))


def check_base_url(base_url: str) -> None:
    """The refusals of :func:`normalise_base_url` that need no httpx (so a client
    can be built, and a bad URL refused, before the HTTP stack is imported)."""
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a valid server URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError("the server URL must be http(s)://host[/prefix]")
    if parts.query or parts.fragment:
        raise ValueError("the server URL must not carry a query or fragment")
    if "@" in parts.netloc:
        raise ValueError("the server URL must not carry credentials")
    if any(c.isspace() or not c.isprintable() for c in parts.netloc):
        raise ValueError("not a valid server URL: the host has invisible or space characters")


def normalise_base_url(base_url: str) -> str:
    """``https://host/prefix`` without trailing slashes; ValueError if unusable."""
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"not a valid server URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("the server URL must be http(s)://host[/prefix]")
    if url.query or url.fragment:
        raise ValueError("the server URL must not carry a query or fragment")
    if url.userinfo:
        raise ValueError("the server URL must not carry credentials")
    return str(url).rstrip("/")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


async def read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of a streamed body, and whether there was more."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _error_fields(body: bytes, content_type: str) -> tuple[str | None, str | None]:
    """The server's ``error`` text and ``code`` when the body is a JSON object."""
    try:
        data = decode_json(body, content_type, "error body")
    except ProtocolError:
        return None, None  # e.g. a proxy's HTML 502 page: keep nothing of it
    error, code = data.get("error"), data.get("code")
    # The server's words are shown to the user: sanitised here, once, for every caller.
    server_error = sanitize_line(error, MAX_SERVER_ERROR_CHARS) if isinstance(error, str) and error else None
    return server_error, code if isinstance(code, str) and code else None


def error_for_response(response: httpx.Response, body: bytes, label: str) -> ApiError:
    """The typed error for a non-2xx response whose (capped) body is ``body``."""
    status = response.status_code
    server_error, code = _error_fields(body, response.headers.get("content-type", ""))
    cls = STATUS_ERRORS.get(status)
    if cls is NotFound and code is not None and code.upper() == "MAILBOX_NOT_FOUND":
        cls = MailboxNotFound
    if cls is None:
        cls = ServerError if status >= 500 else ApiError if status >= 400 else ProtocolError
    if cls is ProtocolError:
        message = f"{label}: unexpected HTTP {status} from the server"
    else:
        message = f"{cls.default_message} (HTTP {status}, {label})"
    if cls is RateLimited:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return RateLimited(message, retry_after=retry_after, status=status,
                           server_error=server_error, code=code)
    return cls(message, status=status, server_error=server_error, code=code)


@dataclass(frozen=True, slots=True)
class _Failure:
    error: ApiError
    retryable: bool
    cause: BaseException | None = None


class ApiTransport:
    """Owns the httpx client; sends requests with the retry policy above."""

    def __init__(self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None,
                 max_retries: int, user_agent: str, meta: MetaRegistry, sleep: Sleep,
                 jitter: Callable[[], float], max_retry_after: float) -> None:
        check_base_url(base_url)
        self._raw_base_url = base_url
        self._base_url: str | None = None
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.meta = meta
        self._sleep = sleep
        self._jitter = jitter
        self._custom_transport = transport
        self._user_agent = user_agent
        self._http: httpx.AsyncClient | None = None
        self._closed = False

    @property
    def base_url(self) -> str:
        """The normalised URL (httpx's parser, on first use: see :func:`check_base_url`)."""
        if self._base_url is None:
            self._base_url = normalise_base_url(self._raw_base_url)
        return self._base_url

    @property
    def http(self) -> httpx.AsyncClient:
        """The httpx client, built at the first request (importing httpx then)."""
        if self._http is None:
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            self._http = httpx.AsyncClient(
                # Plain http never uses TLS (and redirects are off): skip loading the CA bundle.
                verify=self.base_url.startswith("https://"),
                timeout=httpx.Timeout(self.timeout),
                transport=self._custom_transport,
                follow_redirects=False,  # a redirected POST would lose its body
                headers={
                    "User-Agent": self._user_agent,
                    "X-Requested-With": "XMLHttpRequest",
                    "Accept": "application/json",
                },
            )
        return self._http

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def aclose(self) -> None:
        self._closed = True
        if self._http is not None:
            await self._http.aclose()

    # --- public entry points ------------------------------------------------

    async def call(self, method: str, path: str, *, label: str, params: Mapping[str, str] | None = None,
                   data: FormData | None = None, idempotent: bool,
                   meta_sid: Secret | None = None) -> tuple[httpx.Response, bytes]:
        """Send, retry per policy, and return a successful response with its body.

        In a context of its own: a request's timers (its deadline, httpx's) stay in the
        event loop's heap until they are due even once cancelled, holding the context
        they were made in. Made from a screen's worker, that context holds the screen
        (Textual's active_message_pump), and a closed reader with its 1 MB body lived
        on for a minute while the collector's full passes grew with it."""
        call = self._call(method, path, label=label, params=params, data=data, idempotent=idempotent,
                          meta_sid=meta_sid)
        return await asyncio.create_task(call, context=contextvars.Context())

    async def _call(self, method: str, path: str, *, label: str, params: Mapping[str, str] | None,
                    data: FormData | None, idempotent: bool,
                    meta_sid: Secret | None) -> tuple[httpx.Response, bytes]:
        async def attempt() -> tuple[httpx.Response, bytes | None]:
            response = await self._send(method, path, params, data)
            try:
                body, more = await read_capped(response, MAX_JSON_BYTES)
            finally:
                await response.aclose()
            if more and response.is_success:
                raise ProtocolError(f"{label}: the response is implausibly large")
            return response, body

        response, body = await self._with_retries(attempt, label=label, method=method,
                                                  idempotent=idempotent, meta_sid=meta_sid)
        return response, body or b""

    async def call_json(self, method: str, path: str, *, label: str, params: Mapping[str, str] | None = None,
                        data: FormData | None = None, idempotent: bool,
                        meta_sid: Secret | None = None) -> tuple[dict[str, Any], httpx.Response]:
        """Like :meth:`call`, returning the decoded JSON object instead of the raw body."""
        response, body = await self.call(method, path, label=label, params=params, data=data,
                                         idempotent=idempotent, meta_sid=meta_sid)
        return decode_json(body, response.headers.get("content-type", ""), label), response

    @asynccontextmanager
    async def stream(self, method: str, path: str, *, label: str, params: Mapping[str, str] | None = None,
                     data: FormData | None = None, idempotent: bool,
                     meta_sid: Secret | None = None) -> AsyncIterator[httpx.Response]:
        """A successful response whose body is still unread; closed on exit."""

        async def attempt() -> tuple[httpx.Response, bytes | None]:
            return await self._send(method, path, params, data), None  # body left unread

        response, _ = await self._with_retries(attempt, label=label, method=method,
                                               idempotent=idempotent, meta_sid=meta_sid)
        try:
            yield response
        finally:
            await response.aclose()

    # --- internals ----------------------------------------------------------

    async def _send(self, method: str, path: str, params: Mapping[str, str] | None,
                    data: FormData | None) -> httpx.Response:
        if self._http is None:
            await lazy.ready()  # the HTTP stack may be importing on a thread (lazy.preload)
        request = self.http.build_request(method, self.url(path), params=params, data=data)
        return await self.http.send(request, stream=True)

    async def _with_retries(self, attempt: Attempt, *, label: str, method: str, idempotent: bool,
                            meta_sid: Secret | None) -> tuple[httpx.Response, bytes | None]:
        failures = 0
        rate_retried = False
        while True:
            outcome = await self._one_attempt(attempt, label, method, meta_sid)
            if not isinstance(outcome, _Failure):
                return outcome
            error = outcome.error
            if isinstance(error, RateLimited):
                wait = error.retry_after
                if (self.max_retries > 0 and not rate_retried and wait is not None
                        and wait <= self.max_retry_after):
                    rate_retried = True
                    log.info("%s %s: rate limited, retrying in %.1f s", method, label, wait)
                    await self._sleep(wait)
                    continue
            elif outcome.retryable and idempotent and failures < self.max_retries:
                delay = self._jitter() * min(BACKOFF_CAP, BACKOFF_BASE * 2 ** failures)
                failures += 1
                log.info("%s %s: %s, retry %d of %d in %.2f s", method, label,
                         type(error).__name__, failures, self.max_retries, delay)
                await self._sleep(delay)
                continue
            raise error from outcome.cause

    async def _one_attempt(self, attempt: Attempt, label: str, method: str,
                           meta_sid: Secret | None) -> tuple[httpx.Response, bytes | None] | _Failure:
        """A successful (response, body), or the failure; never raises for HTTP/network trouble."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.timeout):
                response, body = await attempt()
        except (httpx.TimeoutException, TimeoutError) as exc:
            self._log_failure(method, label, exc, started)
            error: ApiError = RequestTimeout(
                f"{label}: the server did not answer within {self.timeout:g} s")
            return _Failure(error, isinstance(exc, httpx.ConnectTimeout), exc)
        except httpx.DecodingError as exc:
            self._log_failure(method, label, exc, started)
            return _Failure(ProtocolError(f"{label}: the response body could not be decoded"), False, exc)
        except httpx.HTTPError as exc:
            self._log_failure(method, label, exc, started)
            error = TransportError(f"{label}: could not reach the server ({type(exc).__name__})")
            return _Failure(error, _retryable_transport(exc), exc)
        elapsed = (time.monotonic() - started) * 1000
        log.debug("%s %s -> %d in %.0f ms", method, label, response.status_code, elapsed)
        if response.is_success:
            return response, body
        if meta_sid is not None:
            self.meta.update(meta_sid, meta_from_headers(response.headers))
        if body is None:  # a streamed attempt: read (a capped amount of) the error body
            try:
                body, _ = await read_capped(response, MAX_ERROR_BYTES)
            except httpx.HTTPError:
                body = b""  # the status alone decides the error type
            finally:
                await response.aclose()
        return _Failure(error_for_response(response, body, label),
                        response.status_code in _RETRYABLE_STATUS)

    @staticmethod
    def _log_failure(method: str, label: str, exc: BaseException, started: float) -> None:
        elapsed = (time.monotonic() - started) * 1000
        log.debug("%s %s failed: %s after %.0f ms", method, label, type(exc).__name__, elapsed)
