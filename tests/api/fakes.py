"""An in-process fake of the TempMail MMO API for ``httpx.MockTransport``.

Routes by action (``ajax.php?f=...``) or by path (``/health``,
``/events/mailbox``), replays queued responses (the last one repeats), and
records every request so tests can count attempts and inspect URLs and bodies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import httpx

from tmtui.api import TempMailClient

SID = "0123456789abcdef" * 3  # 48 hex characters, as documented
SID2 = "fedcba9876543210" * 3
EVENT_TOKEN = "evtok-Q7w9Zk2LmN4pR8sT1vX3"
EVENT_TOKEN2 = "evtok-rotated-A5b6C7d8E9f0"
BASE = "http://api.test"

Reply = Callable[[httpx.Request], httpx.Response] | BaseException | type[BaseException]


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return lambda request: httpx.Response(status, json=body, headers=headers)


def raw_reply(content: bytes | str, status: int = 200, content_type: str = "text/html",
              headers: dict[str, str] | None = None) -> Reply:
    all_headers = {"content-type": content_type, **(headers or {})}
    return lambda request: httpx.Response(status, content=content, headers=all_headers)


def stream_reply(chunks: Iterable[bytes | BaseException], status: int = 200,
                 headers: dict[str, str] | None = None) -> Reply:
    """A body delivered chunk by chunk; an exception in ``chunks`` is raised mid-body."""
    items = list(chunks)

    async def body() -> AsyncIterator[bytes]:
        for item in items:
            if isinstance(item, BaseException):
                raise item
            yield item

    return lambda request: httpx.Response(status, content=body(), headers=headers)


def meta_headers(expires_ms: int = 1710086400000, token: str = EVENT_TOKEN) -> dict[str, str]:
    return {
        "X-Session-Started-At": "1710000000000",
        "X-Session-Expires-At": str(expires_ms),
        "X-Session-Ttl-Minutes": "1440",
        "X-Mailbox-Event-Token": token,
    }


def catalog_body() -> dict[str, Any]:
    return {"domains": ["mailmmo.io.vn", "tempmailmmo.com"], "defaultDomain": "tempmailmmo.com",
            "domains_updated_at": 1710000000000}


def session_body(sid: str = SID, address: str = "demo@tempmailmmo.com", **extra: Any) -> dict[str, Any]:
    local, _, domain = address.partition("@")
    return {"email_addr": address, "email_user": local, "email_domain": domain, "sid_token": sid,
            "alias": 0, "session_started_at": 1710000000000, "session_expires_at": 1710086400000,
            "session_ttl_minutes": 1440, "mailbox_event_token": EVENT_TOKEN, **catalog_body(), **extra}


def summary(mail_id: str, **extra: Any) -> dict[str, Any]:
    return {"mail_id": mail_id, "mail_from": "Sender <s@example.test>", "mail_subject": f"Subject {mail_id}",
            "mail_excerpt": "Your code is 123456", "mail_timestamp": "1710000000", "mail_read": 0,
            "attached": 0, **extra}


def page_body(ids: Iterable[str], **extra: Any) -> dict[str, Any]:
    items = [summary(i) for i in ids]
    return {"list": items, "count": len(items), "session_started_at": 1710000000000,
            "session_expires_at": 1710086400000, "session_ttl_minutes": 1440,
            "mailbox_event_token": EVENT_TOKEN, **catalog_body(), **extra}


def message_body(**extra: Any) -> dict[str, Any]:
    return {"mail_id": "123", "mail_from": "Example Sender <sender@tempmailmmo.com>",
            "mail_subject": "Your OTP", "mail_body": "<html><p>code 424242</p></html>",
            "mail_timestamp": "1710000000",
            "mail_attachments": [{"name": "otp.pdf", "size": 20480, "type": "application/pdf"}],
            **extra}


def form(request: httpx.Request) -> dict[str, list[str]]:
    """The decoded form body of a recorded request (bodies are read by then)."""
    return parse_qs(request.content.decode(), keep_blank_values=True)


class FakeApi:
    """Queued replies per route and a log of every request the client sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[str, list[Reply]] = {}
        self.sleeps: list[float] = []

    def on(self, route: str, *replies: Reply) -> FakeApi:
        self.routes[route] = list(replies)
        return self

    @staticmethod
    def route_of(request: httpx.Request) -> str:
        if request.url.path.endswith("/ajax.php"):
            return request.url.params.get("f", "")
        if request.url.path.endswith("/events/mailbox"):
            return "/events/mailbox"
        return "/" + request.url.path.rsplit("/", 1)[-1]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        replies = self.routes.get(self.route_of(request))
        if not replies:
            return httpx.Response(404, json={"error": "no fake route"})
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, type):
            raise reply()
        return reply(request)

    def calls(self, route: str) -> list[httpx.Request]:
        return [r for r in self.requests if self.route_of(r) == route]

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def client(self, base_url: str = BASE, **kwargs: Any) -> TempMailClient:
        kwargs.setdefault("sleep", self.sleep)
        kwargs.setdefault("jitter", lambda: 1.0)  # deterministic: the backoff ceiling
        return TempMailClient(base_url, transport=httpx.MockTransport(self.handle), **kwargs)
