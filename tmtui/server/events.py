"""Per-mailbox fan-out of SSE frames to open /events/mailbox streams.

Every stream has its own bounded asyncio.Queue. Publishing encodes the event
once and does ``put_nowait`` per subscriber, so 200 streams on one mailbox cost
microseconds to notify. A stream that stops reading (queue full) is cut: its
client reconnects and gets a fresh ``state``, which beats piling up memory.
Everything here runs on the server loop's thread; there are no locks.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sse_starlette.event import ServerSentEvent

QUEUE_SIZE = 256


@dataclass(frozen=True, slots=True)
class Frame:
    """Encoded SSE bytes; ``last`` ends the stream after they are sent."""

    data: bytes
    last: bool = False


CLOSE = Frame(b"", last=True)


def encode(event: str, payload: dict[str, Any], retry: int | None = None) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return ServerSentEvent(data, event=event, retry=retry).encode()


@dataclass(eq=False)
class Subscriber:
    """One open event stream: the session and mailbox it was opened for."""

    sid: str
    mailbox_id: int
    email: str
    ip: str
    queue: asyncio.Queue[Frame] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    closed: bool = False

    def offer(self, frame: Frame) -> None:
        if self.closed:
            return
        if frame.last:
            self.closed = True
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            self._cut(frame if frame.last else CLOSE)

    def _cut(self, final: Frame) -> None:
        """A slow reader: drop what is queued and end the stream with ``final``."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.closed = True
        self.queue.put_nowait(final)


class EventHub:
    """Open streams indexed by mailbox (for ``changed``) and by session (for ``session_lost``).

    A session holds at most ``per_session`` streams: a new one closes the
    session's oldest (a plain end of stream, no ``session_lost``: its client may
    reconnect). One event token shared by 100 addresses used to hold 1,000
    streams and lock every other user out with 503.
    """

    def __init__(self, per_session: int = 3) -> None:
        self.per_session = max(1, per_session)
        self._by_mailbox: dict[int, set[Subscriber]] = {}
        self._by_sid: dict[str, dict[Subscriber, None]] = {}  # ordered: oldest first
        self._per_ip: Counter[str] = Counter()
        self._total = 0
        self._moved = asyncio.Event()

    @property
    def total(self) -> int:
        return self._total

    def count_for_ip(self, ip: str) -> int:
        return self._per_ip[ip]

    def count_for_mailbox(self, mailbox_id: int) -> int:
        return len(self._by_mailbox.get(mailbox_id, ()))

    def email_of(self, mailbox_id: int) -> str | None:
        """The address a mailbox's open streams were opened for (None: no stream)."""
        for sub in self._by_mailbox.get(mailbox_id, ()):
            return sub.email
        return None

    def subscribe(self, sid: str, mailbox_id: int, email: str, ip: str) -> Subscriber:
        siblings = self._by_sid.setdefault(sid, {})
        open_ones = [s for s in siblings if not s.closed]
        for old in open_ones[: max(0, len(open_ones) - self.per_session + 1)]:
            old.offer(CLOSE)
        sub = Subscriber(sid=sid, mailbox_id=mailbox_id, email=email, ip=ip)
        self._by_mailbox.setdefault(mailbox_id, set()).add(sub)
        siblings[sub] = None
        self._per_ip[ip] += 1
        self._total += 1
        self._notify()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Idempotent: the stream's ``finally`` and its background task both call it."""
        subs = self._by_mailbox.get(sub.mailbox_id)
        if subs is None or sub not in subs:
            return
        subs.discard(sub)
        if not subs:
            del self._by_mailbox[sub.mailbox_id]
        by_sid = self._by_sid.get(sub.sid)
        if by_sid is not None:
            by_sid.pop(sub, None)
            if not by_sid:
                del self._by_sid[sub.sid]
        self._per_ip[sub.ip] -= 1
        if self._per_ip[sub.ip] <= 0:
            del self._per_ip[sub.ip]
        self._total -= 1
        sub.closed = True
        self._notify()

    def publish(self, mailbox_id: int, frame: Frame) -> int:
        """Send one frame to every stream of a mailbox; returns how many got it."""
        subs = self._by_mailbox.get(mailbox_id, ())
        for sub in tuple(subs):
            sub.offer(frame)
        return len(subs)

    def session_lost(self, sid: str, ts_ms: int) -> int:
        """End every stream of a session with ``session_lost`` (email, ts); returns how many."""
        subs = tuple(self._by_sid.get(sid, ()))
        for sub in subs:
            sub.offer(Frame(encode("session_lost", {"email": sub.email, "ts": ts_ms}), last=True))
        return len(subs)

    def streaming_sids(self) -> list[str]:
        return list(self._by_sid)

    def close(self, mailbox_id: int | None = None) -> int:
        """Cut streams (all, or one mailbox's) without session_lost: clients just reconnect."""
        if mailbox_id is None:
            subs = [s for group in self._by_mailbox.values() for s in group]
        else:
            subs = list(self._by_mailbox.get(mailbox_id, ()))
        for sub in subs:
            sub.offer(CLOSE)
        return len(subs)

    def _notify(self) -> None:
        # Wake whoever waits for the stream count to change (tests, via control).
        self._moved.set()
        self._moved = asyncio.Event()

    async def wait_until(self, predicate: Any, timeout: float) -> None:
        """Wait until ``predicate(self)`` is true; TimeoutError after ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            while not predicate(self):
                await self._moved.wait()
