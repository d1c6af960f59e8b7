"""Mail with bare-LF line ends (smtplib.sendmail of default-policy bytes) is accepted."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

import httpx
import pytest

from tests.support.wire import call, new_session


def _send(port: int, to: str, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("sender@example.org", [to], raw)


async def test_bare_lf_mail_with_attachment_and_dot_lines(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    to, sid = session["email_addr"], session["sid_token"]
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", to, "bare LF"
    message.set_content("first line\n.starts with a dot\nlast line\n")
    message.add_attachment(bytes(range(256)) * 64, maintype="application", subtype="octet-stream",
                           filename="blob.bin")
    raw = message.as_bytes()  # LF line ends, > 1000 bytes in all
    assert b"\r\n" not in raw and len(raw) > 5000
    await asyncio.to_thread(_send, server.smtp_port, to, raw)
    listing = (await call(server_client, "get_email_list", sid_token=sid)).json()
    (item,) = listing["list"]
    mail = (await call(server_client, "fetch_email", sid_token=sid, email_id=item["mail_id"])).json()
    assert ".starts with a dot" in mail["mail_body"] and "..starts" not in mail["mail_body"]
    assert mail["mail_attachments"][0]["size"] == 256 * 64


async def test_a_real_overlong_line_is_still_refused(server, server_client: httpx.AsyncClient) -> None:
    session = await new_session(server_client)
    to = session["email_addr"]
    raw = b"Subject: long\n\n" + b"x" * 1200 + b"\n"
    with pytest.raises(smtplib.SMTPDataError) as caught:
        await asyncio.to_thread(_send, server.smtp_port, to, raw)
    assert caught.value.smtp_code == 500
