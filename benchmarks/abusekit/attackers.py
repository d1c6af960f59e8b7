"""Attackers: each attack of issue 13, from a loopback source address of its own.

Each function runs one round of its attack and returns what the server did
(the connections it still holds open, their first answers, reply codes).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from benchmarks.abusekit.legit import Target, send_mail


@dataclass
class Conn:
    """One attacking connection and what the server did with it ("held": nothing yet)."""

    outcome: str = "no connection"
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None


@dataclass
class Held:
    """Connections an attacker keeps open."""

    conns: list[Conn] = field(default_factory=list)

    @property
    def outcomes(self) -> list[str]:
        return [c.outcome for c in self.conns]

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)

    def close(self) -> None:
        for conn in self.conns:
            if conn.writer is not None:
                conn.writer.close()

    async def connect(self, server: Target, port: int, ip: str) -> Conn:
        conn = Conn()
        self.conns.append(conn)
        with contextlib.suppress(OSError, TimeoutError):
            conn.reader, conn.writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port, local_addr=(ip, 0)), 10)
            conn.outcome = "connected"
        return conn


async def smtp_line_flood(server: Target, connections: int, size: int, ip: str) -> Held:
    """Many connections, each sending ``size`` bytes of ``HELO`` with no line end; left open."""
    held = Held()
    chunk = b"x" * 65536

    async def one() -> None:
        conn = await held.connect(server, server.smtp_port, ip)
        if conn.reader is None or conn.writer is None:
            return
        try:
            greeting = await asyncio.wait_for(conn.reader.readline(), 10)
            if not greeting.startswith(b"220"):
                conn.outcome = greeting[:3].decode() or "closed"
                return
            conn.writer.write(b"HELO ")
            for _ in range(0, size, len(chunk)):
                conn.writer.write(chunk)
                await asyncio.wait_for(conn.writer.drain(), 10)
            conn.outcome = "sent"
        except (OSError, TimeoutError):
            conn.outcome = "cut"

    await asyncio.gather(*(one() for _ in range(connections)))
    return held


def mail_of_size(to: str, size: int, subject: str = "bulk") -> bytes:
    """A mail of about ``size`` bytes on the wire: half text, half a base64 attachment."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Bulk <bulk@example.org>", to, subject
    line = "The quick brown fox jumps over the lazy dog, again and again and again.\n"
    msg.set_content(line * (size // 2 // len(line)))
    msg.add_attachment(os.urandom(size * 3 // 8), maintype="application", subtype="octet-stream",
                       filename="data.bin")
    return msg.as_bytes(policy=policy.SMTP)


async def big_messages(server: Target, to: str, raws: Sequence[bytes], ip: str) -> list[int | str]:
    """One sender per message of ``raws``, all at once; the final reply of each.

    The senders get threads of their own: in the loop's default executor they
    would leave none for the name lookups of everyone else's connects.
    """
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(len(raws), thread_name_prefix="sender") as pool:
        return list(await asyncio.gather(*(loop.run_in_executor(pool, send_mail, server, [to], raw, ip, 120)
                                           for raw in raws)))


async def slowloris(server: Target, connections: int, ips: Sequence[str]) -> Held:
    """Half-sent request heads, ``connections`` of them spread over ``ips``; left open."""
    held = Held()
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    async def one(ip: str) -> None:
        conn = await held.connect(server, server.http_port, ip)
        if conn.reader is None or conn.writer is None:
            return
        try:
            conn.writer.write(head)
            await conn.writer.drain()
            answer = await asyncio.wait_for(conn.reader.read(64), 0.5)  # an early refusal comes at once
            conn.outcome = answer[9:12].decode() if answer else "closed"
        except TimeoutError:
            conn.outcome = "held"
        except OSError:
            conn.outcome = "cut"

    await asyncio.gather(*(one(ips[n % len(ips)]) for n in range(connections)))
    return held


async def closed_by_server(held: Held, timeout: float) -> list[bytes | None]:
    """For each connection still "held": what the server sent before it closed it, or None if it
    did not close it within ``timeout``. A reset counts as closed."""
    async def ended(reader: asyncio.StreamReader) -> bytes | None:
        received = b""
        try:
            async with asyncio.timeout(timeout):
                while chunk := await reader.read(4096):
                    received += chunk
        except TimeoutError:
            return None
        except OSError:
            pass
        return received

    return list(await asyncio.gather(*(ended(c.reader) for c in held.conns
                                       if c.outcome == "held" and c.reader is not None)))


def parts_bomb(to: str, parts: int, name: str = "a") -> bytes:
    """A multipart mail of ``parts`` tiny attachments all called ``name``."""
    lines = [f"From: x@example.org\r\nTo: {to}\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
             'Content-Type: multipart/mixed; boundary="B"\r\n\r\n']
    part = (f'--B\r\nContent-Type: application/octet-stream\r\n'
            f'Content-Disposition: attachment; filename="{name}"\r\n\r\nx\r\n')
    lines += [part] * parts
    lines.append("--B--\r\n")
    return "".join(lines).encode()


async def stream_hog(server: Target, token: str, streams: int, ips: Sequence[str]) -> Held:
    """``streams`` event streams opened with one token from ``ips``; the status of each, left open."""
    held = Held()
    request = (f"GET /events/mailbox?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()

    async def one(ip: str) -> None:
        conn = await held.connect(server, server.http_port, ip)
        if conn.reader is None or conn.writer is None:
            return
        try:
            conn.writer.write(request)
            head = await asyncio.wait_for(conn.reader.readuntil(b"\r\n\r\n"), 10)
            conn.outcome = head[9:12].decode()
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            conn.outcome = "cut"

    for n in range(streams):  # one after the other: "the oldest" is well defined
        await one(ips[n % len(ips)])
    return held


async def guess_recipients(server: Target, guesses: Sequence[str], ip: str) -> tuple[list[int], bool]:
    """RCPT TO each guess on one connection; the reply codes, and whether the server hung up."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", server.smtp_port, local_addr=(ip, 0)), 10)
    codes: list[int] = []

    async def command(line: str) -> int:
        writer.write(line.encode() + b"\r\n")
        while True:
            reply = await asyncio.wait_for(reader.readline(), 10)
            if not reply:
                raise ConnectionResetError
            if reply[3:4] != b"-":
                return int(reply[:3])

    try:
        if not (await asyncio.wait_for(reader.readline(), 10)).startswith(b"220"):
            return codes, True
        await command("EHLO guesser.example")
        await command("MAIL FROM:<guesser@example.org>")
        for guess in guesses:
            codes.append(await command(f"RCPT TO:<{guess}>"))
        await command("QUIT")
        return codes, False
    except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
        return codes, True
    finally:
        writer.close()
