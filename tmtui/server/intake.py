"""IntakeHandler: the aiosmtpd hooks that decide what is accepted, and store it once.

- MAIL: a declared SIZE that the in-flight budget or the storage cap cannot
  hold gets ``452 4.3.1`` (temporary: the sender retries later).
- RCPT: only existing mailboxes on served domains (550 otherwise). Unknown
  recipients are counted per client IP: past ``unknown_rcpt_per_hour`` the
  answer is ``421`` and the connection is closed (enumeration of live
  addresses stops there). A mailbox at its quota (messages or bytes, with the
  declared SIZE) gets ``452 4.2.2 Mailbox full``. The quota is checked here,
  when the recipient is accepted: DATA has one answer for all recipients.
- DATA: the mail is parsed (on the loop when small, else in the parser
  process) and stored once for every accepted recipient. ``250`` means
  stored; a temporary problem is a 4xx (never a silent drop).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession

from tmtui.server.budget import ByteBudget
from tmtui.server.core import ServerCore
from tmtui.server.limits import SlidingWindow
from tmtui.server.mailparse import ParsedMail, TooManyParts, parse_message
from tmtui.server.parsepool import ParserPool, ParserUnavailable
from tmtui.server.spool import Transfer

log = logging.getLogger(__name__)

INLINE_PARSE_BYTES = 16 * 1024  # smaller mails parse on the loop: faster than a process hop
UNKNOWN_WINDOW = 3600.0

NO_STORAGE = "452 4.3.1 Insufficient system storage, try again later"
MAILBOX_FULL = "452 4.2.2 Mailbox full"
TOO_MANY_UNKNOWN = "421 4.7.0 Too many unknown recipients, closing connection"
TRY_LATER = "451 4.3.0 Temporary failure, try again later"


class IntakeEnvelope(Envelope):
    """aiosmtpd's envelope, plus the mailboxes accepted at RCPT and the DATA on its way in."""

    def __init__(self) -> None:
        super().__init__()
        self.mailbox_ids: list[int] = []
        self.declared_size = 0
        self.transfer: Transfer | None = None


class IntakeSession(SmtpSession):
    """aiosmtpd's session, plus a request to close the connection after the reply."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.hang_up = False


def client_ip(session: SmtpSession) -> str:
    peer: Any = session.peer  # typed str, but a (host, port) tuple
    return str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"


def declared_size(options: list[str]) -> int:
    for option in options:
        name, _, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit() and len(value) < 16:
            return int(value)
    return 0


class IntakeHandler:
    def __init__(self, core: ServerCore, budget: ByteBudget) -> None:
        self._core = core
        self.config = core.config
        self.budget = budget
        self.unknown = SlidingWindow(self.config.unknown_rcpt_per_hour, UNKNOWN_WINDOW)
        self.parser = ParserPool(self.config.max_mime_parts)
        self._big = asyncio.Lock()  # one spooled mail parsed and stored at a time: bounded memory

    async def handle_MAIL(self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        size = declared_size(mail_options)
        cap = self.config.storage_max_bytes
        if size > self.budget.room(client_ip(session)) or (cap and self._core.storage.used_bytes() + size > cap):
            return NO_STORAGE
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        if isinstance(envelope, IntakeEnvelope):
            envelope.declared_size = size
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        assert isinstance(envelope, IntakeEnvelope)
        if len(envelope.rcpt_tos) >= self.config.smtp_max_recipients:
            return "452 4.5.3 Too many recipients"
        mailbox = self._core.served_mailbox(address)
        if mailbox is None:
            if self.unknown.hit(client_ip(session), self._core.now()) is not None:
                if isinstance(session, IntakeSession):
                    session.hang_up = True
                return TOO_MANY_UNKNOWN
            return "550 5.1.1 No such mailbox here"
        count, used = self._core.storage.usage(mailbox.id)
        if count >= self.config.mailbox_max_messages or used + envelope.declared_size > self.config.mailbox_max_bytes:
            return MAILBOX_FULL
        # Mail is on its way: the mailbox is not idle (retention will not purge it under us).
        now = self._core.now()
        await self._core.db.write(lambda s: s.touch_mailboxes([mailbox.id], now))
        envelope.rcpt_tos.append(address)
        if mailbox.id not in envelope.mailbox_ids:
            envelope.mailbox_ids.append(mailbox.id)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        assert isinstance(envelope, IntakeEnvelope) and envelope.transfer is not None
        transfer = envelope.transfer
        try:
            content = transfer.content
            if content is not None and len(content) <= INLINE_PARSE_BYTES:
                return await self._store(envelope, parse_message(content, envelope.mail_from,
                                                                 max_parts=self.config.max_mime_parts))
            async with self._big:
                return await self._store(envelope, await self._parse(transfer, envelope.mail_from))
        except TooManyParts as exc:
            return f"554 5.6.0 Too many MIME parts (at most {exc.limit})"
        except ParserUnavailable:
            return TRY_LATER

    async def _parse(self, transfer: Transfer, envelope_from: str | None) -> ParsedMail:
        # Spooled: the worker reads the file. In memory but too big to parse on the loop: the bytes go over.
        source = transfer.path or transfer.content or b""
        return await self.parser.parse(source, envelope_from)

    async def _store(self, envelope: IntakeEnvelope, mail: ParsedMail) -> str:
        assert envelope.transfer is not None
        delivered = await self._core.deliver(envelope.mailbox_ids, mail, envelope.transfer.size)
        return "250 OK" if delivered else "554 5.1.1 No valid recipients"

    async def handle_exception(self, error: Exception) -> str:
        """Anything unexpected is a temporary failure: the sender keeps the mail and retries."""
        log.error("SMTP intake failed: %s", error, exc_info=error)
        return TRY_LATER

    async def close(self) -> None:
        await self.parser.close()
