"""Client construction, URLs under a path prefix, headers and request bodies."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import weakref

import pytest

import tmtui
from tests.api.fakes import (
    SID,
    FakeApi,
    catalog_body,
    form,
    json_reply,
    raw_reply,
    session_body,
)
from tmtui.api import Health, ProtocolError, Secret, TempMailClient


@pytest.mark.parametrize("timeout", [9.9, 15.1, 0, -1])
def test_timeout_must_be_between_10_and_15_seconds(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout"):
        TempMailClient("http://api.test", timeout=timeout)


@pytest.mark.parametrize("url", ["ftp://h", "api.test", "http://", "http://h/?x=1", "http://u:p@h/", "http://h/#f"])
def test_unusable_base_urls_are_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        TempMailClient(url)


def test_negative_max_retries_rejected() -> None:
    with pytest.raises(ValueError):
        TempMailClient("http://api.test", max_retries=-1)


@pytest.mark.parametrize(("base", "prefix"), [
    ("http://api.test", ""), ("http://api.test/", ""), ("https://api.test/tool", "/tool"),
    ("https://api.test/tool/", "/tool"), ("https://api.test/a/b//", "/a/b"),
])
async def test_fake_transport_path_prefix_base_url(base: str, prefix: str) -> None:
    fake = FakeApi().on("get_domains", json_reply(catalog_body())).on("/health", json_reply({"ok": True}))
    fake.on("get_email_list", json_reply({"list": []}))
    async with fake.client(base) as client:
        await client.get_domains()
        await client.health()
        await client.get_email_list(Secret(SID))
    paths = [(r.url.path, dict(r.url.params)) for r in fake.requests]
    assert paths == [(f"{prefix}/ajax.php", {"f": "get_domains"}), (f"{prefix}/health", {}),
                     (f"{prefix}/ajax.php", {"f": "get_email_list"})]


async def test_fake_transport_sends_honest_headers(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_domains", json_reply(catalog_body()))
    await client.get_domains()
    headers = fake.requests[0].headers
    assert headers["user-agent"] == f"tmtui/{tmtui.__version__}"
    assert headers["x-requested-with"] == "XMLHttpRequest"
    assert "x-tempmail-client" not in headers


async def test_fake_transport_custom_user_agent() -> None:
    fake = FakeApi().on("get_domains", json_reply(catalog_body()))
    async with fake.client(user_agent="tmtui/0.1.0 (demo)") as client:
        await client.get_domains()
    assert fake.requests[0].headers["user-agent"] == "tmtui/0.1.0 (demo)"


async def test_fake_transport_creation_bodies(fake: FakeApi) -> None:
    fake.on("get_email_address", json_reply(session_body()))
    fake.on("set_email_user", json_reply(session_body()))
    fake.on("open_email_address", json_reply(session_body()))
    async with fake.client(lang="vi") as client:
        await client.get_email_address()
        await client.get_email_address("mailmmo.io.vn", lang="en", sid_token=Secret(SID))
        await client.set_email_user(Secret(SID), "custom_name", "tempmailmmo.com", force_takeover=True)
        await client.set_email_user(Secret(SID), "other")
        await client.open_email_address("old@mailmmo.io.vn", force_takeover=True, sid_token=Secret(SID))
        await client.open_email_address("old@mailmmo.io.vn")
    bodies = [form(r) for r in fake.requests]
    assert all(r.method == "POST" for r in fake.requests)
    assert bodies == [
        {"lang": ["vi"]},
        {"email_domain": ["mailmmo.io.vn"], "sid_token": [SID], "lang": ["en"]},
        {"sid_token": [SID], "email_user": ["custom_name"], "email_domain": ["tempmailmmo.com"],
         "force_takeover": ["1"], "lang": ["vi"]},
        {"sid_token": [SID], "email_user": ["other"], "lang": ["vi"]},
        {"email_addr": ["old@mailmmo.io.vn"], "force_takeover": ["1"], "sid_token": [SID], "lang": ["vi"]},
        {"email_addr": ["old@mailmmo.io.vn"], "lang": ["vi"]},
    ]


async def test_fake_transport_list_and_fetch_bodies(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("get_email_list", json_reply({"list": []}))
    fake.on("fetch_email", json_reply({"mail_id": "Junk:3", "mail_timestamp": "1"}))
    await client.get_email_list(Secret(SID), offset=100)
    message = await client.fetch_email(Secret(SID), "Junk:3")
    assert form(fake.requests[0]) == {"sid_token": [SID], "offset": ["100"]}
    assert form(fake.requests[1]) == {"sid_token": [SID], "email_id": ["Junk:3"]}
    assert message.id == "Junk:3" and message.html == "" and message.attachments == ()


@pytest.mark.parametrize(("reply", "expected"), [
    (json_reply({"ok": True, "version": "1"}), Health(ok=True, data={"ok": True, "version": "1"})),
    (json_reply({"ok": False}), Health(ok=False, data={"ok": False})),
    (json_reply({"status": "degraded"}), Health(ok=False, data={"status": "degraded"})),
    (json_reply({"status": "ok"}), Health(ok=True, data={"status": "ok"})),
    (json_reply({}), Health(ok=True, data={})),
    (raw_reply("OK\n", content_type="text/plain"), Health(ok=True, data={})),
])
async def test_fake_transport_health_forms(fake: FakeApi, client: TempMailClient,
                                           reply: object, expected: Health) -> None:
    fake.on("/health", reply)  # type: ignore[arg-type]
    assert await client.health() == expected
    assert fake.requests[0].method == "GET"


async def test_fake_transport_health_html_is_protocol_error(fake: FakeApi, client: TempMailClient) -> None:
    fake.on("/health", raw_reply("<html>app shell</html>"))
    with pytest.raises(ProtocolError):
        await client.health()


async def test_client_closes_its_http_client(fake: FakeApi) -> None:
    client = fake.client()
    async with client:
        assert not client.http.is_closed
    assert client.http.is_closed


class _Holder:
    """Stands for a screen: what a caller's context may hold."""


_CALLER: contextvars.ContextVar[_Holder] = contextvars.ContextVar("caller")


async def test_a_finished_request_keeps_nothing_of_its_callers_context(server) -> None:
    """A request's timers (its deadline, httpx's and anyio's on a real connection) stay in
    the loop's heap until due, even cancelled, with the context they were made in: made from
    a screen's worker, that context held the screen for up to a minute after it closed.
    Requests run in a context of their own."""
    holder = _Holder()
    seen = weakref.ref(holder)

    async with TempMailClient(server.base_url) as client:

        async def from_a_screen(item: _Holder) -> None:
            _CALLER.set(item)
            session = await client.get_email_address()
            await client.get_email_list(session.sid_token)

        await asyncio.create_task(from_a_screen(holder), context=contextvars.Context())
        await asyncio.sleep(0)  # the handle that woke us holds the finished task until the next turn
        del holder
        gc.collect()
        assert seen() is None
