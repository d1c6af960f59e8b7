"""Realistic sample mail for ``tmtui demo`` and the screenshots: built, not downloaded."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime


def tiny_png(width: int = 16, height: int = 16) -> bytes:
    """A valid PNG of a small gradient, made here so the demo needs no files."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 16 % 256, y * 16 % 256, 160)) for x in range(width))
        for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def tiny_pdf(text: str = "Invoice 2026-1125") -> bytes:
    """A minimal one-page PDF."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _base(to: str, sender: str, subject: str, when: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = format_datetime(when)
    return message


def sample_mails(to: str, now: datetime | None = None) -> list[bytes]:
    """Oldest first: a newsletter, a plain note, an invoice with attachments, junk, a sign-up code."""
    now = now or datetime.now(UTC)
    mails: list[EmailMessage] = []

    news = _base(to, "Terminal Weekly <news@terminal-weekly.example>",
                 "This week: 10 TUI tricks you should know", now - timedelta(hours=5))
    news.set_content("Terminal Weekly, issue 142. Read it in an HTML-capable client.")
    items = "".join(
        f"<li><a href='https://terminal-weekly.example/142/{i}'>Trick {i}</a>: "
        f"keep your hands on the keyboard.</li>" for i in range(1, 11))
    news.add_alternative(
        "<html><body><h1>Terminal Weekly #142</h1><p>Hello reader,</p>"
        f"<p>This week we collected <b>ten tricks</b> for life in the terminal.</p><ul>{items}</ul>"
        "<p><a href='https://terminal-weekly.example/unsubscribe'>Unsubscribe</a></p>"
        "</body></html>", subtype="html")
    mails.append(news)

    note = _base(to, "Linh Tran <linh@example.org>", "Lunch on Friday?", now - timedelta(hours=3))
    note.set_content("Hi!\n\nAre we still on for lunch on Friday at 12:30?\n"
                     "The place near the station does a good pho.\n\nLinh\n")
    mails.append(note)

    invoice = _base(to, "Billing <billing@shop.example>", "Your invoice and receipt photo",
                    now - timedelta(hours=1))
    invoice.set_content("Thanks for your order #A-2291. Your invoice and a photo of the receipt "
                        "are attached.")
    invoice.add_attachment(tiny_pdf(), maintype="application", subtype="pdf",
                           filename="invoice-2026-1125.pdf")
    invoice.add_attachment(tiny_png(), maintype="image", subtype="png", filename="receipt.png")
    mails.append(invoice)

    junk = _base(to, "Prize Desk <winner@lottery.example>", "You have WON a prize!!!",
                 now - timedelta(minutes=30))
    junk["X-Spam-Flag"] = "YES"
    junk.set_content("Click here to claim your prize. (This one was filed as Junk.)")
    mails.append(junk)

    code = _base(to, "Acme Accounts <no-reply@acme.example>", "Your Acme verification code",
                 now - timedelta(minutes=2))
    code.set_content("Your verification code is 482913. It expires in 10 minutes.")
    code.add_alternative(
        "<html><body><p>Welcome to Acme!</p><p>Your verification code is</p>"
        "<h2 style='letter-spacing:4px'>482913</h2><p>It expires in 10 minutes. Or confirm with "
        "this link: <a href='https://acme.example/verify?t=9f2c1e'>Verify my email</a></p>"
        "</body></html>", subtype="html")
    mails.append(code)
    return [m.as_bytes(policy=policy.SMTP) for m in mails]
