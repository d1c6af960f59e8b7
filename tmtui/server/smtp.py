"""SMTP intake with aiosmtpd, on the same event loop as the HTTP server.

Sharing the loop keeps ordering simple: when a client gets "250 OK" the mail
is stored and its ``changed`` event is already queued. RCPT is accepted only
for existing mailboxes on served domains (550 otherwise). Large mails are
parsed in a worker thread so the loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from tmtui.server.core import ServerCore
from tmtui.server.mailparse import ParsedMail, parse_message

log = logging.getLogger(__name__)

MAX_RECIPIENTS = 100
PARSE_INLINE_BYTES = 256 * 1024  # smaller mails parse faster than a thread hop
MAX_LINE_BYTES = 1000  # RFC 5321 4.5.3.1.6: 998 characters plus CRLF
_BARE_LF_STUFFED = re.compile(rb"(?<!\r)\n\.\.")
_LONG_LINE = re.compile(rb"[^\n]{%d,}" % MAX_LINE_BYTES)


class LenientSMTP(SMTP):
    """Accepts mail whose lines end in a bare LF, as real MTAs do.

    Python's ``smtplib.sendmail`` sends ``bytes`` unchanged, so a message built
    with the default email policy arrives with LF line ends; aiosmtpd would see
    one endless line and refuse it. Here DATA may hold such a "line" up to the
    message size limit, and :meth:`IntakeHandler.handle_DATA` checks the real
    lines against RFC 5321's 1000-byte limit instead.
    """

    def __init__(self, handler: Any, *, line_limit: int, **options: Any) -> None:
        self.line_length_limit = line_limit  # read by SMTP.__init__ for its stream reader
        super().__init__(handler, **options)


class IntakeHandler:
    """aiosmtpd handler: validates recipients and stores accepted mail."""

    def __init__(self, core: ServerCore) -> None:
        self._core = core

    async def handle_RCPT(
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        if self._core.served_mailbox(address) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if _LONG_LINE.search(raw.replace(b"\r\n", b"\n")):
            return "500 Line too long (see RFC5321 4.5.3.1.6)"
        # aiosmtpd un-stuffs dots only after CRLF; lines after a bare LF are ours to do.
        raw = _BARE_LF_STUFFED.sub(b"\n.", raw)
        if len(raw) > PARSE_INLINE_BYTES:
            mail = await asyncio.to_thread(parse_message, raw, envelope.mail_from)
        else:
            mail = parse_message(raw, envelope.mail_from)
        stored = self.store(envelope.rcpt_tos, mail)
        return "250 OK" if stored else "554 5.1.1 No valid recipients"

    def store(self, recipients: list[str], mail: ParsedMail) -> int:
        stored = 0
        for address in dict.fromkeys(a.strip().lower() for a in recipients):
            mailbox = self._core.served_mailbox(address)  # may have gone since RCPT
            if mailbox is not None:
                self._core.store_mail(mailbox, mail)
                stored += 1
        return stored


class SmtpServer:
    """The listening SMTP server and its open connections (closed on stop)."""

    def __init__(self, core: ServerCore) -> None:
        self._core = core
        self._handler = IntakeHandler(core)
        self._server: asyncio.base_events.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def _protocol(self) -> SMTP:
        config = self._core.config
        protocol = LenientSMTP(
            self._handler,
            hostname=config.smtp_hostname,  # avoids a getfqdn() DNS lookup per connection
            data_size_limit=config.max_message_bytes,
            line_limit=config.max_message_bytes + 2,
            enable_SMTPUTF8=True,
            timeout=60,
            loop=asyncio.get_running_loop(),
        )
        self._connections.add(protocol)
        return protocol

    async def start(self, sock: Any) -> None:
        self._server = await asyncio.get_running_loop().create_server(self._protocol, sock=sock)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for protocol in list(self._connections):
            transport = protocol.transport
            if transport is not None:
                transport.close()
        await self._server.wait_closed()
        self._server = None
