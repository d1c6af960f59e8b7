"""The welcome mail every new mailbox gets, as the real service sends one."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SUBJECT = "Welcome to TempMail MMO"


def welcome_message(address: str, now: float) -> bytes:
    domain = address.rpartition("@")[2]
    msg = EmailMessage()
    msg["From"] = f"TempMail MMO <no-reply@{domain}>"
    msg["To"] = address
    msg["Subject"] = SUBJECT
    msg["Date"] = formatdate(now, localtime=False)
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(
        f"Your temporary mailbox {address} is ready.\n\n"
        "Mail sent to this address shows up here within seconds. "
        "You can delete this message.\n"
    )
    msg.add_alternative(
        f"<p>Your temporary mailbox <b>{address}</b> is ready.</p>"
        "<p>Mail sent to this address shows up here within seconds. You can delete this message.</p>",
        subtype="html",
    )
    return msg.as_bytes()
