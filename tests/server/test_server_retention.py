"""Retention (issue 13): messages expire, idle empty mailboxes are purged, in small batches."""

from __future__ import annotations

import httpx

from tests.support.mail import build_mail
from tests.support.sse import open_events
from tests.support.wire import call, take_address

DAY = 86400


async def test_a_message_expires_a_day_after_it_arrived(server, server_client: httpx.AsyncClient) -> None:
    session = await take_address(server_client, "fleeting")
    sid = session["sid_token"]
    server.control.deliver("fleeting@a.test", build_mail("fleeting@a.test", subject="old"))
    server.control.advance_clock(DAY - 60)
    await call(server_client, "get_email_list", sid_token=sid)  # the session is renewed; the mail is not
    server.control.deliver("fleeting@a.test", build_mail("fleeting@a.test", subject="new"))
    async with open_events(server_client, session["mailbox_event_token"]) as stream:
        assert (await stream.next_event()).json()["count"] == 2
        server.control.advance_clock(61)  # "old" is a day and a second old, "new" a minute
        expired = await stream.next_event()
        assert expired.event == "changed"
        assert expired.json() | {"ts": 0} == {
            "email": "fleeting@a.test", "reason": "expired", "connected": True, "count": 1, "total_count": 1,
            "connected_folders": ["INBOX", "Junk"], "prevCount": 2, "folder": "INBOX", "path": "INBOX", "ts": 0}
    listed = (await call(server_client, "get_email_list", sid_token=sid)).json()
    assert [m["mail_subject"] for m in listed["list"]] == ["new"]


async def test_an_idle_empty_mailbox_is_purged_and_a_held_one_is_not(server, server_client) -> None:
    held = await take_address(server_client, "held")
    server.control.create_mailbox("nobody@a.test")  # no session, no mail
    server.control.create_mailbox("kept@a.test")
    server.control.deliver("kept@a.test", build_mail("kept@a.test"))
    server.control.advance_clock(DAY // 2)
    await call(server_client, "get_email_list", sid_token=held["sid_token"])  # renews: held stays held
    server.control.advance_clock(DAY // 2 + 1)

    async def reopen(address: str) -> int:
        return (await call(server_client, "open_email_address", email_addr=address)).status_code

    assert await reopen("nobody@a.test") == 404
    assert await reopen("held@a.test") == 409  # its session still holds it
    # "kept" lost its mail to expiry just now: it is idle from that mail's arrival, so it goes too.
    assert await reopen("kept@a.test") == 404


async def test_a_mailbox_whose_session_just_expired_is_not_purged(server, server_client) -> None:
    await take_address(server_client, "lapsed")
    server.control.advance_clock(2 * DAY)  # the session lapses in this sweep: the mailbox was active until now
    assert (await call(server_client, "open_email_address", email_addr="lapsed@a.test")).status_code == 200


async def test_retention_can_be_turned_off(start_server) -> None:
    srv = await start_server(message_ttl_minutes=0, mailbox_idle_minutes=0)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        srv.control.create_mailbox("forever@a.test")
        srv.control.deliver("forever@a.test", build_mail("forever@a.test"))
        srv.control.create_mailbox("empty@a.test")
        srv.control.advance_clock(30 * DAY)
        opened = (await call(client, "open_email_address", email_addr="forever@a.test")).json()
        assert (await call(client, "get_email_list", sid_token=opened["sid_token"])).json()["count"] == 1
        assert (await call(client, "open_email_address", email_addr="empty@a.test")).status_code == 200


async def test_the_background_sweeper_expires_in_small_batches(start_server) -> None:
    srv = await start_server(message_ttl_minutes=0.01, sweep_batch=3)  # 0.6 s
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "batched")
        async with open_events(client, session["mailbox_event_token"]) as stream:
            assert (await stream.next_event()).event == "state"
            srv.control.seed("batched@a.test", 10)
            assert (await stream.next_event()).json()["reason"] == "new_mail"
            gone = []
            while sum(gone) < 10:  # nobody asks: the server's own sweeper does it
                event = await stream.next_event(timeout=10)
                if event.event == "changed":
                    gone.append(event.json()["prevCount"] - event.json()["count"])
        assert gone == [3, 3, 3, 1]  # one transaction (and one event) per batch
        assert (await call(client, "get_email_list", sid_token=session["sid_token"])).json()["count"] == 0
