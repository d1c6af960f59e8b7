"""Contract tests: TempMailClient against the real reference server on loopback.

Servers come from the shared fixtures in tests/conftest.py (``server``,
``start_server``), here with the welcome mail on, as the real service sends one.
Waits are on events (asyncio.wait_for), never sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tmtui.api import (
    AddressInUse,
    BadRequest,
    InvalidSession,
    MailboxEvent,
    MailboxEventStream,
    MailboxNotFound,
    NotFound,
    RateLimited,
    Secret,
    Session,
    SessionMeta,
    TempMailClient,
    TooLarge,
    Unavailable,
)

pytest.importorskip("tmtui.server.runner")  # the server extra may be absent in client-only runs
from tests.support.mail import build_mail, deliver

MB = 1024 * 1024
EVENT_WAIT = 10.0  # a bound on waiting, never a measurement: delivery latency is a benchmark


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that keeps every request, to count and inspect them."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def actions(self, name: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.params.get("f") == name]


ServerFactory = Callable[..., Awaitable[Any]]


@pytest.fixture
def server_config(server_config: Any) -> Any:
    """The shared config, with the welcome mail every new mailbox gets in production."""
    return replace(server_config, welcome_mail=True)


@pytest.fixture
def make_server(start_server: ServerFactory) -> ServerFactory:
    async def start(**overrides: Any) -> Any:
        return await start_server(**{"welcome_mail": True, **overrides})

    return start


@pytest.fixture
async def client(server: Any) -> AsyncIterator[TempMailClient]:
    async with TempMailClient(server.base_url, transport=RecordingTransport()) as client:
        yield client


def recorded(client: TempMailClient) -> RecordingTransport:
    transport = client.http._transport  # the RecordingTransport given to the client
    assert isinstance(transport, RecordingTransport)
    return transport


def otp_mail(to: str, attachments: tuple[tuple[str, bytes], ...] = (), spam: bool = False) -> bytes:
    return build_mail(to, subject="Your code", text="Your code is 424242", attachments=attachments,
                      headers={"X-Spam-Flag": "YES"} if spam else None)


async def next_event(stream: MailboxEventStream, kind: str, timeout: float = EVENT_WAIT) -> MailboxEvent:
    """The next event of ``kind`` (skipping pings), within ``timeout`` seconds."""

    async def find() -> MailboxEvent:
        async for event in stream:
            if event.kind == kind:
                return event
        raise AssertionError(f"stream ended before a {kind} event")

    return await asyncio.wait_for(find(), timeout)


def token_of(session: Session) -> Secret:
    assert session.meta.event_token is not None
    return session.meta.event_token


# --- every action --------------------------------------------------------------

async def test_contract_every_action(server: Any, client: TempMailClient) -> None:
    health = await client.health()
    assert health.ok

    catalog = await client.get_domains()
    assert catalog.domains == ("a.test", "b.test") and catalog.default_domain == "a.test"

    session = await client.get_email_address(domain="b.test", lang="en")
    assert session.domain == "b.test" and session.address.endswith("@b.test")
    assert len(session.sid_token.reveal()) == 48
    assert session.meta.expires_at is not None and session.meta.ttl_minutes == 1440
    assert session.catalog == catalog

    page = await client.get_email_list(session.sid_token)
    assert page.count == 1 and page.messages[0].subject == "Welcome to TempMail MMO"
    assert page.messages[0].read is False

    welcome = await client.fetch_email(session.sid_token, page.messages[0].id)
    assert "is ready" in welcome.html and welcome.attachments == ()
    assert (await client.get_email_list(session.sid_token)).messages[0].read is True

    restored = await client.get_email_address(sid_token=session.sid_token)
    assert restored.sid_token == session.sid_token and restored.address == session.address

    moved = await client.set_email_user(session.sid_token, "custom_name", "a.test")
    assert moved.address == "custom_name@a.test" and moved.sid_token == session.sid_token

    server.control.deliver(moved.address, otp_mail(moved.address, attachments=(("otp.pdf", b"%PDF" * 100),)))
    page = await client.get_email_list(moved.sid_token)
    mail = next(m for m in page.messages if m.has_attachment)
    message = await client.fetch_email(moved.sid_token, mail.id)
    attachment = message.attachments[0]
    assert (attachment.name, attachment.size) == ("otp.pdf", 400)
    chunks: list[bytes] = []
    size = await client.download_attachment(moved.sid_token, mail.id, attachment.name, chunks.append,
                                            expected_size=attachment.size)
    assert size == 400 and b"".join(chunks) == b"%PDF" * 100

    assert await client.delete_emails(moved.sid_token, [m.id for m in page.messages]) == len(page.messages)
    assert (await client.get_email_list(moved.sid_token)).messages == ()

    async with TempMailClient(server.base_url) as other:
        reopened = await other.open_email_address(moved.address, force_takeover=True)
    assert reopened.address == moved.address


async def test_contract_junk_ids_round_trip(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    junk_id = server.control.deliver(session.address, otp_mail(session.address, spam=True))
    page = await client.get_email_list(session.sid_token)
    junk = next(m for m in page.messages if m.is_junk)
    assert junk.id == junk_id and junk.id.startswith("Junk:")
    assert (await client.fetch_email(session.sid_token, junk.id)).id == junk.id
    assert await client.delete_emails(session.sid_token, [junk.id]) == 1


# --- documented errors ---------------------------------------------------------

async def test_contract_401_for_unknown_and_ended_sessions(server: Any, client: TempMailClient) -> None:
    with pytest.raises(InvalidSession) as info:
        await client.get_email_list(Secret("f" * 48))
    assert info.value.server_error == "Missing or invalid sid_token"
    session = await client.get_email_address()
    server.control.invalidate_session(session.address)
    with pytest.raises(InvalidSession):
        await client.fetch_email(session.sid_token, "1")


async def test_contract_404_email_not_found_is_not_mailbox_not_found(client: TempMailClient) -> None:
    session = await client.get_email_address()
    with pytest.raises(NotFound) as info:
        await client.fetch_email(session.sid_token, "999999")
    assert not isinstance(info.value, MailboxNotFound)
    with pytest.raises(NotFound):
        await client.download_attachment(session.sid_token, "1", "nope.bin", lambda c: None)


async def test_contract_404_mailbox_not_found(server: Any, client: TempMailClient) -> None:
    with pytest.raises(MailboxNotFound) as info:
        await client.open_email_address("never-existed@a.test")
    assert info.value.code == "MAILBOX_NOT_FOUND"
    session = await client.get_email_address()
    server.control.delete_mailbox(session.address)
    with pytest.raises(MailboxNotFound):
        await client.open_email_address(session.address)


async def test_contract_409_address_in_use(server: Any, client: TempMailClient) -> None:
    owner = await client.get_email_address()
    async with TempMailClient(server.base_url) as other:
        intruder = await other.get_email_address()
        with pytest.raises(AddressInUse) as info:
            await other.set_email_user(intruder.sid_token, owner.user, owner.domain)
        assert info.value.server_error == "Email address is already in use by another session"
        with pytest.raises(AddressInUse):
            await other.open_email_address(owner.address)


async def test_contract_400_invalid_user(client: TempMailClient) -> None:
    session = await client.get_email_address()
    with pytest.raises(BadRequest) as info:
        await client.set_email_user(session.sid_token, "x!")
    assert info.value.server_error is not None and "email_user" in info.value.server_error


async def test_contract_429_retry_after_is_honoured(make_server: ServerFactory) -> None:
    server = await make_server(requests_per_minute=2)

    async def sleep_on_server_clock(seconds: float) -> None:
        server.control.advance_clock(seconds)  # waiting, as the server sees it

    transport = RecordingTransport()
    async with TempMailClient(server.base_url, transport=transport, sleep=sleep_on_server_clock) as client:
        await client.get_domains()
        await client.get_domains()
        await client.get_domains()  # 429, sleeps Retry-After, then succeeds
    assert len(transport.requests) == 4
    server.control.advance_clock(61)  # empty the window again
    async with TempMailClient(server.base_url, max_retries=0) as client:
        await client.get_domains()
        await client.get_domains()
        with pytest.raises(RateLimited) as info:
            await client.get_domains()
    assert info.value.retry_after is not None and 1 <= info.value.retry_after <= 60


async def test_contract_413_from_the_server(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    big = b"\x00" * (5 * MB + 1)
    mail_id = server.control.deliver(session.address, otp_mail(session.address, attachments=(("big.bin", big),)))
    received: list[bytes] = []
    with pytest.raises(TooLarge) as info:
        await client.download_attachment(session.sid_token, mail_id, "big.bin", received.append)
    assert info.value.status == 413 and info.value.server_error == "Attachment too large"
    assert received == []


async def test_contract_client_5mb_limit_when_the_server_allows_more(make_server: ServerFactory) -> None:
    server = await make_server(max_attachment_bytes=8 * MB)
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
        blob = bytes(range(256)) * (22 * 1024)  # 5.5 MB
        mail_id = server.control.deliver(session.address,
                                         otp_mail(session.address, attachments=(("big.bin", blob),)))
        with pytest.raises(TooLarge) as info:
            await client.download_attachment(session.sid_token, mail_id, "big.bin", lambda c: None)
        assert info.value.server_error is None  # our own limit, from Content-Length
        chunks: list[bytes] = []
        size = await client.download_attachment(session.sid_token, mail_id, "big.bin", chunks.append,
                                                max_bytes=6 * MB, expected_size=len(blob))
    assert size == len(blob) and b"".join(chunks) == blob
    assert len(chunks) > 1  # streamed, not held whole


# --- pagination, clamping, batching --------------------------------------------

async def test_contract_pagination_through_a_big_mailbox(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    server.control.seed(session.address, 1234)
    messages = await client.get_all_messages(session.sid_token)
    ids = [m.id for m in messages]
    assert len(ids) == 1235 and len(set(ids)) == 1235  # seeded + welcome
    pages = recorded(client).actions("get_email_list")
    assert len(pages) == 25  # 24 full pages of 50, then 35


async def test_contract_offset_clamping(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    server.control.seed(session.address, 60)
    assert (await client.get_email_list(session.sid_token, offset=-10)).count == 50  # sent as 0
    assert (await client.get_email_list(session.sid_token, offset=50)).count == 11
    assert (await client.get_email_list(session.sid_token, offset=5_000_000)).messages == ()


async def test_contract_delete_250_ids_in_batches_of_100(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    server.control.seed(session.address, 249)
    ids = [m.id for m in await client.get_all_messages(session.sid_token)]
    assert len(ids) == 250
    # The server really refuses more than 100 ids in one request.
    refused = await client.http.post(client.base_url + "/ajax.php", params={"f": "del_email"},
                                     data={"sid_token": session.sid_token.reveal(), "email_ids[]": ids[:101]})
    assert refused.status_code == 400
    assert await client.delete_emails(session.sid_token, ids) == 250
    assert len(recorded(client).actions("del_email")) == 1 + 3
    assert (await client.get_email_list(session.sid_token)).messages == ()


async def test_contract_path_prefixed_base_url(make_server: ServerFactory) -> None:
    server = await make_server(path_prefix="/tool")
    assert server.base_url.endswith("/tool")
    async with TempMailClient(server.base_url + "/") as client:
        assert (await client.health()).ok
        session = await client.get_email_address()
        assert (await client.get_email_list(session.sid_token)).count == 1
        async with client.events(token_of(session)) as stream:
            assert (await next_event(stream, "state")).email == session.address
    async with TempMailClient(server.base_url.removesuffix("/tool")) as wrong:
        with pytest.raises(NotFound):
            await wrong.get_domains()


# --- session meta --------------------------------------------------------------

async def test_contract_meta_refresh_from_headers(server: Any) -> None:
    seen: list[tuple[Secret, SessionMeta]] = []
    async with TempMailClient(server.base_url, on_meta=lambda sid, meta: seen.append((sid, meta))) as client:
        session = await client.get_email_address()
        assert seen[-1] == (session.sid_token, session.meta)
        mail_id = server.control.deliver(session.address,
                                         otp_mail(session.address, attachments=(("a.txt", b"hello"),)))
        server.control.advance_clock(600)
        page = await client.get_email_list(session.sid_token)  # renews
        assert page.meta is not None and session.meta.expires_at is not None
        assert page.meta.expires_at is not None and page.meta.expires_at > session.meta.expires_at
        server.control.advance_clock(600)
        await client.delete_emails(session.sid_token, ["999999"])  # renews, headers only
        after_delete = client.latest_meta(session.sid_token)
        assert after_delete is not None and after_delete.expires_at is not None
        assert after_delete.expires_at > page.meta.expires_at
        before = len(seen)
        await client.download_attachment(session.sid_token, mail_id, "a.txt", lambda c: None)
        assert len(seen) == before + 1 and seen[-1][0] == session.sid_token  # binary: headers only
        assert seen[-1][1].event_token == session.meta.event_token


async def test_contract_rotating_event_token_is_followed(make_server: ServerFactory) -> None:
    server = await make_server(event_token_rotation="on_renewal")
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
        old = token_of(session)
        page = await client.get_email_list(session.sid_token)
        latest = client.latest_meta(session.sid_token)
        assert latest is not None and latest.event_token is not None and latest.event_token != old
        assert page.meta == latest
        with pytest.raises(InvalidSession):
            async with client.events(old):
                pass
        async with client.events(latest.event_token) as stream:
            assert (await next_event(stream, "state")).email == session.address


# --- the event stream ----------------------------------------------------------

async def test_contract_sse_state_then_changed_on_smtp_delivery(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    async with client.events(token_of(session)) as stream:
        state = await next_event(stream, "state")
        assert state.email == session.address and state.count == 1 and state.connected is True
        assert stream.retry_ms == 2000 and state.retry_ms == 2000
        assert set(state.connected_folders) == {"INBOX", "Junk"}
        await deliver(server.smtp_port, session.address, otp_mail(session.address))
        changed = await next_event(stream, "changed")
    assert (changed.reason, changed.count, changed.prev_count, changed.folder) == ("new_mail", 2, 1, "INBOX")
    assert changed.total_count == 2
    assert len((await client.get_email_list(session.sid_token)).messages) == 2


async def test_contract_sse_changed_on_delete(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    async with client.events(token_of(session)) as stream:
        await next_event(stream, "state")
        await client.delete_emails(session.sid_token, ["1"])
        changed = await next_event(stream, "changed")
    assert changed.reason == "deleted" and changed.count == 0 and changed.prev_count == 1


@pytest.mark.parametrize("takeover", ["steal", "share"])
async def test_contract_takeover_both_readings(make_server: ServerFactory, takeover: str) -> None:
    server = await make_server(takeover=takeover)
    async with TempMailClient(server.base_url) as first, TempMailClient(server.base_url) as second:
        owner = await first.get_email_address()
        async with first.events(token_of(owner)) as stream:
            await next_event(stream, "state")
            taken = await second.open_email_address(owner.address, force_takeover=True)
            assert taken.address == owner.address
            if takeover == "steal":
                lost = await next_event(stream, "session_lost")
                assert lost.email == owner.address and lost.ts is not None
                with pytest.raises(InvalidSession):
                    await first.get_email_list(owner.sid_token)
            else:
                assert taken.sid_token == owner.sid_token  # handed the owner's session
        assert (await second.get_email_list(taken.sid_token)).count == 1


async def test_contract_set_email_user_loses_the_old_stream(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    async with client.events(token_of(session)) as old_stream:
        await next_event(old_stream, "state")
        moved = await client.set_email_user(session.sid_token, "fresh_name")
        await next_event(old_stream, "session_lost")
    assert token_of(moved) != token_of(session)
    async with client.events(token_of(moved)) as stream:
        assert (await next_event(stream, "state")).email == "fresh_name@a.test"


async def test_contract_expiry_then_reopen(make_server: ServerFactory) -> None:
    server = await make_server(ttl_minutes=5)
    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
        async with client.events(token_of(session)) as stream:
            await next_event(stream, "state")
            server.control.advance_clock(301)
            await next_event(stream, "session_lost")
        with pytest.raises(InvalidSession):
            await client.get_email_list(session.sid_token)
        reopened = await client.open_email_address(session.address)
        assert reopened.sid_token != session.sid_token
        assert (await client.get_email_list(reopened.sid_token)).count == 1  # the mail stayed


@pytest.mark.parametrize(("status", "error_type"), [(401, InvalidSession), (429, RateLimited), (503, Unavailable)])
async def test_contract_sse_refused_on_connect(server: Any, client: TempMailClient, status: int,
                                              error_type: type[Exception]) -> None:
    session = await client.get_email_address()
    server.control.refuse_sse(status)
    with pytest.raises(error_type):
        async with client.events(token_of(session)):
            pass
    server.control.refuse_sse(None)
    async with client.events(token_of(session)) as stream:
        await next_event(stream, "state")


async def test_contract_sse_invalid_token_is_401(client: TempMailClient) -> None:
    with pytest.raises(InvalidSession):
        async with client.events(Secret("not-a-real-token")):
            pass


async def test_contract_sse_dropped_stream_ends_iteration(server: Any, client: TempMailClient) -> None:
    session = await client.get_email_address()
    async with client.events(token_of(session)) as stream:
        await next_event(stream, "state")
        await server.control.wait_streams(1)
        server.control.drop_streams(session.address)
        rest = await asyncio.wait_for(_drain(stream), EVENT_WAIT)
    assert rest == []


async def _drain(stream: MailboxEventStream) -> list[MailboxEvent]:
    return [event async for event in stream]


# --- token hygiene on the wire and in logs ---------------------------------------

async def test_contract_tokens_stay_out_of_urls_and_logs(server: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    transport = RecordingTransport()
    async with TempMailClient(server.base_url, transport=transport) as client:
        session = await client.get_email_address()
        mail_id = server.control.deliver(session.address,
                                         otp_mail(session.address, attachments=(("a.txt", b"hi"),)))
        page = await client.get_email_list(session.sid_token)
        await client.fetch_email(session.sid_token, mail_id)
        await client.download_attachment(session.sid_token, mail_id, "a.txt", lambda c: None)
        async with client.events(token_of(session)) as stream:
            await next_event(stream, "state")
        await client.delete_emails(session.sid_token, [m.id for m in page.messages])
        with pytest.raises(InvalidSession):
            async with client.events(Secret(token_of(session).reveal() + "x")):
                pass
    sid, event_token = session.sid_token.reveal(), token_of(session).reveal()
    for request in transport.requests:
        assert sid not in str(request.url)
        if not request.url.path.endswith("/events/mailbox"):
            assert event_token not in str(request.url)
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    assert any("events/mailbox?token=***" in r.getMessage() for r in caplog.records)
    assert sid not in caplog.text and event_token not in caplog.text
