"""GET /events/mailbox?token=...: the mailbox's Server-Sent Events stream.

Frames: ``state`` (with ``retry: 2000``) at once, ``changed`` on arrival and
deletion, ``ping`` every ``ping_seconds`` (state's shape plus ``ping: true``),
``session_lost`` then end of stream when the session can no longer read the
mailbox. sse-starlette's own ping is off (``ping=0``): ours carries the
contract's payload. sse-starlette watches for the client's disconnect and
cancels the generator, whose ``finally`` drops the stream from the counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from tmtui.server.core import ServerCore
from tmtui.server.errors import TOO_MANY_REQUESTS, ApiError
from tmtui.server.events import Frame, Subscriber, encode

INVALID_TOKEN = "Missing or invalid mailbox event token"
CAPACITY_FULL = "Event stream capacity is temporarily full. Please try again later."
RETRY_AFTER = "2"


def refusal(status: int) -> ApiError:
    """The error a refused stream gets (control.refuse_sse picks the status)."""
    if status == 401:
        return ApiError(401, INVALID_TOKEN)
    if status == 429:
        return ApiError(429, TOO_MANY_REQUESTS, headers={"Retry-After": RETRY_AFTER})
    if status == 503:
        return ApiError(503, CAPACITY_FULL, headers={"Retry-After": RETRY_AFTER})
    return ApiError(status, "Event stream unavailable")


def open_stream(core: ServerCore, request: Request, ip: str) -> Response:
    """Check the token and the limits, then start streaming (ApiError otherwise)."""
    if request.method not in ("GET", "HEAD"):
        raise ApiError(405, "Method not allowed. Use GET.", headers={"Allow": "GET"})
    if core.refuse_sse is not None:
        raise refusal(core.refuse_sse)
    found = core.sessions.by_event_token(request.query_params.get("token", ""))
    if found is None:
        raise refusal(401)
    if core.hub.total >= core.config.sse_capacity:
        raise refusal(503)
    if core.hub.count_for_ip(ip) >= core.config.sse_per_ip:
        raise refusal(429)
    session, mailbox = found
    sub = core.hub.subscribe(session.sid, mailbox.id, mailbox.address, ip)
    first = encode("state", core.state_payload(mailbox.id, mailbox.address), retry=core.config.retry_ms)
    return EventSourceResponse(
        _frames(core, sub, first),
        ping=0,
        headers={"Cache-Control": "no-store"},
        # The generator's finally covers a normal end; this covers a stream that
        # never started iterating (HEAD, or a client gone before the first frame).
        background=BackgroundTask(core.hub.unsubscribe, sub),
    )


async def _frames(core: ServerCore, sub: Subscriber, first: bytes) -> AsyncIterator[bytes]:
    try:
        yield first
        while True:
            try:
                async with asyncio.timeout(core.config.ping_seconds):
                    frame = await sub.queue.get()
            except TimeoutError:
                if sub.closed:
                    return
                ping = _ping_or_lost(core, sub)
                yield ping.data
                if ping.last:
                    return
                continue
            if frame.data:
                yield frame.data
            if frame.last:
                return
    finally:
        core.hub.unsubscribe(sub)


def _ping_or_lost(core: ServerCore, sub: Subscriber) -> Frame:
    """A keep-alive, unless the session quietly went away (then session_lost)."""
    session = core.sessions.live(sub.sid)
    now_ms = int(core.now() * 1000)
    if session is None or session.mailbox_id != sub.mailbox_id:
        return Frame(encode("session_lost", {"email": sub.email, "ts": now_ms}), last=True)
    payload = {**core.state_payload(sub.mailbox_id, sub.email), "ping": True}
    return Frame(encode("ping", payload))
