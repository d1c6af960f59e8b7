"""Session lifetime, renewal, takeover, eviction and event-token rotation."""

from __future__ import annotations

import httpx

from tests.support.mail import build_mail
from tests.support.sse import open_events
from tests.support.wire import call, new_session, take_address


async def list_status(client: httpx.AsyncClient, sid: str) -> int:
    return (await call(client, "get_email_list", sid_token=sid)).status_code


async def test_session_expires_then_mailbox_reopens(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "expiring")
    server.control.advance_clock(1400 * 60)
    # Mail lives 24 h from its arrival: this one is 41 minutes old when the session expires.
    server.control.deliver("expiring@a.test", build_mail("expiring@a.test", subject="kept"))
    server.control.advance_clock(41 * 60)
    response = await call(server_client, "get_email_list", sid_token=session["sid_token"])
    assert response.status_code == 401 and response.json() == {"error": "Missing or invalid sid_token"}
    reopened = await call(server_client, "open_email_address", email_addr="expiring@a.test")
    assert reopened.status_code == 200  # an expired owner does not hold the mailbox
    listed = (await call(server_client, "get_email_list", sid_token=reopened.json()["sid_token"])).json()
    assert [m["mail_subject"] for m in listed["list"]] == ["kept"]


async def test_renewal_by_list_and_delete_not_by_fetch(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    sid = session["sid_token"]
    half = 720 * 60
    server.control.advance_clock(half)
    fetched = await call(server_client, "fetch_email", sid_token=sid, email_id="1")
    assert int(fetched.headers["x-session-expires-at"]) == session["session_expires_at"]
    listed = (await call(server_client, "get_email_list", sid_token=sid)).json()
    assert listed["session_expires_at"] >= session["session_expires_at"] + half * 1000 - 1
    assert listed["session_started_at"] == session["session_started_at"]
    server.control.advance_clock(half + 60)  # past the first expiry, inside the renewed one
    deleted = await call(server_client, "del_email", sid_token=sid)
    assert deleted.status_code == 200
    assert int(deleted.headers["x-session-expires-at"]) > listed["session_expires_at"]


async def test_fractional_ttl_minutes(start_server) -> None:
    srv = await start_server(ttl_minutes=0.5)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        body = await new_session(client)
        assert body["session_ttl_minutes"] == 0.5
        assert body["session_expires_at"] - body["session_started_at"] == 30_000
        srv.control.advance_clock(31)
        assert await list_status(client, body["sid_token"]) == 401


async def test_takeover_steal_ends_the_owner(server, server_client: httpx.AsyncClient) -> None:
    owner = await take_address(server_client, "wanted")
    caller = await new_session(server_client)
    async with open_events(server_client, owner["mailbox_event_token"]) as owner_stream, \
            open_events(server_client, caller["mailbox_event_token"]) as caller_stream:
        assert (await owner_stream.next_event()).event == "state"
        assert (await caller_stream.next_event()).event == "state"
        response = await call(server_client, "set_email_user", sid_token=caller["sid_token"],
                              email_user="wanted", force_takeover="1")
        assert response.status_code == 200
        body = response.json()
        assert body["sid_token"] == caller["sid_token"] and body["email_addr"] == "wanted@a.test"
        lost = await owner_stream.next_event()
        assert lost.event == "session_lost" and lost.json()["email"] == "wanted@a.test"
        assert isinstance(lost.json()["ts"], int)
        assert await owner_stream.ended()  # then the stream ends
        moved = await caller_stream.next_event()  # the caller left its old address
        assert moved.event == "session_lost" and moved.json()["email"] == caller["email_addr"]
    assert await list_status(server_client, owner["sid_token"]) == 401
    assert await list_status(server_client, caller["sid_token"]) == 200


async def test_open_with_takeover(server, server_client: httpx.AsyncClient) -> None:
    owner = await take_address(server_client, "reopened")
    response = await call(server_client, "open_email_address", email_addr="reopened@a.test", force_takeover="true")
    assert response.status_code == 200
    assert response.json()["sid_token"] != owner["sid_token"]
    assert await list_status(server_client, owner["sid_token"]) == 401


async def test_takeover_share_mode_returns_owner_session(start_server) -> None:
    srv = await start_server(takeover="share")
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        owner = await take_address(client, "shared")
        caller = await new_session(client)
        response = await call(client, "set_email_user", sid_token=caller["sid_token"], email_user="shared",
                              force_takeover="1")
        assert response.json()["sid_token"] == owner["sid_token"]
        assert await list_status(client, owner["sid_token"]) == 200
        assert await list_status(client, caller["sid_token"]) == 401  # it moved off its old address
        opened = await call(client, "open_email_address", email_addr="shared@a.test", force_takeover="1")
        assert opened.json()["sid_token"] == owner["sid_token"]


async def test_moving_address_loses_old_stream_and_token(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        assert (await stream.next_event()).event == "state"
        moved = (await call(server_client, "set_email_user", sid_token=session["sid_token"],
                            email_user="new.place")).json()
        lost = await stream.next_event()
        assert lost.event == "session_lost" and lost.json()["email"] == session["email_addr"]
    async with open_events(server_client, session["mailbox_event_token"]) as old:
        assert old.status == 401
    async with open_events(server_client, moved["mailbox_event_token"]) as new:
        state = await new.next_event()
        assert state.event == "state" and state.json()["email"] == "new.place@a.test"


async def test_oldest_session_of_an_ip_is_evicted(start_server) -> None:
    srv = await start_server(sessions_per_ip=3)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        first = await new_session(client)
        async with open_events(client, first["mailbox_event_token"]) as stream:
            assert (await stream.next_event()).event == "state"
            others = [await new_session(client) for _ in range(3)]
            lost = await stream.next_event()
            assert lost.event == "session_lost" and lost.json()["email"] == first["email_addr"]
        assert await list_status(client, first["sid_token"]) == 401
        for other in others:
            assert await list_status(client, other["sid_token"]) == 200
        reopened = await call(client, "open_email_address", email_addr=first["email_addr"])
        assert reopened.status_code == 200


async def test_invalidate_session_control(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "invalid.soon")
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        assert (await stream.next_event()).event == "state"
        assert server.control.invalidate_session("invalid.soon@a.test") == 1
        assert (await stream.next_event()).event == "session_lost"
    assert await list_status(server_client, session["sid_token"]) == 401


async def test_event_token_kept_on_renewal_by_default(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    listed = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()
    assert listed["mailbox_event_token"] == session["mailbox_event_token"]


async def test_event_token_rotation_on_renewal(start_server) -> None:
    srv = await start_server(event_token_rotation="on_renewal")
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await new_session(client)
        async with open_events(client, session["mailbox_event_token"]) as stream:
            assert (await stream.next_event()).event == "state"
            response = await call(client, "get_email_list", sid_token=session["sid_token"])
            token = response.json()["mailbox_event_token"]
            assert token != session["mailbox_event_token"]
            assert response.headers["x-mailbox-event-token"] == token
            srv.control.deliver(session["email_addr"], build_mail(session["email_addr"]))
            assert (await stream.next_event()).event == "changed"  # an open stream stays open
        async with open_events(client, session["mailbox_event_token"]) as old:
            assert old.status == 401
        async with open_events(client, token) as new:
            assert new.status == 200


async def test_welcome_mail_when_enabled(start_server) -> None:
    srv = await start_server(welcome_mail=True)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await new_session(client)
        listed = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
        assert listed["count"] == 1
        assert listed["list"][0]["mail_subject"].endswith("TempMail MMO")
        deleted = await call(client, "del_email", sid_token=session["sid_token"],
                             email_id=listed["list"][0]["mail_id"])
        assert deleted.json() == {"deleted": 1}
