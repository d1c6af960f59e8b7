"""What uvicorn lacks against slow and many connections: caps at accept, a request-head deadline.

uvicorn offers ``limit_concurrency`` (503 once N connections or tasks are
open, but only after a whole request head has arrived, so half-sent requests
still hold their sockets), ``timeout_keep_alive`` (idle time between requests,
cancelled by the first byte of the next one) and ``h11_max_incomplete_event_size``
(size of a request head). runner.py sets all three. Missing, and added here
as a subclass of uvicorn's h11 protocol:

- a per-IP and total cap checked when the connection is made, answered at
  once (429 / 503, ``Retry-After``) and closed before anything is read: 1,100
  half-sent requests from one address used to exhaust the file descriptors,
  and ``/health`` and SMTP with them;
- a deadline for a complete request head (``http_head_seconds``), from the
  connection or from the end of the previous response: a client that sends a
  byte every few seconds no longer holds a connection forever (408, closed).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from tmtui.server.errors import TOO_MANY_REQUESTS
from tmtui.server.gate import ConnectionGate, Refusal

BUSY = "Server busy. Please try again later."
RETRY_AFTER = 2


def _answer(status: int, reason: str, message: str) -> bytes:
    body = json.dumps({"error": message}, separators=(",", ":")).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Retry-After: {RETRY_AFTER}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


REFUSALS: dict[Refusal, bytes] = {
    "total": _answer(503, "Service Unavailable", BUSY),
    "per_ip": _answer(429, "Too Many Requests", TOO_MANY_REQUESTS),
}
HEAD_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class GuardedConfig(uvicorn.Config):
    """uvicorn's config plus what GuardedProtocol needs (it is handed the config, nothing else)."""

    def __init__(self, app: Any, *, gate: ConnectionGate, head_seconds: float, **options: Any) -> None:
        super().__init__(app, http=GuardedProtocol, **options)
        self.gate = gate
        self.head_seconds = head_seconds


class GuardedProtocol(H11Protocol):
    def __init__(self, config: uvicorn.Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        if not isinstance(config, GuardedConfig):
            raise TypeError("GuardedProtocol needs a GuardedConfig")
        self._gate = config.gate
        self._head_seconds = config.head_seconds
        self._ip: str | None = None  # set once admitted
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
        refusal = self._gate.admit(ip)
        if refusal is not None:
            transport.write(REFUSALS[refusal])
            transport.close()
            return
        self._ip = ip
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ip is None:
            return  # refused in connection_made: uvicorn never saw it
        self._gate.release(self._ip)
        self._ip = None
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # a whole request head is in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request's head has the same deadline

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self._head_seconds, self._head_timeout)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.write(HEAD_TIMEOUT)
            self.transport.close()
