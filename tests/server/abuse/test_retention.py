"""Attack 4: nothing was ever deleted.

Before: mail and mailboxes lived forever (while the client's forget dialog
promised expiry). Here messages live 3 s and an empty mailbox nobody holds
goes after 3 s idle; the sweeper does it on its own, in the background.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.abusekit import ServerProcess, deliver_and_see, eventually, http_client, list_count, new_box

from .conftest import StartServer

TTL_MINUTES = "0.05"  # 3 s


async def _expired_event(server: ServerProcess, token: str, timeout: float) -> dict[str, object]:
    async with http_client(server, timeout=timeout) as client, \
            client.stream("GET", "/events/mailbox", params={"token": token}) as stream:
        event = ""
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "changed" and '"expired"' in line:
                return {"data": line}
    raise AssertionError("the stream ended without an expiry")


@pytest.mark.timeout(60)
async def test_mail_expires_and_idle_mailboxes_go(start_abuse_server: StartServer) -> None:
    server = start_abuse_server("--message-ttl-minutes", TTL_MINUTES, "--mailbox-idle-minutes", TTL_MINUTES)
    kept = await new_box(server)  # has a live session: stays, even when empty
    abandoned = await new_box(server)
    async with http_client(server) as client:  # move its session away: the old address has nobody
        moved = await client.post("/ajax.php", params={"f": "set_email_user"},
                                  data={"sid_token": abandoned.sid, "email_user": "elsewhere"})
        assert moved.status_code == 200
    await deliver_and_see(server, kept)
    assert await list_count(server, kept) == 1
    await asyncio.wait_for(_expired_event(server, kept.token, 20), 20)
    assert await list_count(server, kept) == 0

    async def purged() -> bool | None:
        async with http_client(server) as client:
            reply = await client.post("/ajax.php", params={"f": "open_email_address"},
                                      data={"email_addr": abandoned.address})
        return True if reply.status_code == 404 else None

    assert await eventually(purged, 15, "the idle mailbox was not purged")
    async with http_client(server) as client:
        alive = await client.post("/ajax.php", params={"f": "open_email_address"}, data={"email_addr": kept.address})
    assert alive.status_code == 409  # still there: its session holds it
