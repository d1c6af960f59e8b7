"""The retry policy: backoff for idempotent calls only, Retry-After for 429."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.api.fakes import (
    SID,
    FakeApi,
    catalog_body,
    json_reply,
    message_body,
    page_body,
    session_body,
)
from tmtui.api import (
    STATUS_ERRORS,
    RateLimited,
    RequestTimeout,
    Secret,
    ServerError,
    TempMailClient,
    TransportError,
    Unavailable,
)

Call = Callable[[TempMailClient], Awaitable[object]]

IDEMPOTENT: dict[str, tuple[Call, dict[str, object]]] = {
    "get_domains": (lambda c: c.get_domains(), catalog_body()),
    "get_email_list": (lambda c: c.get_email_list(Secret(SID)), page_body(["1"])),
    "fetch_email": (lambda c: c.fetch_email(Secret(SID), "1"), message_body()),
    "del_email": (lambda c: c.delete_emails(Secret(SID), ["1", "2"]), {"deleted": 2}),
    "/health": (lambda c: c.health(), {"ok": True}),
}
CREATION: dict[str, Call] = {
    "get_email_address": lambda c: c.get_email_address(),
    "get_email_address+sid": lambda c: c.get_email_address(sid_token=Secret(SID)),
    "set_email_user": lambda c: c.set_email_user(Secret(SID), "custom"),
    "open_email_address": lambda c: c.open_email_address("old@b.test"),
}
FAILURES = {
    "502": json_reply({"error": "Upstream"}, 502),
    "503": json_reply({"error": "Not configured"}, 503),
    "connect": httpx.ConnectError("refused"),
    "reset": httpx.ReadError("connection reset"),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("route", list(IDEMPOTENT))
async def test_fake_transport_idempotent_calls_retry_then_succeed(route: str, failure: str) -> None:
    call, body = IDEMPOTENT[route]
    fake = FakeApi().on(route.split("+")[0], FAILURES[failure], FAILURES[failure], json_reply(body))
    async with fake.client() as client:
        await call(client)
    assert len(fake.requests) == 3
    assert fake.sleeps == [0.5, 1.0]  # jitter pinned to 1.0: the exponential ceiling


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_fake_transport_idempotent_calls_give_up_after_max_retries(failure: str) -> None:
    fake = FakeApi().on("get_email_list", FAILURES[failure])
    async with fake.client(max_retries=3) as client:
        with pytest.raises((ServerError, Unavailable, TransportError)):
            await client.get_email_list(Secret(SID))
    assert len(fake.requests) == 4
    assert fake.sleeps == [0.5, 1.0, 2.0]


async def test_fake_transport_backoff_uses_full_jitter_and_a_cap() -> None:
    fake = FakeApi().on("get_domains", json_reply({"error": "x"}, 503))
    draws = iter([0.25, 0.5, 0.1, 1.0, 1.0, 1.0])
    async with fake.client(max_retries=6, jitter=lambda: next(draws)) as client:
        with pytest.raises(Unavailable):
            await client.get_domains()
    assert fake.sleeps == [0.125, 0.5, 0.2, 4.0, 8.0, 8.0]


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("route", list(CREATION))
async def test_fake_transport_creation_is_never_retried(route: str, failure: str) -> None:
    fake = FakeApi().on(route.split("+")[0], FAILURES[failure], json_reply(session_body()))
    async with fake.client() as client:
        with pytest.raises((ServerError, Unavailable, TransportError)):
            await CREATION[route](client)
    assert len(fake.requests) == 1
    assert fake.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 404, 409, 500])
async def test_fake_transport_other_statuses_are_not_retried(status: int) -> None:
    fake = FakeApi().on("get_email_list", json_reply({"error": "no"}, status), json_reply(page_body([])))
    async with fake.client() as client:
        with pytest.raises(STATUS_ERRORS[status]):
            await client.get_email_list(Secret(SID))
    assert len(fake.requests) == 1


async def test_fake_transport_connect_timeout_is_retried_read_timeout_is_not() -> None:
    fake = FakeApi().on("get_domains", httpx.ConnectTimeout("slow"), json_reply(catalog_body()))
    async with fake.client() as client:
        await client.get_domains()
    assert len(fake.requests) == 2
    fake = FakeApi().on("get_domains", httpx.ReadTimeout("slow"), json_reply(catalog_body()))
    async with fake.client() as client:
        with pytest.raises(RequestTimeout):
            await client.get_domains()
    assert len(fake.requests) == 1


@pytest.mark.parametrize("route", ["get_email_list", "get_email_address"])
async def test_fake_transport_429_sleeps_retry_after_then_retries_once(route: str) -> None:
    ok = json_reply(page_body([]) if route == "get_email_list" else session_body())
    fake = FakeApi().on(route, json_reply({"error": "Too many"}, 429, {"Retry-After": "3"}), ok)
    async with fake.client() as client:
        if route == "get_email_list":
            await client.get_email_list(Secret(SID))
        else:
            await client.get_email_address()
    assert len(fake.requests) == 2
    assert fake.sleeps == [3.0]


async def test_fake_transport_second_429_raises_rate_limited() -> None:
    fake = FakeApi().on("get_domains", json_reply({"error": "Too many"}, 429, {"Retry-After": "2"}))
    async with fake.client() as client:
        with pytest.raises(RateLimited) as info:
            await client.get_domains()
    assert info.value.retry_after == 2.0
    assert len(fake.requests) == 2 and fake.sleeps == [2.0]


@pytest.mark.parametrize("headers", [{}, {"Retry-After": "61"}, {"Retry-After": "garbage"}])
async def test_fake_transport_429_without_usable_retry_after_raises_at_once(headers: dict[str, str]) -> None:
    fake = FakeApi().on("get_domains", json_reply({"error": "Too many"}, 429, headers))
    async with fake.client() as client:
        with pytest.raises(RateLimited):
            await client.get_domains()
    assert len(fake.requests) == 1 and fake.sleeps == []


async def test_fake_transport_max_retries_zero_disables_all_retries() -> None:
    fake = FakeApi().on("get_domains", json_reply({"error": "x"}, 429, {"Retry-After": "1"}))
    async with fake.client(max_retries=0) as client:
        with pytest.raises(RateLimited):
            await client.get_domains()
    assert len(fake.requests) == 1


async def test_fake_transport_real_sleep_is_the_default() -> None:
    # No injected sleep: a Retry-After of 0 must still work with asyncio.sleep.
    fake = FakeApi().on("get_domains", json_reply({"error": "x"}, 429, {"Retry-After": "0"}),
                        json_reply(catalog_body()))
    async with TempMailClient("http://api.test", transport=httpx.MockTransport(fake.handle)) as client:
        await client.get_domains()
    assert len(fake.requests) == 2
