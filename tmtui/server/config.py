"""ServerConfig: every knob of the reference server in one typed value.

Defaults follow the contract and the limits in NOTES.md (380 requests/min,
668 session creations/min, 50 active sessions per IP, 1440 min TTL, 5 MB
attachments). Tests shrink them (e.g. ``ttl_minutes=0.01``) to reach edges fast.
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
    requests_per_minute: int = 380  # 0 disables
    creations_per_minute: int = 668  # 0 disables
    sessions_per_ip: int = 50  # 0 disables eviction
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_message_bytes: int = 25 * 1024 * 1024
    max_request_bytes: int = 1024 * 1024
    welcome_mail: bool = True
    allowed_origins: tuple[str, ...] = ()
    path_prefix: str = ""
    takeover: TakeoverMode = "steal"
    event_token_rotation: TokenRotation = "on_change"
    smtp_hostname: str = "tmtui.local"
    sweep_seconds: float | None = None  # None: derived from ttl_minutes
    clock: Callable[[], float] = field(default=time.time)

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
        if self.ttl_minutes <= 0:
            raise ValueError("ttl_minutes must be positive")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.max_page_size = max(self.max_page_size, 1)
        if self.ping_seconds <= 0:
            raise ValueError("ping_seconds must be positive")
        if self.takeover not in ("steal", "share"):
            raise ValueError("takeover must be 'steal' or 'share'")
        if self.event_token_rotation not in ("on_change", "on_renewal"):
            raise ValueError("event_token_rotation must be 'on_change' or 'on_renewal'")

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
