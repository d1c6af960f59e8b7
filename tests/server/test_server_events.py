"""The /events/mailbox SSE stream: frames, payloads, refusals, disconnects, fan-out."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.mail import build_mail, deliver
from tests.support.scaling import LIMIT, agrowth
from tests.support.sse import open_events
from tests.support.wire import call, new_session, take_address
from tmtui.server import runner

STATE_KEYS = {"email", "connected", "count", "total_count", "connected_folders", "watched_folders", "folders", "ts"}
CHANGED_KEYS = {"email", "reason", "connected", "count", "total_count", "connected_folders", "prevCount",
                "folder", "path", "ts"}


async def test_state_first_with_retry(server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    async with server_client.stream("GET", "/events/mailbox",
                                    params={"token": session["mailbox_event_token"]}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        first = b""
        async for chunk in response.aiter_bytes():
            first += chunk
            if b"\r\n\r\n" in first:
                break
    assert first.startswith(b"event: state\r\ndata: {")
    assert b"\r\nretry: 2000\r\n\r\n" in first
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        state = await stream.next_event()
        assert state.event == "state" and state.retry == 2000
        payload = state.json()
        assert set(payload) == STATE_KEYS
        assert payload["email"] == session["email_addr"] and payload["connected"] is True
        assert payload["count"] == 0 and payload["folders"] == {"INBOX": 0, "Junk": 0}


async def test_changed_follows_smtp_delivery(server, server_client: httpx.AsyncClient) -> None:
    # The next event after the delivery; how soon it comes is a benchmark (delivery).
    session = await take_address(server_client, "live")
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        assert (await stream.next_event()).event == "state"
        await deliver(server.smtp_port, "live@a.test", build_mail("live@a.test", subject="OTP 123456"))
        changed = await stream.next_event(timeout=10)
        assert changed.event == "changed"
        payload = changed.json()
        assert set(payload) == CHANGED_KEYS
        assert payload["reason"] == "new_mail" and payload["folder"] == "INBOX"
        assert (payload["count"], payload["prevCount"], payload["total_count"]) == (1, 0, 1)
        mail_id = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()["list"][0][
            "mail_id"]
        await call(server_client, "del_email", sid_token=session["sid_token"], email_id=mail_id)
        deleted = (await stream.next_event()).json()
        assert deleted["reason"] == "deleted" and (deleted["count"], deleted["prevCount"]) == (0, 1)


async def test_junk_mail_event_names_the_folder(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "junky")
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        await stream.next_event()
        server.control.deliver("junky@a.test", build_mail("junky@a.test", headers={"X-Spam-Flag": "YES"}))
        payload = (await stream.next_event()).json()
        assert payload["folder"] == "Junk" and payload["count"] == 1 and payload["total_count"] == 1


async def test_ping_has_state_shape(start_server) -> None:
    srv = await start_server(ping_seconds=0.05)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await new_session(client)
        async with open_events(client, session["mailbox_event_token"]) as stream:
            assert (await stream.next_event()).event == "state"
            ping = await stream.next_event()
            assert ping.event == "ping"
            assert set(ping.json()) == STATE_KEYS | {"ping"} and ping.json()["ping"] is True


async def test_expiry_sends_session_lost(start_server) -> None:
    srv = await start_server(ttl_minutes=0.005, sweep_seconds=0.02)  # 0.3 s sessions
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await new_session(client)
        async with open_events(client, session["mailbox_event_token"]) as stream:
            assert (await stream.next_event()).event == "state"
            lost = await stream.next_event(timeout=3.0)
            assert lost.event == "session_lost" and set(lost.json()) == {"email", "ts"}
            assert await stream.ended()
        async with open_events(client, session["mailbox_event_token"]) as again:
            assert again.status == 401


@pytest.mark.parametrize("token", ["", "nope", "x" * 500])
async def test_bad_token_is_401(server_client: httpx.AsyncClient, token: str) -> None:
    async with open_events(server_client, token) as stream:
        assert stream.status == 401
        assert set(await stream.body_json()) == {"error"}


async def test_too_many_streams_per_ip_is_429(start_server) -> None:
    srv = await start_server(sse_per_ip=2)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        token = (await new_session(client))["mailbox_event_token"]
        async with open_events(client, token) as one, open_events(client, token) as two:
            assert one.status == two.status == 200
            async with open_events(client, token) as three:
                assert three.status == 429
                assert three.response.headers["retry-after"].isdigit()
                assert await three.body_json() == {"error": "Too many requests. Please try again later."}


async def test_global_capacity_is_503(start_server) -> None:
    srv = await start_server(sse_capacity=1)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        token = (await new_session(client))["mailbox_event_token"]
        async with open_events(client, token) as one:
            assert one.status == 200
            async with open_events(client, token) as two:
                assert two.status == 503 and "error" in await two.body_json()


@pytest.mark.parametrize("status", [503, 429, 401])
async def test_refuse_sse_control(server, server_client: httpx.AsyncClient, status: int) -> None:
    token = (await new_session(server_client))["mailbox_event_token"]
    server.control.refuse_sse(status)
    async with open_events(server_client, token) as refused:
        assert refused.status == status
    server.control.refuse_sse(None)
    async with open_events(server_client, token) as accepted:
        assert accepted.status == 200


async def test_disconnect_drops_the_count(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        await stream.next_event()
        assert server.control.stream_count(session["email_addr"]) == 1
    await server.control.wait_streams(0, timeout=3)
    assert server.control.stream_count() == 0


async def test_drop_streams_ends_without_session_lost(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        await stream.next_event()
        assert server.control.drop_streams(session["email_addr"]) == 1
        assert await stream.ended()
    assert (await call(server_client, "get_email_list", sid_token=session["sid_token"])).status_code == 200


async def test_post_to_events_is_405(server_client: httpx.AsyncClient) -> None:
    response = await server_client.post("/events/mailbox?token=x")
    assert response.status_code == 405 and "error" in response.json()


async def test_stop_ends_open_streams_without_the_grace_period(start_server, monkeypatch) -> None:
    # With no grace deadline left to cut them, stop() returns only if the streams end themselves.
    monkeypatch.setattr(runner, "STOP_GRACE_SECONDS", 3600.0)
    srv = await start_server()
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        token = (await new_session(client))["mailbox_event_token"]
        async with open_events(client, token) as stream:
            await stream.next_event()
            await asyncio.wait_for(srv.stop(), 60)
            assert await stream.ended()


async def _raw_subscriber(port: int, path: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    await asyncio.wait_for(reader.readuntil(b"event: state"), 5)
    return reader, writer


async def test_fan_out_grows_linearly_with_streams(start_server) -> None:
    # Every stream gets the event; fan-out to 10x the streams costs less than
    # 40x the CPU. Its latency (p99) is a benchmark (server_load), not a test.
    srv = await start_server(sse_per_ip=500, sse_per_session=500)  # 200 streams on one session
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        tokens = {name: (await take_address(client, name))["mailbox_event_token"] for name in ("quiet", "popular")}
    streams = {
        name: await asyncio.gather(*(_raw_subscriber(srv.http_port, f"/events/mailbox?token={token}")
                                     for _ in range(count)))
        for (name, token), count in zip(tokens.items(), (20, 200), strict=True)
    }
    received = {"quiet": 0, "popular": 0}

    async def fan_out(name: str) -> None:
        async def receive(reader: asyncio.StreamReader) -> None:
            await asyncio.wait_for(reader.readuntil(b"event: changed"), 30)
            received[name] += 1

        waiters = [asyncio.create_task(receive(reader)) for reader, _ in streams[name]]
        srv.control.deliver(f"{name}@a.test", build_mail(f"{name}@a.test"))
        await asyncio.gather(*waiters)

    try:
        ratio = await agrowth(lambda: fan_out("quiet"), lambda: fan_out("popular"))
        assert received == {"quiet": 3 * 20, "popular": 3 * 200}
        assert ratio < LIMIT, f"fan-out to 10x the streams cost {ratio:.0f}x"
    finally:
        for _, writer in [*streams["quiet"], *streams["popular"]]:
            writer.close()
    await srv.control.wait_streams(0, timeout=5)
