"""ServerConfig: every knob of the reference server in one typed value.

Defaults follow the contract and the limits in NOTES.md (380 requests/min,
668 session creations/min, 50 active sessions per IP, 1440 min TTL, 5 MB
attachments), plus the limits that keep a server on a public address alive
(issue 13): connections, bytes in flight, storage, time. ``tmtui serve``
exposes each of them as an option (cli.py) with the same default. Tests shrink
them (e.g. ``ttl_minutes=0.01``) to reach edges fast.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")

TakeoverMode = Literal["steal", "share"]
TokenRotation = Literal["on_change", "on_renewal"]
NameStyle = Literal["random", "classic"]

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Limits that must be at least 1 (a cap of 0 would refuse everything).
_POSITIVE = (
    "http_max_connections", "http_per_ip", "http_max_head_bytes", "smtp_max_connections", "smtp_per_ip",
    "smtp_max_recipients", "smtp_spool_bytes", "max_mime_parts", "mailbox_max_messages", "mailbox_max_bytes",
    "sse_per_session", "sweep_batch", "max_message_bytes", "max_request_bytes", "http_keepalive_seconds",
)
_POSITIVE_TIMES = ("ttl_minutes", "ping_seconds", "http_head_seconds", "http_body_seconds", "smtp_timeout_seconds")
# Limits where 0 means "off".
_NON_NEGATIVE = ("storage_max_bytes", "message_ttl_minutes", "mailbox_idle_minutes", "unknown_rcpt_per_hour",
                 "fd_reserve")


@dataclass(slots=True)
class ServerConfig:
    """Configuration of one reference server instance.

    ``port``/``smtp_port`` 0 means "pick a free port" (read the real one from the
    running server). ``data_dir`` None means a temporary directory that is
    removed when the server stops. ``clock`` returns Unix seconds; tests pass a
    fake or use ``control.advance_clock``.

    Readings of the contract that tests may want to flip (see actions.py):
    ``takeover`` "steal" gives the mailbox to the caller's session and ends the
    owner's; "share" hands the caller the owner's session. ``event_token_rotation``
    "on_change" issues a new mailbox_event_token when a session gets a mailbox;
    "on_renewal" also issues one on every renewal (old tokens then get 401).

    Retention: a message is deleted ``message_ttl_minutes`` after it arrived; a
    mailbox with no session and no mail is deleted once it has been idle for
    ``mailbox_idle_minutes``; 0 keeps them forever.
    """

    host: str = "127.0.0.1"
    port: int = 0
    smtp_host: str | None = None  # None: same as host
    smtp_port: int = 0
    data_dir: Path | None = None
    domains: tuple[str, ...] = ("a.test", "b.test")
    ttl_minutes: float = 1440.0
    page_size: int = 50
    max_page_size: int = 500
    ping_seconds: float = 25.0
    retry_ms: int = 2000
    sse_per_ip: int = 10
    sse_capacity: int = 1000
    sse_per_session: int = 3  # the oldest stream of a session is closed past this
    requests_per_minute: int = 380  # 0 disables
    creations_per_minute: int = 668  # 0 disables
    sessions_per_ip: int = 50  # 0 disables eviction
    max_attachment_bytes: int = 5 * MIB
    max_message_bytes: int = 25 * MIB
    max_request_bytes: int = MIB
    welcome_mail: bool = True
    allowed_origins: tuple[str, ...] = ()
    path_prefix: str = ""
    takeover: TakeoverMode = "steal"
    event_token_rotation: TokenRotation = "on_change"
    names: NameStyle = "random"
    smtp_hostname: str = "tmtui.local"
    sweep_seconds: float | None = None  # None: derived from ttl_minutes
    clock: Callable[[], float] = field(default=time.time)
    # -- HTTP connections (uvicorn's own knobs, plus what it lacks) -------------------------
    http_max_connections: int = 1200  # open HTTP connections in all (event streams included)
    http_per_ip: int = 256  # open HTTP connections per client IP
    http_head_seconds: float = 10.0  # a complete request head must arrive within this
    http_body_seconds: float = 30.0  # a request body must arrive within this
    http_keepalive_seconds: int = 5  # idle keep-alive connections close after this
    http_max_head_bytes: int = 16 * KIB  # request line plus headers
    fd_reserve: int = 64  # file descriptors kept free for the database, spool files and the like
    # -- SMTP ---------------------------------------------------------------------------------
    smtp_max_connections: int = 100
    smtp_per_ip: int = 10
    smtp_timeout_seconds: float = 60.0  # idle time before a connection is closed
    smtp_max_recipients: int = 100
    smtp_spool_bytes: int = 64 * KIB  # DATA past this goes to a file in the data directory
    smtp_inflight_bytes: int = 128 * MIB  # DATA received and not yet stored, all connections
    smtp_inflight_per_ip_bytes: int = 32 * MIB  # the same, per client IP
    unknown_rcpt_per_hour: int = 20  # RCPT to unknown mailboxes per client IP; then 421
    max_mime_parts: int = 1000  # more parts: the message is refused (554)
    # -- storage and retention --------------------------------------------------------------------
    mailbox_max_messages: int = 1000
    mailbox_max_bytes: int = 100 * MIB
    storage_max_bytes: int = 2 * GIB  # database size past which SMTP answers 452; 0 = no limit
    message_ttl_minutes: float = 1440.0  # 0 = messages never expire
    mailbox_idle_minutes: float = 1440.0  # 0 = empty mailboxes are never purged
    sweep_batch: int = 500  # rows per retention transaction

    def __post_init__(self) -> None:
        self.domains = tuple(d.strip().lower() for d in self.domains if d.strip())
        if not self.domains:
            raise ValueError("at least one domain is needed")
        bad = [d for d in self.domains if not _DOMAIN.match(d)]
        if bad:
            raise ValueError(f"not a domain name: {bad[0]!r}")
        prefix = self.path_prefix.strip().strip("/")
        self.path_prefix = f"/{prefix}" if prefix else ""
        if self.data_dir is not None:
            self.data_dir = Path(self.data_dir)
        self.allowed_origins = tuple(o.rstrip("/") for o in self.allowed_origins)
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.max_page_size = max(self.max_page_size, 1)
        if self.takeover not in ("steal", "share"):
            raise ValueError("takeover must be 'steal' or 'share'")
        if self.event_token_rotation not in ("on_change", "on_renewal"):
            raise ValueError("event_token_rotation must be 'on_change' or 'on_renewal'")
        if self.names not in ("random", "classic"):
            raise ValueError("names must be 'random' or 'classic'")
        self._check_limits()

    def _check_limits(self) -> None:
        for name in _POSITIVE + _POSITIVE_TIMES:
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in _NON_NEGATIVE:
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        # A message the budget can never hold would be refused forever (with a
        # temporary code, so its sender would retry forever).
        if self.smtp_inflight_per_ip_bytes < self.max_message_bytes:
            raise ValueError("smtp_inflight_per_ip_bytes must be at least max_message_bytes")
        if self.smtp_inflight_bytes < self.smtp_inflight_per_ip_bytes:
            raise ValueError("smtp_inflight_bytes must be at least smtp_inflight_per_ip_bytes")

    @property
    def default_domain(self) -> str:
        return self.domains[0]

    @property
    def effective_page_size(self) -> int:
        return min(self.page_size, self.max_page_size)

    @property
    def sweep_interval(self) -> float:
        """How often expired sessions are looked for (so streams get session_lost soon)."""
        if self.sweep_seconds is not None:
            return max(self.sweep_seconds, 0.01)
        return min(1.0, max(0.05, self.ttl_minutes * 60 / 20))
