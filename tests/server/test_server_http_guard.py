"""HTTP connection limits (issue 13): caps at accept, the request-head and body deadlines,
uvicorn's keep-alive timeout, and the file-descriptor plan."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.loopback import needs_alias
from tmtui.server import fdlimits
from tmtui.server.config import ServerConfig


async def _open(port: int, source: str = "127.0.0.1") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def _answer(reader: asyncio.StreamReader, timeout: float = 10) -> bytes:
    """Everything the server sends until it closes the connection (or resets it)."""
    received = b""
    async with asyncio.timeout(timeout):
        try:
            while chunk := await reader.read(65536):
                received += chunk
        except OSError:
            pass
    return received


@needs_alias
async def test_connections_are_capped_per_ip_and_in_all_when_they_are_made(start_server) -> None:
    srv = await start_server(http_per_ip=3, http_max_connections=4)
    idle = [await _open(srv.http_port) for _ in range(3)]  # idle: not one byte sent
    try:
        reader, writer = await _open(srv.http_port)
        refused = await _answer(reader)  # answered before it sent anything
        writer.close()
        assert refused.startswith(b"HTTP/1.1 429 ") and b"Retry-After: 2" in refused
        assert refused.endswith(b'{"error":"Too many requests. Please try again later."}')
        reader, writer = await _open(srv.http_port, "127.0.0.2")  # another address has room: the 4th in all
        idle.append((reader, writer))
        writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await asyncio.wait_for(reader.readuntil(b"}"), 10)).startswith(b"HTTP/1.1 200 ")
        reader, writer = await _open(srv.http_port, "127.0.0.3")  # a 5th
        busy = await _answer(reader)
        writer.close()
        assert busy.startswith(b"HTTP/1.1 503 ") and b"Server busy" in busy
    finally:
        for _, writer in idle:
            writer.close()


async def test_a_request_head_must_arrive_within_the_deadline(start_server) -> None:
    srv = await start_server(http_head_seconds=0.3)
    reader, writer = await _open(srv.http_port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
    assert (await _answer(reader)).startswith(b"HTTP/1.1 408 ")
    writer.close()
    # The same after a first request on a kept-alive connection, however slowly the next one trickles in.
    reader, writer = await _open(srv.http_port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = await asyncio.wait_for(reader.readuntil(b"}"), 10)
    assert first.startswith(b"HTTP/1.1 200 ")
    closed = asyncio.ensure_future(_answer(reader))
    for byte in b"GET /health HTTP/1.1\r\n" * 10:
        if closed.done():
            break
        try:
            writer.write(bytes([byte]))
        except OSError:
            break  # closed on us: that is the point
        await asyncio.sleep(0.05)  # the attack is the slowness: one byte every 50 ms
    answer = await closed  # the server ended it (a byte sent after its 408 may reset it before we read that)
    writer.close()
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408 ")


async def test_a_body_must_arrive_within_the_deadline(start_server) -> None:
    srv = await start_server(http_body_seconds=0.3)
    reader, writer = await _open(srv.http_port)
    writer.write(b"POST /ajax.php?f=get_email_list HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nsid_token=")
    answer = await asyncio.wait_for(reader.readuntil(b"}"), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b'{"error":"Request body timeout"}')


async def test_idle_keep_alive_connections_are_closed(start_server) -> None:
    srv = await start_server(http_keepalive_seconds=1)
    reader, writer = await _open(srv.http_port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await _answer(reader)).startswith(b"HTTP/1.1 200 ")  # read to the end: the server closed it
    writer.close()


def test_connection_caps_fit_the_descriptor_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    config = ServerConfig()
    monkeypatch.setattr(fdlimits, "_open_now", lambda: 36)
    monkeypatch.setattr(fdlimits, "_soft_limit", lambda wanted: 100_000)
    assert fdlimits.plan(config) == fdlimits.FdPlan(1200, 100, 100_000)  # room for both: as asked
    monkeypatch.setattr(fdlimits, "_soft_limit", lambda wanted: 512)
    plan = fdlimits.plan(config)
    assert plan.http + plan.smtp + config.fd_reserve + 36 <= 512
    assert plan.smtp == 100 and plan.http == 512 - 36 - 64 - 100
    monkeypatch.setattr(fdlimits, "_soft_limit", lambda wanted: 300)
    squeezed = fdlimits.plan(config)
    assert squeezed.smtp == (300 - 36 - 64) // 4 and squeezed.http == 300 - 36 - 64 - squeezed.smtp
