"""TempMailClient: every action of the TempMail MMO API as a typed async method.

Session meta. The server renews sessions and may rotate the mailbox event
token on any response, in JSON and/or ``X-Session-*`` / ``X-Mailbox-Event-Token``
headers (attachment downloads included). The client merges each response's
meta into the latest known meta for that ``sid_token`` and tells listeners::

    client = TempMailClient(url, on_meta=lambda sid, meta: store.update(sid, meta))
    unsubscribe = client.subscribe_meta(other_listener)
    client.latest_meta(sid)   # -> SessionMeta | None, the merged latest value

Listeners get ``(sid_token, merged_meta)`` synchronously, once per response
that carried meta, keyed by the session the response belongs to (the returned
``sid_token`` for creation / takeover calls). ``Session.meta`` and
``MessagePage.meta`` hold the same merged value.

Tokens. ``sid_token`` travels only in POST bodies and the event token only in
the SSE URL; both are :class:`Secret` and appear in no log line, exception
message or repr. The client installs a filter that masks ``token=`` in httpx
and httpcore log records. Retries: see :mod:`tmtui.api.transport`.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

import tmtui
from tmtui.api import download, parse
from tmtui.api.errors import ProtocolError
from tmtui.api.lazy import httpx_module
from tmtui.api.meta import MetaListener, MetaRegistry, merge, meta_from_headers
from tmtui.api.models import (
    DomainCatalog,
    Health,
    Message,
    MessagePage,
    MessageSummary,
    Session,
    SessionMeta,
)
from tmtui.api.redact import install_log_redaction
from tmtui.api.secret import Secret
from tmtui.api.transport import ApiTransport, Sleep

if TYPE_CHECKING:
    import httpx

    from tmtui.api.events import MailboxEventStream
else:
    httpx = httpx_module()  # imported at the first request: tmtui.api.lazy

MIN_TIMEOUT, MAX_TIMEOUT = 10.0, 15.0
DELETE_BATCH = 100  # server-side limit of ids per del_email request
MAX_OFFSET = 1_000_000  # the server clamps offsets beyond this
HEALTHY_WORDS = frozenset({b"ok", b"healthy", b"up", b"pass"})


class TempMailClient:
    """Async client for one TempMail MMO server (``base_url`` may carry a path prefix)."""

    def __init__(self, base_url: str, *, timeout: float = 12.0, lang: str | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, max_retries: int = 3,
                 user_agent: str | None = None, on_meta: MetaListener | None = None,
                 sleep: Sleep = asyncio.sleep, jitter: Callable[[], float] = random.random,
                 max_retry_after: float = 60.0) -> None:
        if not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g} seconds")
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        install_log_redaction()
        self.lang = lang
        self._meta = MetaRegistry()
        if on_meta is not None:
            self._meta.subscribe(on_meta)
        self._transport = ApiTransport(
            base_url, timeout=timeout, transport=transport, max_retries=max_retries,
            user_agent=user_agent or f"tmtui/{tmtui.__version__}", meta=self._meta,
            sleep=sleep, jitter=jitter, max_retry_after=max_retry_after,
        )

    # --- lifecycle ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def timeout(self) -> float:
        return self._transport.timeout

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying httpx client (shared by the event stream)."""
        return self._transport.http

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> TempMailClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"TempMailClient({self.base_url!r})"

    # --- session meta ---------------------------------------------------------

    def subscribe_meta(self, listener: MetaListener) -> Callable[[], None]:
        """Register ``listener(sid_token, meta)``; returns an unsubscribe function."""
        return self._meta.subscribe(listener)

    def latest_meta(self, sid_token: Secret) -> SessionMeta | None:
        return self._meta.latest(sid_token)

    def forget_session(self, sid_token: Secret) -> None:
        """Drop the remembered meta of a session that is gone."""
        self._meta.forget(sid_token)

    def _record(self, sid_token: Secret, body: dict[str, Any], response: httpx.Response,
                what: str) -> SessionMeta | None:
        # JSON wins over headers where both speak (as the contract's own example does).
        combined = merge(meta_from_headers(response.headers), parse.parse_meta(body, what))
        return self._meta.update(sid_token, combined)

    # --- actions --------------------------------------------------------------

    async def _post(self, action: str, data: dict[str, str | list[str]], *, idempotent: bool,
                    meta_sid: Secret | None = None) -> tuple[dict[str, Any], httpx.Response]:
        return await self._transport.call_json("POST", "/ajax.php", label=action, params={"f": action},
                                               data=data, idempotent=idempotent, meta_sid=meta_sid)

    async def get_domains(self) -> DomainCatalog:
        body, _ = await self._transport.call_json("GET", "/ajax.php", label="get_domains",
                                                  params={"f": "get_domains"}, idempotent=True)
        return parse.parse_catalog(body, "get_domains")

    async def _session_call(self, action: str, data: dict[str, str | list[str]],
                            fallback_sid: Secret | None = None) -> Session:
        body, response = await self._post(action, data, idempotent=False)
        session = parse.parse_session(body, action, meta=None, fallback_sid=fallback_sid)
        meta = self._record(session.sid_token, body, response, action)
        return replace(session, meta=meta or session.meta)

    def _lang(self, data: dict[str, str | list[str]], lang: str | None) -> None:
        chosen = lang if lang is not None else self.lang
        if chosen:
            data["lang"] = chosen

    async def get_email_address(self, domain: str | None = None, lang: str | None = None,
                                sid_token: Secret | None = None) -> Session:
        """Create a mailbox, or restore the session of ``sid_token`` if still valid."""
        data: dict[str, str | list[str]] = {}
        if domain:
            data["email_domain"] = domain
        if sid_token:
            data["sid_token"] = sid_token.reveal()
        self._lang(data, lang)
        return await self._session_call("get_email_address", data)

    async def set_email_user(self, sid_token: Secret, user: str, domain: str | None = None,
                             force_takeover: bool = False, lang: str | None = None) -> Session:
        """Move the session to ``user@domain``; with takeover the owner's session may come back."""
        data: dict[str, str | list[str]] = {"sid_token": sid_token.reveal(), "email_user": user}
        if domain:
            data["email_domain"] = domain
        if force_takeover:
            data["force_takeover"] = "1"
        self._lang(data, lang)
        return await self._session_call("set_email_user", data, fallback_sid=sid_token)

    async def open_email_address(self, address: str, force_takeover: bool = False,
                                 sid_token: Secret | None = None, lang: str | None = None) -> Session:
        """Reopen an existing mailbox; MailboxNotFound if the server no longer has it."""
        data: dict[str, str | list[str]] = {"email_addr": address}
        if force_takeover:
            data["force_takeover"] = "1"
        if sid_token:
            data["sid_token"] = sid_token.reveal()
        self._lang(data, lang)
        return await self._session_call("open_email_address", data)

    async def get_email_list(self, sid_token: Secret, offset: int = 0) -> MessagePage:
        """One page of the mailbox from ``offset``; ``count`` is this page's size."""
        data: dict[str, str | list[str]] = {"sid_token": sid_token.reveal(),
                                            "offset": str(max(0, offset))}
        body, response = await self._post("get_email_list", data, idempotent=True, meta_sid=sid_token)
        page = parse.parse_page(body, "get_email_list", meta=None)
        meta = self._record(sid_token, body, response, "get_email_list")
        return replace(page, meta=meta)

    async def iter_mailbox(self, sid_token: Secret, page_limit: int | None = None,
                           ) -> AsyncIterator[MessagePage]:
        """Every page of the mailbox, first to last.

        ``count`` is a page size, not a total, so paging stops on an empty page,
        a page smaller than the first one, or a page that adds no id not seen
        before (a server that ignores ``offset`` would otherwise loop forever).
        The first page is always yielded, even when empty, for its meta.
        """
        seen: set[str] = set()
        offset, pages, first_size = 0, 0, 0
        while page_limit is None or pages < page_limit:
            page = await self.get_email_list(sid_token, offset)
            size = len(page.messages)
            fresh = {m.id for m in page.messages} - seen
            if pages and not fresh:
                return
            pages += 1
            seen |= fresh
            yield page
            if pages == 1:
                first_size = size
            if size == 0 or size < first_size:
                return
            offset += size
            if offset > MAX_OFFSET:
                return

    async def get_all_messages(self, sid_token: Secret, page_limit: int | None = None,
                               ) -> list[MessageSummary]:
        """The whole mailbox, in server order, each id once."""
        messages: dict[str, MessageSummary] = {}
        async for page in self.iter_mailbox(sid_token, page_limit):
            for message in page.messages:
                messages.setdefault(message.id, message)
        return list(messages.values())

    async def fetch_email(self, sid_token: Secret, email_id: str) -> Message:
        data: dict[str, str | list[str]] = {"sid_token": sid_token.reveal(), "email_id": email_id}
        body, response = await self._post("fetch_email", data, idempotent=True, meta_sid=sid_token)
        message = parse.parse_message(body, "fetch_email")
        self._record(sid_token, body, response, "fetch_email")
        return message

    async def download_attachment(self, sid_token: Secret, email_id: str, file_name: str,
                                  sink: download.Sink, *,
                                  expected_size: int | None = None,
                                  max_bytes: int = download.DEFAULT_MAX_BYTES,
                                  on_progress: Callable[[int, int | None], None] | None = None) -> int:
        """Stream an attachment into ``sink`` chunk by chunk; returns bytes written."""
        return await download.download_attachment(
            self._transport, sid_token, email_id, file_name, sink, expected_size=expected_size,
            max_bytes=max_bytes, on_progress=on_progress)

    async def delete_emails(self, sid_token: Secret, ids: Sequence[str]) -> int:
        """Delete ``ids`` (deduplicated) in requests of at most 100; returns the total deleted.

        A request with one id sends ``email_id``; with more, repeated ``email_ids[]``.
        If a later batch fails, earlier batches are already deleted: reconcile with
        :meth:`get_email_list`.
        """
        if isinstance(ids, str):
            raise TypeError("ids must be a sequence of ids, not one string")
        unique = list(dict.fromkeys(ids))
        if any(not isinstance(i, str) or not i for i in unique):
            raise ValueError("every id must be a non-empty string")
        deleted = 0
        for start in range(0, len(unique), DELETE_BATCH):
            batch = unique[start:start + DELETE_BATCH]
            data: dict[str, str | list[str]] = {"sid_token": sid_token.reveal()}
            if len(batch) == 1:
                data["email_id"] = batch[0]
            else:
                data["email_ids[]"] = batch
            body, response = await self._post("del_email", data, idempotent=True, meta_sid=sid_token)
            deleted += parse.parse_deleted(body, "del_email")
            self._record(sid_token, body, response, "del_email")
        return deleted

    async def health(self) -> Health:
        """GET /health. A 2xx plain-text "ok" counts as healthy; other non-JSON is a ProtocolError."""
        response, body = await self._transport.call("GET", "/health", label="health", idempotent=True)
        try:
            data = parse.decode_json(body, response.headers.get("content-type", ""), "health")
        except ProtocolError:
            if body.strip().lower() in HEALTHY_WORDS:
                return Health(ok=True, data={})
            raise
        return parse.parse_health(data, "health")

    # --- events ---------------------------------------------------------------

    def events(self, event_token: Secret, *, read_timeout: float | None = 60.0) -> MailboxEventStream:
        """The mailbox event stream: ``async with client.events(tok) as s: async for e in s``."""
        from tmtui.api.events import MailboxEventStream

        return MailboxEventStream(self, event_token, read_timeout=read_timeout)
