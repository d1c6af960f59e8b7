"""SMTP limits (issue 13): line lengths, connection caps, spooling, the in-flight budget,
unknown recipients, the MIME part cap, and temporary failures instead of silent drops."""

from __future__ import annotations

import asyncio
import smtplib

import httpx
import pytest

from tests.support.loopback import needs_alias
from tests.support.mail import build_mail, deliver
from tests.support.waiting import until
from tests.support.wire import call, take_address
from tmtui.server.mailparse import UniqueNames
from tmtui.server.parsepool import ParserPool


class Smtp:
    """A raw SMTP client: one command, one reply, nothing hidden."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, greeting: bytes) -> None:
        self.reader, self.writer, self.greeting = reader, writer, greeting

    @classmethod
    async def open(cls, port: int, source: str = "127.0.0.1") -> Smtp:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
        return cls(reader, writer, await asyncio.wait_for(reader.readline(), 10))

    async def reply(self) -> bytes:
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), 10)
            lines.append(line)
            if not line or line[3:4] != b"-":
                return b"".join(lines)

    async def send(self, data: bytes) -> bytes:
        self.writer.write(data)
        return await self.reply()

    async def closed(self) -> bool:
        """The server closed the connection (a reset, when our unread bytes were still on their way, counts)."""
        try:
            return await asyncio.wait_for(self.reader.read(), 10) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.writer.close()


async def test_command_lines_stop_at_512_octets_and_the_connection_carries_on(server) -> None:
    smtp = await Smtp.open(server.smtp_port)
    try:
        assert (await smtp.send(b"HELO " + b"h" * 600 + b"\r\n")).startswith(b"500 Command line too long")
        assert (await smtp.send(b"HELO " + b"h" * 50_000 + b"\r\n")).startswith(b"500 Command line too long")
        assert (await smtp.send(b"EHLO ok.example\r\n")).startswith(b"250")
    finally:
        smtp.close()


async def test_an_endless_command_line_gets_the_client_disconnected(server) -> None:
    smtp = await Smtp.open(server.smtp_port)
    try:
        assert (await smtp.send(b"EHLO ok.example\r\n")).startswith(b"250")
        smtp.writer.write(b"HELO " + b"h" * 200_000)  # no line end, ever
        assert (await smtp.reply()).startswith(b"500 5.5.2")
        assert await smtp.closed()
    finally:
        smtp.close()


@pytest.mark.parametrize("end", [b"\r\n", b"\n"])
async def test_text_lines_hold_998_octets_with_either_line_end(server, server_client, end: bytes) -> None:
    await take_address(server_client, "lines")

    def data(length: int) -> bytes:
        return b"Subject: lines" + end + end + b"x" * length + end

    assert await deliver(server.smtp_port, "lines@a.test", data(998)) == {}
    with pytest.raises(smtplib.SMTPDataError) as too_long:
        await deliver(server.smtp_port, "lines@a.test", data(999))
    assert too_long.value.smtp_code == 500
    # A dot-stuffed line of 998 octets is 999 on the wire, and still fine.
    assert await deliver(server.smtp_port, "lines@a.test", data(997).replace(b"x", b".", 1)) == {}


@needs_alias
async def test_connections_are_capped_per_ip_and_in_all(start_server) -> None:
    srv = await start_server(smtp_per_ip=2, smtp_max_connections=3)
    held = [await Smtp.open(srv.smtp_port) for _ in range(2)]
    try:
        assert all(s.greeting.startswith(b"220") for s in held)
        third = await Smtp.open(srv.smtp_port)
        assert third.greeting.startswith(b"421 4.7.0") and await third.closed()
        held.append(await Smtp.open(srv.smtp_port, "127.0.0.2"))  # another client: room for it
        assert held[-1].greeting.startswith(b"220")
        fourth = await Smtp.open(srv.smtp_port, "127.0.0.3")  # but 3 in all
        assert fourth.greeting.startswith(b"421") and await fourth.closed()
    finally:
        for smtp in held:
            smtp.close()


async def test_big_data_goes_through_the_spool_and_the_parser_process(start_server) -> None:
    srv = await start_server(smtp_spool_bytes=4096)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "spooled")
        blob = bytes(range(256)) * 2000  # 512 kB
        await deliver(srv.smtp_port, "spooled@a.test", build_mail("spooled@a.test", attachments=[("b.bin", blob)]))
        listed = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
        data = await call(client, "fetch_attachment", sid_token=session["sid_token"],
                          email_id=listed["list"][0]["mail_id"], file_name="b.bin")
        assert data.content == blob
    assert list((srv.data_dir / "spool").iterdir()) == []  # the spool file went with the transaction


async def test_past_the_in_flight_budget_the_answer_is_451_not_a_drop(start_server) -> None:
    limit = 200_000
    srv = await start_server(max_message_bytes=limit, smtp_inflight_bytes=limit, smtp_inflight_per_ip_bytes=limit)
    budget = srv._smtp.budget
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        session = await take_address(client, "budget")
    body = b"Subject: big\r\n\r\n" + (b"y" * 98 + b"\r\n") * 1500  # 150 kB
    first, second = await Smtp.open(srv.smtp_port), await Smtp.open(srv.smtp_port)
    try:
        for smtp in (first, second):
            await smtp.send(b"EHLO me\r\n")
            await smtp.send(b"MAIL FROM:<a@example.org>\r\n")
            assert (await smtp.send(b"RCPT TO:<budget@a.test>\r\n")).startswith(b"250")
            assert (await smtp.send(b"DATA\r\n")).startswith(b"354")
        first.writer.write(body)  # no final dot yet: these bytes are in flight
        await until(lambda: budget.used >= 128 * 1024, 10, what="the budget in use")
        assert (await second.send(body + b".\r\n")).startswith(b"451 4.3.1")  # try again later
        assert (await first.send(b".\r\n")).startswith(b"250")
        assert budget.used == 0
        # Declared up front, the same is refused at MAIL FROM while the budget is held.
        assert (await second.send(b"MAIL FROM:<a@example.org> SIZE=150000\r\n")).startswith(b"250")
    finally:
        first.close()
        second.close()
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        assert (await call(client, "get_email_list", sid_token=session["sid_token"])).json()["count"] == 1


async def test_unknown_recipients_are_limited_per_ip_per_hour(start_server) -> None:
    srv = await start_server(unknown_rcpt_per_hour=3)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "real")

    async def session(*recipients: str) -> list[int]:
        smtp = await Smtp.open(srv.smtp_port)
        codes = []
        try:
            await smtp.send(b"EHLO me\r\n")
            await smtp.send(b"MAIL FROM:<a@example.org>\r\n")
            for rcpt in recipients:
                reply = await smtp.send(f"RCPT TO:<{rcpt}>\r\n".encode())
                codes.append(int(reply[:3]))
                if reply.startswith(b"421"):
                    assert await smtp.closed()
                    break
        finally:
            smtp.close()
        return codes

    assert await session("n1@a.test", "n2@a.test", "n3@a.test", "n4@a.test", "n5@a.test") == [550, 550, 550, 421]
    assert await session("real@a.test", "n6@a.test") == [250, 421]  # known ones still go through
    srv.control.advance_clock(3601)
    assert await session("n7@a.test") == [550]


async def test_mime_parts_are_capped(start_server) -> None:
    srv = await start_server(max_mime_parts=50)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "parts")

    def mail(parts: int) -> bytes:
        head = b'Subject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
        part = b'--B\r\nContent-Disposition: attachment; filename="a"\r\n\r\nx\r\n'
        return head + part * parts + b"--B--\r\n"

    assert await deliver(srv.smtp_port, "parts@a.test", mail(40)) == {}
    with pytest.raises(smtplib.SMTPDataError) as refused:
        await deliver(srv.smtp_port, "parts@a.test", mail(60))
    assert refused.value.smtp_code == 554 and b"MIME parts" in refused.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as spooled:  # the same in the parser process
        await deliver(srv.smtp_port, "parts@a.test", mail(60) + (b"z" * 70 + b"\r\n") * 1500)
    assert spooled.value.smtp_code == 554


def test_duplicate_names_are_made_unique_in_linear_time() -> None:
    names = UniqueNames()
    claimed = [names.claim("a") for _ in range(5000)] + [names.claim("a (7)"), names.claim("a.txt"),
                                                          names.claim("a.txt")]
    assert len(set(claimed)) == len(claimed)
    assert claimed[:3] == ["a", "a (2)", "a (3)"] and claimed[-3:] == ["a (7) (2)", "a.txt", "a (2).txt"]
    assert names.probes <= 2 * len(claimed) + 5  # quadratic was 12.5 million for 5,000


async def test_a_storage_failure_is_a_temporary_error(server, server_client, monkeypatch) -> None:
    await take_address(server_client, "unlucky")

    async def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(server._core, "deliver", broken)
    with pytest.raises(smtplib.SMTPDataError) as failed:
        await deliver(server.smtp_port, "unlucky@a.test", build_mail("unlucky@a.test"))
    assert failed.value.smtp_code == 451  # the sender keeps the mail and retries


async def test_a_dead_parser_process_is_a_temporary_error(start_server, monkeypatch) -> None:
    srv = await start_server(smtp_spool_bytes=4096)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "reparsed")

    async def dies(self: ParserPool, *args: object) -> tuple[str, object]:
        raise asyncio.IncompleteReadError(b"", 8)  # what its stdout gives when it is killed

    big = build_mail("reparsed@a.test", text="z\n" * 100_000)
    monkeypatch.setattr(ParserPool, "_ask", dies)
    with pytest.raises(smtplib.SMTPDataError) as failed:
        await deliver(srv.smtp_port, "reparsed@a.test", big)
    assert failed.value.smtp_code == 451
    monkeypatch.undo()
    assert await deliver(srv.smtp_port, "reparsed@a.test", big) == {}  # a new worker takes over
