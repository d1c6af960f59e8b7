"""Two requests a PHP backend behind nginx accepts (issue 13), on the wire: the action named
only in the POST body, and a path with doubled slashes. Also: streams per session, names."""

from __future__ import annotations

import asyncio
import math
import re

import httpx

from tests.support.sse import open_events
from tests.support.wire import call, new_session
from tmtui.server import names


async def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes exactly as given (no client normalises the path); the status and the body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
        return int(head.split(b" ", 2)[1]), await asyncio.wait_for(reader.readexactly(length), 10)
    finally:
        writer.close()


def post(path: str, body: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()


async def test_the_action_may_be_named_only_in_the_post_body(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    request = post("/ajax.php", f"f=get_email_list&sid_token={session['sid_token']}")
    status, body = await raw_request(server.http_port, request)
    assert status == 200 and b'"list":[]' in body and b'"count":0' in body
    listed = await server_client.post("/ajax.php", data={"f": "get_domains"})
    assert listed.status_code == 200 and listed.json()["domains"] == ["a.test", "b.test"]
    # The query string wins when both name one, and naming none is still a 400.
    both = await server_client.post("/ajax.php?f=get_domains", data={"f": "get_email_list"})
    assert both.status_code == 200 and "domains" in both.json()
    neither = await server_client.post("/ajax.php", data={"sid_token": session["sid_token"]})
    assert neither.status_code == 400 and neither.json() == {"error": "Missing action parameter f"}
    get = await server_client.get("/ajax.php")
    assert get.status_code == 400


async def test_doubled_slashes_are_merged(start_server) -> None:
    srv = await start_server(path_prefix="/tool")
    port = srv.http_port
    status, body = await raw_request(port, b"GET /tool//ajax.php?f=get_domains HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200 and b'"defaultDomain":"a.test"' in body
    status, body = await raw_request(port, b"GET //tool///health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 200 and b'"ok":true' in body
    status, body = await raw_request(port, post("/tool//ajax.php?f=get_email_address", "lang=en"))
    assert status == 200 and b'"sid_token"' in body
    status, body = await raw_request(port, b"GET /tool//events//mailbox?token=nope HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 401  # the stream's own answer, not a 404
    status, _ = await raw_request(port, b"GET /tool//nothing.php HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 404  # merging is all: other paths stay unknown


async def test_a_session_holds_at_most_three_streams(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    token = session["mailbox_event_token"]
    async with open_events(server_client, token) as oldest, open_events(server_client, token) as second, \
            open_events(server_client, token) as third:
        for stream in (oldest, second, third):
            assert (await stream.next_event()).event == "state"
        async with open_events(server_client, token) as fourth:
            assert fourth.status == 200 and (await fourth.next_event()).event == "state"
            assert await oldest.ended()  # closed, without session_lost: its client may come back
            assert server.control.stream_count() == 3
            other = await new_session(server_client)
            async with open_events(server_client, other["mailbox_event_token"]) as theirs:
                assert theirs.status == 200  # other sessions are not affected


def test_default_names_have_at_least_40_bits() -> None:
    assert names.random_bits() >= 40
    assert names.SUFFIX_LENGTH * math.log2(len(names.SUFFIX_ALPHABET)) >= 40  # the random suffix alone
    samples = [names.random_local_part() for _ in range(2000)]
    assert len(set(samples)) == len(samples)
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\.[a-z0-9]{8}", s) and names.LOCAL_PART.match(s) for s in samples)


async def test_classic_names_on_request(start_server) -> None:
    srv = await start_server(names="classic")
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        users = [(await call(client, "get_email_address")).json()["email_user"] for _ in range(20)]
    assert not any(re.fullmatch(r"[a-z]+\.[a-z]+\.[a-z0-9]{8}", u) for u in users)
    assert all(names.LOCAL_PART.match(u) and len(u) <= 15 for u in users)
