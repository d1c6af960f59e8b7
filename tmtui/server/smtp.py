"""SMTP intake with aiosmtpd, on the same event loop as the HTTP server.

Sharing the loop keeps ordering simple: when a client gets "250 OK" the mail
is stored and its ``changed`` event is already queued. What the hooks decide
is in intake.py; this module bounds what one connection may cost:

- at most ``smtp_max_connections`` in all and ``smtp_per_ip`` per client IP
  (a connection past either gets ``421`` and is closed at once);
- command lines of 512 octets (RFC 5321 4.5.3.1.4, aiosmtpd's check), read
  with a stream limit of about 1 KB: a 24 MiB ``HELO`` with no newline is read
  and thrown away, never held (it used to be, for 60 connections: +1.5 GB);
  and a client that sends ``COMMAND_JUNK_BYTES`` outside DATA without one
  valid command is disconnected rather than read forever;
- DATA read a line at a time (smtpdata.py) into a Transfer (spool.py): memory
  while small, a spool file past ``smtp_spool_bytes``, charged to the
  in-flight budget (budget.py) that answers 451/452 when it is used up.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, syntax

from tmtui.server.budget import ByteBudget
from tmtui.server.core import ServerCore
from tmtui.server.gate import ConnectionGate
from tmtui.server.intake import TRY_LATER, IntakeEnvelope, IntakeHandler, IntakeSession, client_ip
from tmtui.server.smtpdata import READER_LIMIT, receive
from tmtui.server.spool import Outcome, Transfer, clear_spool

log = logging.getLogger(__name__)

SPOOL_DIR = "spool"
BUSY = b"421 4.7.0 Too many connections, try again later\r\n"
COMMAND_JUNK_BYTES = 64 * 1024  # outside DATA, between two valid commands
JUNK = b"500 5.5.2 Too much without a valid command, closing connection\r\n"
ERRORS = {
    Outcome.TOO_LONG: "500 Line too long (see RFC5321 4.5.3.1.6)",
    Outcome.TOO_BIG: "552 Error: Too much mail data",
    Outcome.NO_ROOM: "451 4.3.1 Insufficient system resources, try again later",
}


class IntakeSMTP(SMTP):
    """aiosmtpd's SMTP with connection caps and DATA in bounded memory."""

    line_length_limit = READER_LIMIT  # read by SMTP.__init__ for its stream reader

    def __init__(self, handler: IntakeHandler, *, gate: ConnectionGate, spool: Path, **options: Any) -> None:
        super().__init__(handler, **options)
        self._intake = handler
        self._gate = gate
        self._spool = spool
        self._ip: str | None = None  # set once admitted
        self._unanswered = 0  # bytes since the last valid command (outside DATA)
        self._in_data = False

    def _create_session(self) -> IntakeSession:
        return IntakeSession(self.loop)

    def _create_envelope(self) -> IntakeEnvelope:
        return IntakeEnvelope()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
        if self._gate.admit(ip) is not None:
            if isinstance(transport, asyncio.WriteTransport):
                transport.write(BUSY)
            transport.close()
            return
        self._ip = ip
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._in_data:
            self._unanswered += len(data)
            if self._unanswered > COMMAND_JUNK_BYTES:
                if isinstance(self.transport, asyncio.WriteTransport) and not self.transport.is_closing():
                    self.transport.write(JUNK)
                    self.transport.close()
                return
        super().data_received(data)

    def _reset_timeout(self, duration: float | None = None) -> None:
        self._unanswered = 0  # aiosmtpd calls this for every valid command
        super()._reset_timeout(duration)

    def connection_lost(self, error: Exception | None) -> None:
        if self._ip is None:
            return  # refused in connection_made: nothing was started
        self._gate.release(self._ip)
        self._ip = None
        super().connection_lost(error)

    async def smtp_RCPT(self, arg: str | None) -> None:
        await super().smtp_RCPT(arg)
        if isinstance(self.session, IntakeSession) and self.session.hang_up and self.transport is not None:
            self.transport.close()

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        envelope = self.envelope
        assert isinstance(envelope, IntakeEnvelope) and self.session is not None
        if not envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        ip = client_ip(self.session)
        if self._intake.budget.room(ip) <= 0:
            self._set_post_data_state()
            await self.push(TRY_LATER)
            return
        config = self._intake.config
        transfer = Transfer(self._spool, threshold=config.smtp_spool_bytes, max_bytes=config.max_message_bytes,
                            budget=self._intake.budget, ip=ip)
        try:
            self._in_data = True
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            outcome = await receive(self._reader, transfer, self._reset_timeout)
            self._in_data = False
            if outcome is not Outcome.OK:
                self._set_post_data_state()
                await self.push(ERRORS[outcome])
                return
            envelope.transfer = transfer
            envelope.original_content = transfer.content  # None once spooled
            status = await self._call_handler_hook("DATA")
            self._set_post_data_state()
            await self.push(status)
        finally:
            self._in_data = False
            transfer.close()


class SmtpServer:
    """The listening SMTP server and its open connections (closed on stop)."""

    def __init__(self, core: ServerCore, data_dir: Path, max_connections: int) -> None:
        config = core.config
        self._core = core
        self.budget = ByteBudget(config.smtp_inflight_bytes, config.smtp_inflight_per_ip_bytes)
        self.handler = IntakeHandler(core, self.budget)
        self.gate = ConnectionGate(max_connections, config.smtp_per_ip)
        self._spool = data_dir / SPOOL_DIR
        self._server: asyncio.base_events.Server | None = None
        self._connections: weakref.WeakSet[SMTP] = weakref.WeakSet()

    def _protocol(self) -> SMTP:
        config = self._core.config
        protocol = IntakeSMTP(
            self.handler,
            gate=self.gate,
            spool=self._spool,
            hostname=config.smtp_hostname,  # avoids a getfqdn() DNS lookup per connection
            data_size_limit=config.max_message_bytes,
            enable_SMTPUTF8=True,
            timeout=config.smtp_timeout_seconds,
            loop=asyncio.get_running_loop(),
        )
        self._connections.add(protocol)
        return protocol

    async def start(self, sock: Any) -> None:
        clear_spool(self._spool)
        self._server = await asyncio.get_running_loop().create_server(self._protocol, sock=sock)

    async def stop(self) -> None:
        await self.handler.close()
        if self._server is None:
            return
        self._server.close()
        for protocol in list(self._connections):
            transport = protocol.transport
            if transport is not None:
                transport.close()
        await self._server.wait_closed()
        self._server = None
