"""The mailbox event stream over a fake text/event-stream body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from tests.api.fakes import EVENT_TOKEN, FakeApi, json_reply, raw_reply, stream_reply
from tmtui.api import (
    InvalidSession,
    MailboxEvent,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    Secret,
    TempMailClient,
    TransportError,
    Unavailable,
    mailbox_events,
)
from tmtui.api.events import parse_event

SSE = {"content-type": "text/event-stream", "cache-control": "no-cache"}

STATE = {"email": "demo@tempmailmmo.com", "connected": True, "count": 2,
         "connected_folders": ["INBOX", "Junk"], "watched_folders": ["INBOX", "Junk"],
         "folders": ["INBOX", "Junk"], "ts": 1710000000000}
CHANGED = {"email": "demo@tempmailmmo.com", "reason": "new_mail", "connected": True, "count": 3,
           "total_count": 3, "prevCount": 2, "folder": "INBOX", "path": "INBOX",
           "connected_folders": ["INBOX"], "ts": 1710000001000}
PING = {**STATE, "ping": True, "ts": 1710000002000}
LOST = {"email": "demo@tempmailmmo.com", "ts": 1710000003000}


def frame(event: str, data: object, retry: int | None = None) -> bytes:
    text = "" if retry is None else f"retry: {retry}\n"
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{text}event: {event}\ndata: {payload}\n\n".encode()


async def collect(client: TempMailClient) -> tuple[list[MailboxEvent], int | None]:
    async with client.events(Secret(EVENT_TOKEN)) as stream:
        events = [event async for event in stream]
        return events, stream.retry_ms


async def test_fake_transport_sse_all_four_events_and_retry_hint(fake: FakeApi, client: TempMailClient) -> None:
    body = [b"retry: 2000\n\n", frame("state", STATE), b": keepalive comment\n\n",
            frame("changed", CHANGED), frame("ping", PING), frame("session_lost", LOST)]
    fake.on("/events/mailbox", stream_reply(body, headers=SSE))
    events, retry_ms = await collect(client)
    assert [e.kind for e in events] == ["state", "changed", "ping", "session_lost"]
    assert retry_ms == 2000
    state, changed, ping, lost = events
    assert state.email == "demo@tempmailmmo.com" and state.connected is True and state.count == 2
    assert state.connected_folders == ("INBOX", "Junk") and state.folders == ("INBOX", "Junk")
    assert state.ts == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert state.retry_ms == 2000
    assert (changed.reason, changed.count, changed.total_count, changed.prev_count) == ("new_mail", 3, 3, 2)
    assert (changed.folder, changed.path) == ("INBOX", "INBOX")
    assert ping.kind == "ping" and ping.count == 2
    assert lost.email == "demo@tempmailmmo.com" and lost.ts == datetime(2024, 3, 9, 16, 0, 3, tzinfo=UTC)
    request = fake.requests[0]
    assert request.method == "GET" and request.url.params["token"] == EVENT_TOKEN
    assert request.headers["accept"] == "text/event-stream"


async def test_fake_transport_sse_retry_inside_an_event_frame(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", stream_reply([frame("state", STATE, retry=5000)], headers=SSE))
    events, retry_ms = await collect(client)
    assert retry_ms == 5000 and events[0].retry_ms == 5000


async def test_fake_transport_sse_unknown_and_malformed_are_ignored(fake: FakeApi, client: TempMailClient) -> None:
    body = [frame("hello", {"x": 1}), frame("state", "{not json"), frame("ping", "[1, 2]"),
            b"data: an unnamed message\n\n", frame("state", STATE)]
    fake.on("/events/mailbox", stream_reply(body, headers=SSE))
    events, retry_ms = await collect(client)
    assert [e.kind for e in events] == ["state"]
    assert retry_ms is None


async def test_fake_transport_sse_changed_and_lost_survive_malformed_data(
        fake: FakeApi, client: TempMailClient) -> None:
    body = [frame("changed", "{broken"), frame("session_lost", "")]
    fake.on("/events/mailbox", stream_reply(body, headers=SSE))
    events, _ = await collect(client)
    assert [e.kind for e in events] == ["changed", "session_lost"]
    assert events[0].count is None and events[1].email == ""


async def test_fake_transport_sse_frames_split_across_chunks(fake: FakeApi, client: TempMailClient) -> None:
    raw = b"retry: 2000\n\n" + frame("state", STATE).replace(b"\n", b"\r\n") + frame("changed", CHANGED)
    chunks = [raw[i:i + 7] for i in range(0, len(raw), 7)]
    fake.on("/events/mailbox", stream_reply(chunks, headers=SSE))
    events, retry_ms = await collect(client)
    assert [e.kind for e in events] == ["state", "changed"] and retry_ms == 2000


def test_event_fields_are_lenient() -> None:
    data = json.dumps({"email": 5, "connected": "1", "count": "7", "total_count": "lots",
                       "prev_count": 6, "folders": ["INBOX", {"name": "Junk"}, 3], "ts": "1710000000",
                       "error": {"message": "imap down"}})
    event = parse_event("state", data, None)
    assert event is not None
    assert event.email == "5" and event.connected is True and event.count == 7
    assert event.total_count is None and event.prev_count == 6
    assert event.folders == ("INBOX", "Junk")
    assert event.ts == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)  # seconds read as seconds
    counted = parse_event("state", json.dumps({"folders": {"INBOX": 3, "Junk": 0}}), None)
    assert counted is not None and counted.folders == ("INBOX", "Junk")
    assert event.error is not None and "imap down" in event.error


@pytest.mark.parametrize(("status", "error_type"), [
    (401, InvalidSession), (429, RateLimited), (503, Unavailable),
])
async def test_fake_transport_sse_connect_errors_are_typed(
        fake: FakeApi, client: TempMailClient, status: int, error_type: type[Exception]) -> None:
    headers = {"Retry-After": "5"} if status == 429 else {}
    fake.on("/events/mailbox", json_reply({"error": "nope"}, status, headers))
    with pytest.raises(error_type) as info:
        async with client.events(Secret(EVENT_TOKEN)):
            raise AssertionError("must not connect")
    if status == 429:
        assert info.value.retry_after == 5.0  # type: ignore[attr-defined]
    assert EVENT_TOKEN not in str(info.value)
    assert len(fake.requests) == 1  # the sync layer decides about reconnecting


async def test_fake_transport_sse_non_stream_200_is_protocol_error(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", raw_reply("<html>login</html>"))
    with pytest.raises(ProtocolError):
        async with client.events(Secret(EVENT_TOKEN)):
            pass


async def test_fake_transport_sse_connect_failure_hides_the_url(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", httpx.ConnectError(f"cannot reach http://api.test/events/mailbox?token={EVENT_TOKEN}"))
    with pytest.raises(TransportError) as info:
        async with client.events(Secret(EVENT_TOKEN)):
            pass
    assert EVENT_TOKEN not in str(info.value) and EVENT_TOKEN not in repr(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


async def test_fake_transport_sse_stream_breaking_mid_way_is_transport_error(
        fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", stream_reply(
        [frame("state", STATE), httpx.RemoteProtocolError(f"peer closed; url token={EVENT_TOKEN}")], headers=SSE))
    seen: list[MailboxEvent] = []
    with pytest.raises(TransportError) as info:
        async for event in mailbox_events(client, Secret(EVENT_TOKEN)):
            seen.append(event)
    assert [e.kind for e in seen] == ["state"]
    assert not isinstance(info.value, RequestTimeout)
    assert EVENT_TOKEN not in str(info.value) and info.value.__cause__ is None


async def test_fake_transport_sse_silent_stream_is_request_timeout(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", stream_reply([frame("state", STATE), httpx.ReadTimeout("quiet")], headers=SSE))
    with pytest.raises(RequestTimeout):
        async for _ in mailbox_events(client, Secret(EVENT_TOKEN)):
            pass


async def test_fake_transport_sse_read_timeout_is_configurable(fake: FakeApi, client: TempMailClient) -> None:
    captured: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request.extensions["timeout"])
        return httpx.Response(200, content=frame("state", STATE), headers=SSE)

    fake.on("/events/mailbox", handler)
    async with client.events(Secret(EVENT_TOKEN), read_timeout=45.0) as stream:
        assert [e.kind async for e in stream] == ["state"]
    assert captured[0]["read"] == 45.0 and captured[0]["connect"] == 12.0


async def test_fake_transport_sse_path_prefix(fake: FakeApi) -> None:
    fake.on("/events/mailbox", stream_reply([frame("state", STATE)], headers=SSE))
    async with fake.client("http://api.test/tool/") as client:
        await collect(client)
    assert fake.requests[0].url.path == "/tool/events/mailbox"


async def test_stream_repr_hides_the_token(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/events/mailbox", stream_reply([frame("state", STATE)], headers=SSE))
    async with client.events(Secret(EVENT_TOKEN)) as stream:
        assert EVENT_TOKEN not in repr(stream) and EVENT_TOKEN not in repr(vars(stream))
