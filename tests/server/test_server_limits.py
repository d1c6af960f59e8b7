"""Per-IP rate limits (429 + Retry-After), paging and big mailboxes."""

from __future__ import annotations

import httpx

from tests.support.scaling import LIMIT, agrowth, growth
from tests.support.wire import call, new_session, take_address

TOO_MANY = b'{"error":"Too many requests. Please try again later."}'


async def test_request_rate_limit(start_server) -> None:
    srv = await start_server(requests_per_minute=5)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        for _ in range(5):
            assert (await client.get("/ajax.php?f=get_domains")).status_code == 200
        limited = await client.get("/ajax.php?f=get_domains")
        assert limited.status_code == 429 and limited.content == TOO_MANY
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert (await client.get("/health")).status_code == 200  # health is not rate limited
        srv.control.advance_clock(retry_after)
        assert (await client.get("/ajax.php?f=get_domains")).status_code == 200


async def test_session_creation_rate_limit(start_server) -> None:
    srv = await start_server(creations_per_minute=2)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        first = await new_session(client)
        await new_session(client)
        limited = await call(client, "get_email_address")
        assert limited.status_code == 429 and limited.content == TOO_MANY
        assert int(limited.headers["retry-after"]) >= 1
        restored = await call(client, "get_email_address", sid_token=first["sid_token"])
        assert restored.status_code == 200  # restoring is not a creation
        assert (await call(client, "open_email_address", email_addr=first["email_addr"],
                           sid_token=first["sid_token"])).status_code == 200  # nor is resuming


async def test_pagination_newest_first_and_offset_clamping(start_server) -> None:
    srv = await start_server(page_size=3)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "pages")
        ids = srv.control.seed("pages@a.test", 7)
        sid = session["sid_token"]

        async def page(offset: object) -> list[str]:
            body = (await call(client, "get_email_list", sid_token=sid, offset=offset)).json()
            assert body["count"] == len(body["list"])
            return [m["mail_id"] for m in body["list"]]

        newest_first = list(reversed(ids))
        assert await page(0) == newest_first[0:3]
        assert await page(3) == newest_first[3:6]
        assert await page(6) == newest_first[6:]
        assert await page(7) == []
        assert await page(-10) == newest_first[0:3]
        assert await page("abc") == newest_first[0:3]
        assert await page(10**12) == []


async def test_page_size_is_capped_by_max(start_server) -> None:
    srv = await start_server(page_size=1000, max_page_size=500)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "capped")
        srv.control.seed("capped@a.test", 600)
        body = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
        assert body["count"] == 500


async def test_ten_thousand_messages(server, server_client: httpx.AsyncClient) -> None:
    # Cost as growth, never as time: seeding grows linearly with the count, and
    # a page costs the same deep in a 10,000-mail box as in a 1,000-mail one.
    small, large = await take_address(server_client, "big"), await take_address(server_client, "huge")
    seeding = growth(lambda: server.control.seed("big@a.test", 1_000),
                     lambda: server.control.seed("huge@a.test", 10_000), runs=1)
    assert seeding < LIMIT, f"seeding 10x the mails cost {seeding:.0f}x"

    async def page(session: dict[str, str], offset: int) -> None:
        response = await call(server_client, "get_email_list", sid_token=session["sid_token"], offset=offset)
        assert response.json()["count"] == 50

    ratio = await agrowth(lambda: page(small, 950), lambda: page(large, 9_950), runs=5)
    assert ratio < 4, f"a page of a 10x bigger mailbox cost {ratio:.1f}x"
    last = (await call(server_client, "get_email_list", sid_token=large["sid_token"], offset=9_950)).json()
    assert last["list"][-1]["mail_subject"] == "Seeded message 1"
