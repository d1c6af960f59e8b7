"""Token hygiene: sid_token only in bodies, event token only in the SSE URL, never logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from tests.api.fakes import (
    EVENT_TOKEN,
    EVENT_TOKEN2,
    SID,
    FakeApi,
    catalog_body,
    form,
    json_reply,
    message_body,
    meta_headers,
    page_body,
    session_body,
    stream_reply,
)
from tmtui.api import ApiError, InvalidSession, Secret, TempMailClient
from tmtui.api.redact import redact

SSE = {"content-type": "text/event-stream"}
OCTET = {"content-type": "application/octet-stream", **meta_headers(token=EVENT_TOKEN2)}


def full_fake() -> FakeApi:
    fake = FakeApi()
    fake.on("get_domains", json_reply(catalog_body()))
    fake.on("get_email_address", json_reply(session_body()))
    fake.on("set_email_user", json_reply(session_body(address="custom@tempmailmmo.com")))
    fake.on("open_email_address", json_reply(session_body()))
    fake.on("get_email_list", json_reply(page_body(["1", "Junk:2"]), headers=meta_headers()))
    fake.on("fetch_email", json_reply(message_body(), headers=meta_headers()))
    fake.on("fetch_attachment", stream_reply([b"%PDF-1.4 ..."], headers=OCTET))
    fake.on("del_email", json_reply({"deleted": 2}, headers=meta_headers()))
    fake.on("/health", json_reply({"ok": True}))
    fake.on("/events/mailbox", stream_reply(
        [b"retry: 2000\n\nevent: state\ndata: {\"email\": \"demo@tempmailmmo.com\"}\n\n"], headers=SSE))
    return fake


async def run_session(client: TempMailClient) -> None:
    await client.get_domains()
    await client.health()
    session = await client.get_email_address(lang="en")
    sid = session.sid_token
    session = await client.set_email_user(sid, "custom", "tempmailmmo.com")
    await client.open_email_address("demo@tempmailmmo.com", force_takeover=True, sid_token=sid)
    await client.get_email_address(sid_token=sid)
    page = await client.get_email_list(sid)
    await client.fetch_email(sid, page.messages[0].id)
    await client.download_attachment(sid, "1", "otp.pdf", lambda chunk: None)
    await client.delete_emails(sid, ["1", "Junk:2"])
    assert session.meta.event_token is not None
    async with client.events(session.meta.event_token) as stream:
        async for _ in stream:
            pass


async def test_fake_transport_sid_token_never_in_any_url_and_event_token_only_in_sse() -> None:
    fake = full_fake()
    async with fake.client() as client:
        await run_session(client)
    assert len(fake.requests) == 11
    for request in fake.requests:
        url = str(request.url)
        assert SID not in url
        if request.url.path.endswith("/events/mailbox"):
            assert request.url.params["token"] == EVENT_TOKEN
            assert request.method == "GET" and not request.content
        else:
            assert "token" not in url
            assert EVENT_TOKEN not in request.content.decode()
    posts = [r for r in fake.requests if r.method == "POST"]
    assert all(r.headers["content-type"] == "application/x-www-form-urlencoded" for r in posts)
    with_sid = [r for r in posts if "sid_token" in form(r)]
    assert len(with_sid) == 7  # set_email_user, open, restore, list, fetch, attachment, delete


async def test_fake_transport_debug_logs_of_a_full_session_contain_no_token(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = full_fake()
    async with fake.client() as client:
        await run_session(client)
    text = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "tmtui.api" in text and "get_email_list" in text  # logging really happened
    assert "/events/mailbox?token=***" in text  # httpx logged the SSE URL, redacted
    for secret in (SID, EVENT_TOKEN, EVENT_TOKEN2):
        assert secret not in text
        assert secret not in caplog.text


async def test_fake_transport_errors_never_carry_tokens() -> None:
    fake = FakeApi().on("get_email_list", json_reply({"error": "Missing or invalid sid_token"}, 401))
    async with fake.client() as client:
        with pytest.raises(InvalidSession) as info:
            await client.get_email_list(Secret(SID))
    error: ApiError = info.value
    for text in (str(error), repr(error), repr(error.args)):
        assert SID not in text


def test_secret_redacts_repr_and_str() -> None:
    secret = Secret(SID)
    assert SID not in repr(secret) and SID not in str(secret) and SID not in f"{secret}"
    assert SID not in repr([secret]) and SID not in repr({"k": secret})
    assert secret.reveal() == SID
    assert secret == Secret(SID) and hash(secret) == hash(Secret(SID))
    assert not Secret("")


async def test_fake_transport_models_repr_hides_tokens(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_address", json_reply(session_body()))
    session = await client.get_email_address()
    assert SID not in repr(session) and EVENT_TOKEN not in repr(session)
    assert SID not in repr(client) and SID not in repr(vars(client))


@pytest.mark.parametrize(("text", "expected"), [
    ("GET http://h/events/mailbox?token=abc123 HTTP/1.1", "GET http://h/events/mailbox?token=*** HTTP/1.1"),
    ("sid_token=abc&offset=0", "sid_token=***&offset=0"),
    ('"GET /events/mailbox?token=a%2Fb" 200', '"GET /events/mailbox?token=***" 200'),
    ("nothing to see", "nothing to see"),
    ("return_value=(b'HTTP/1.1', 200, b'OK', [(b'x-mailbox-event-token', b'zoz9J37_-x'), (b'a', b'b')])",
     "return_value=(b'HTTP/1.1', 200, b'OK', [(b'x-mailbox-event-token', b'***'), (b'a', b'b')])"),
    ("X-Mailbox-Event-Token: abc-123\r\nX-Other: 1", "X-Mailbox-Event-Token: ***\r\nX-Other: 1"),
    ('{"mailbox_event_token": "abc", "sid_token":"def"}', '{"mailbox_event_token": "***", "sid_token":"***"}'),
    ("{'sid_token': 'abc'}", "{'sid_token': '***'}"),
])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


# --- a real socket, so httpcore's own DEBUG tracing runs too -----------------

@pytest.fixture
async def sse_socket_server() -> AsyncIterator[str]:
    """A minimal HTTP/1.1 server on loopback answering one SSE response per connection."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b"retry: 2000\n\nevent: state\ndata: {\"email\": \"a@b.test\"}\n\n"
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                     b"x-mailbox-event-token: %s\r\n"
                     b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                     % (EVENT_TOKEN2.encode(), len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/prefix"


async def test_real_socket_httpx_and_httpcore_debug_logs_hide_event_token(
        sse_socket_server: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with TempMailClient(sse_socket_server) as client, client.events(Secret(EVENT_TOKEN)) as stream:
        kinds = [event.kind async for event in stream]
    assert kinds == ["state"] and stream.retry_ms == 2000
    names = {record.name for record in caplog.records}
    assert "httpx" in names and any(name.startswith("httpcore") for name in names)
    assert any("x-mailbox-event-token" in record.getMessage() for record in caplog.records)
    for token in (EVENT_TOKEN, EVENT_TOKEN2):  # the URL's token and the header's
        assert token not in caplog.text
        assert all(token not in record.getMessage() for record in caplog.records)


async def test_real_socket_connection_refused_is_transport_error() -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    from tmtui.api import TransportError
    async with TempMailClient(f"http://127.0.0.1:{port}", max_retries=0) as client:
        with pytest.raises(TransportError):
            await client.get_domains()
        with pytest.raises(TransportError) as info:
            async with client.events(Secret(EVENT_TOKEN)):
                pass
    assert EVENT_TOKEN not in str(info.value)


def test_install_is_idempotent() -> None:
    from tmtui.api.redact import install_log_redaction
    install_log_redaction()
    install_log_redaction()
    for name in ("httpx", "httpcore.http11", "httpcore.connection"):
        assert len([f for f in logging.getLogger(name).filters if type(f).__name__ == "RedactTokensFilter"]) == 1
