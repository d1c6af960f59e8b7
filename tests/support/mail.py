"""Build RFC 5322 mail and deliver it over real SMTP (smtplib), for tests.

    raw = build_mail("user@a.test", subject="Your code", html="<p>Code <b>123456</b></p>",
                     attachments=[("report.pdf", b"%PDF-1.4 ...", "application/pdf")])
    await deliver(server.smtp_port, "user@a.test", raw)
"""

from __future__ import annotations

import asyncio
import mimetypes
import smtplib
from collections.abc import Mapping, Sequence
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

Attachment = tuple[str, bytes] | tuple[str, bytes, str]


def build_mail(
    to: str,
    subject: str = "Hello",
    text: str | None = None,
    html: str | None = None,
    sender: str = "Sender <sender@example.org>",
    attachments: Sequence[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """A well-formed mail with CRLF line ends (as SMTP needs). Text defaults to a greeting."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        msg[name] = value
    if text is None and html is None:
        text = "Hello from the tests."
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html or "", subtype="html")
    for item in attachments:
        name, data = item[0], item[1]
        ctype = item[2] if len(item) > 2 else (mimetypes.guess_type(name)[0] or "application/octet-stream")
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP)


def deliver_sync(
    smtp_port: int, to: str | Sequence[str], raw: bytes, host: str = "127.0.0.1",
    sender: str = "sender@example.org",
) -> dict[str, tuple[int, bytes]]:
    """Send ``raw`` over SMTP; returns smtplib's refused-recipients dict (raises if all refused)."""
    recipients = [to] if isinstance(to, str) else list(to)
    with smtplib.SMTP(host, smtp_port, timeout=30) as smtp:
        return smtp.sendmail(sender, recipients, raw)


async def deliver(
    smtp_port: int, to: str | Sequence[str], raw: bytes, host: str = "127.0.0.1",
    sender: str = "sender@example.org",
) -> dict[str, tuple[int, bytes]]:
    """``deliver_sync`` in a thread, so the server on this loop keeps running."""
    return await asyncio.to_thread(deliver_sync, smtp_port, to, raw, host, sender)
