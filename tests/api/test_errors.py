"""Status codes become typed errors; the server's text is kept as data, not message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from tests.api.fakes import SID, FakeApi, json_reply, raw_reply
from tmtui.api import (
    AddressInUse,
    ApiError,
    BadRequest,
    Forbidden,
    InvalidSession,
    MailboxNotFound,
    MethodNotAllowed,
    NotFound,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    Secret,
    ServerError,
    TempMailClient,
    TooLarge,
    TransportError,
    Unavailable,
)
from tmtui.api.transport import parse_retry_after


@pytest.mark.parametrize(("status", "error_type"), [
    (400, BadRequest), (401, InvalidSession), (403, Forbidden), (404, NotFound),
    (405, MethodNotAllowed), (409, AddressInUse), (413, TooLarge), (429, RateLimited),
    (500, ServerError), (502, ServerError), (503, Unavailable), (418, ApiError), (504, ServerError),
])
async def test_fake_transport_every_status_becomes_its_typed_error(
        status: int, error_type: type[ApiError]) -> None:
    fake = FakeApi().on("fetch_email", json_reply({"error": f"boom {status}"}, status))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(error_type) as info:
            await client.fetch_email(Secret(SID), "1")
    error = info.value
    assert type(error) is error_type
    assert error.status == status
    assert error.server_error == f"boom {status}"
    assert f"HTTP {status}" in str(error) and "fetch_email" in str(error)


async def test_fake_transport_mailbox_not_found_code(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("open_email_address", json_reply(
        {"error": "Mailbox not found on server", "code": "MAILBOX_NOT_FOUND"}, 404))
    with pytest.raises(MailboxNotFound) as info:
        await client.open_email_address("gone@b.test")
    assert info.value.code == "MAILBOX_NOT_FOUND"
    assert info.value.server_error == "Mailbox not found on server"


async def test_fake_transport_plain_404_is_not_mailbox_not_found(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("fetch_email", json_reply({"error": "Email not found"}, 404))
    with pytest.raises(NotFound) as info:
        await client.fetch_email(Secret(SID), "1")
    assert not isinstance(info.value, MailboxNotFound)


async def test_fake_transport_html_502_page_becomes_server_error() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    fake = FakeApi().on("get_domains", raw_reply(page, status=502))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(ServerError) as info:
            await client.get_domains()
    assert info.value.status == 502
    assert info.value.server_error is None
    assert "<" not in str(info.value) and "nginx" not in str(info.value)


async def test_fake_transport_server_error_text_is_untrusted_data(fake: FakeApi, client: TempMailClient) -> None:
    hostile = "[bold red]pwned[/] \x1b[2J" + "x" * 2000
    fake.on("set_email_user", json_reply({"error": hostile}, 400))
    with pytest.raises(BadRequest) as info:
        await client.set_email_user(Secret(SID), "bad user!")
    # Kept verbatim (capped) as data for the UI's sanitiser, never in the message.
    assert info.value.server_error is not None and info.value.server_error.startswith("[bold red]")
    assert len(info.value.server_error) == 500
    assert "pwned" not in str(info.value)


async def test_fake_transport_redirect_is_protocol_error(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_domains", lambda r: httpx.Response(302, headers={"location": "https://elsewhere/"}))
    with pytest.raises(ProtocolError, match="unexpected HTTP 302"):
        await client.get_domains()


async def test_fake_transport_429_carries_retry_after_seconds() -> None:
    fake = FakeApi().on("get_email_list", json_reply(
        {"error": "Too many requests. Please try again later."}, 429, {"Retry-After": "7"}))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(RateLimited) as info:
            await client.get_email_list(Secret(SID))
    assert info.value.retry_after == 7.0


async def test_fake_transport_429_with_http_date_retry_after() -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    fake = FakeApi().on("get_domains", json_reply({"error": "slow down"}, 429,
                                                  {"Retry-After": format_datetime(when, usegmt=True)}))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(RateLimited) as info:
            await client.get_domains()
    assert info.value.retry_after is not None and 100 < info.value.retry_after <= 120


@pytest.mark.parametrize(("header", "expected"), [
    ("30", 30.0), (" 2.5 ", 2.5), ("-3", 0.0), ("", None), (None, None), ("soon", None),
    ("nan", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_retry_after_forms(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date_relative_to_now() -> None:
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == 60.0


async def test_fake_transport_connect_error_becomes_transport_error() -> None:
    fake = FakeApi().on("get_domains", httpx.ConnectError("[Errno 111] Connection refused"))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(TransportError) as info:
            await client.get_domains()
    assert not isinstance(info.value, RequestTimeout)
    assert "ConnectError" in str(info.value)


async def test_fake_transport_read_timeout_headers_slower_than_timeout_is_request_timeout() -> None:
    fake = FakeApi().on("get_email_list", httpx.ReadTimeout("timed out"))
    async with fake.client() as client:
        with pytest.raises(RequestTimeout) as info:
            await client.get_email_list(Secret(SID))
    assert "12 s" in str(info.value)
    assert len(fake.requests) == 1  # a read timeout is not retried


async def test_fake_transport_hanging_server_hits_the_total_deadline() -> None:
    import asyncio

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    client = TempMailClient("http://api.test", transport=httpx.MockTransport(hang))
    client._transport.timeout = 0.05  # the 10-15 s floor is for real use; keep the test fast
    async with client:
        with pytest.raises(RequestTimeout):
            await client.health()


async def test_fake_transport_undecodable_gzip_body_is_protocol_error(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_domains", raw_reply(b"\x00not gzip", content_type="application/json",
                                     headers={"content-encoding": "gzip"}))
    with pytest.raises(ProtocolError, match="could not be decoded"):
        await client.get_domains()
