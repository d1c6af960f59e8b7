"""``tmtui serve``: run the reference server in the foreground until Ctrl-C or SIGTERM.

This module is imported to build tmtui's argument parser, so it imports
nothing heavy at module level (config.py is the standard library only);
uvicorn and friends load in ``run_serve``. Every limit of ServerConfig is an
option here, with ServerConfig's default.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tmtui.server.config import ServerConfig

POLICY = """\
retention and privacy:
  A message is deleted --message-ttl-minutes after it arrived (default 24 h).
  A mailbox with no session and no mail is deleted once idle for
  --mailbox-idle-minutes (default 24 h); sessions expire after --ttl-minutes.
  Anyone who knows an address can open it and read its mail (that is the
  service's model): new addresses get a random part of about 52 bits
  (--names classic: about 20 bits, guessable), and SMTP closes a client
  that asks for too many unknown recipients.
"""
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _domains(value: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lower() for d in value.split(",") if d.strip())
    if not domains:
        raise argparse.ArgumentTypeError("give at least one domain, e.g. a.test,b.test")
    return domains


def byte_size(value: str) -> int:
    """``65536``, ``64K``, ``25M``, ``2G`` (binary units) -> bytes."""
    match = _SIZE.match(value)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (e.g. 64K, 25M, 2G)")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def _human(n: int) -> str:
    for unit, size in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("tmtui") / "server"


_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(ServerConfig)}

# (flag, ServerConfig field, type, metavar, help); "{d}" in the help is the default.
Limit = tuple[str, str, Callable[[str], Any], str, str]
LIMITS: dict[str, list[Limit]] = {
    "HTTP connections": [
        ("--http-max-connections", "http_max_connections", int, "N",
         "open HTTP connections in all, event streams included; more get 503 (default {d})"),
        ("--http-per-ip", "http_per_ip", int, "N", "open HTTP connections per client IP; more get 429 (default {d})"),
        ("--http-head-timeout", "http_head_seconds", float, "SEC",
         "a whole request head must arrive within this, else 408 and close (default {d})"),
        ("--http-body-timeout", "http_body_seconds", float, "SEC",
         "a request body must arrive within this (default {d})"),
        ("--http-keepalive", "http_keepalive_seconds", int, "SEC",
         "idle keep-alive connections close after (default {d})"),
        ("--http-max-head-bytes", "http_max_head_bytes", byte_size, "SIZE", "request line plus headers (default {d})"),
        ("--max-request-bytes", "max_request_bytes", byte_size, "SIZE", "request body; more get 413 (default {d})"),
        ("--fd-reserve", "fd_reserve", int, "N",
         "file descriptors kept free besides both connection caps (default {d})"),
    ],
    "SMTP intake": [
        ("--smtp-max-connections", "smtp_max_connections", int, "N",
         "SMTP connections in all; more get 421 (default {d})"),
        ("--smtp-per-ip", "smtp_per_ip", int, "N", "SMTP connections per client IP (default {d})"),
        ("--smtp-timeout", "smtp_timeout_seconds", float, "SEC", "idle SMTP connections close after (default {d})"),
        ("--smtp-max-recipients", "smtp_max_recipients", int, "N", "recipients per message (default {d})"),
        ("--max-message-bytes", "max_message_bytes", byte_size, "SIZE", "message size; more get 552 (default {d})"),
        ("--smtp-spool-bytes", "smtp_spool_bytes", byte_size, "SIZE",
         "message data kept in memory; past it, in a file in the data dir (default {d})"),
        ("--smtp-inflight-bytes", "smtp_inflight_bytes", byte_size, "SIZE",
         "message data received and not yet stored, all senders; past it 451/452, try later (default {d})"),
        ("--smtp-inflight-per-ip", "smtp_inflight_per_ip_bytes", byte_size, "SIZE",
         "the same per client IP, at least --max-message-bytes (default {d})"),
        ("--unknown-rcpt-per-hour", "unknown_rcpt_per_hour", int, "N",
         "RCPT to unknown mailboxes per client IP and hour; then 421 and close, 0 = no limit (default {d})"),
        ("--max-mime-parts", "max_mime_parts", int, "N", "MIME parts per message; more get 554 (default {d})"),
    ],
    "storage and retention": [
        ("--mailbox-max-messages", "mailbox_max_messages", int, "N",
         "messages per mailbox; then 452 4.2.2 mailbox full (default {d})"),
        ("--mailbox-max-bytes", "mailbox_max_bytes", byte_size, "SIZE", "bytes per mailbox, as received (default {d})"),
        ("--storage-max-bytes", "storage_max_bytes", byte_size, "SIZE",
         "database size past which SMTP answers 452, 0 = no limit (default {d})"),
        ("--message-ttl-minutes", "message_ttl_minutes", float, "MIN",
         "messages are deleted this long after arrival, 0 = never (default {d})"),
        ("--mailbox-idle-minutes", "mailbox_idle_minutes", float, "MIN",
         "mailboxes with no session and no mail are deleted after this idle time, 0 = never (default {d})"),
        ("--sweep-batch", "sweep_batch", int, "N", "rows deleted per retention transaction (default {d})"),
    ],
    "sessions and streams": [
        ("--ttl-minutes", "ttl_minutes", float, "MIN", "session lifetime (default {d})"),
        ("--rate-limit", "requests_per_minute", int, "N", "requests per minute per IP, 0 = off (default {d})"),
        ("--creation-limit", "creations_per_minute", int, "N",
         "session creations per minute per IP, 0 = off (default {d})"),
        ("--sessions-per-ip", "sessions_per_ip", int, "N",
         "active sessions per IP before the oldest is evicted, 0 = off (default {d})"),
        ("--sse-per-ip", "sse_per_ip", int, "N", "event streams per IP; more get 429 (default {d})"),
        ("--sse-capacity", "sse_capacity", int, "N", "event streams in total; more get 503 (default {d})"),
        ("--sse-per-session", "sse_per_session", int, "N",
         "event streams per session; a new one closes the oldest (default {d})"),
        ("--ping-seconds", "ping_seconds", float, "SEC", "event stream keep-alive interval (default {d})"),
    ],
}


def _default_text(field: str) -> str:
    value = _DEFAULTS[field]
    if field.endswith("_bytes") and isinstance(value, int):
        return _human(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = POLICY
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind HTTP and SMTP to (default 127.0.0.1)")
    add("--port", type=int, default=8025, help="HTTP port, 0 for a free one (default 8025)")
    add("--smtp-port", type=int, default=2525, help="SMTP port, 0 for a free one (default 2525)")
    add("--data-dir", type=Path, default=None, metavar="DIR",
        help="where the SQLite database lives (default: the user data dir)")
    add("--domains", type=_domains, default=("a.test", "b.test"), metavar="LIST",
        help="comma-separated served domains, the first is the default (default a.test,b.test)")
    add("--prefix", default="", metavar="PATH", help="serve under a path prefix, e.g. /tool")
    add("--page-size", type=int, default=50, help="mails per get_email_list page (default 50, max 500)")
    add("--allowed-origin", action="append", default=[], metavar="ORIGIN",
        help="browser Origin allowed to call the API (repeatable; default: none)")
    add("--takeover", choices=("steal", "share"), default="steal",
        help="force_takeover gives the caller the mailbox (steal) or the owner's session (share)")
    add("--names", choices=("random", "classic"), default="random",
        help="new addresses: random (about 52 bits, the default) or classic person-like (about 20 bits)")
    add("--no-welcome", dest="welcome_mail", action="store_false", help="do not put a welcome mail in new mailboxes")
    for title, limits in LIMITS.items():
        group = parser.add_argument_group(title)
        for flag, field, kind, metavar, text in limits:
            group.add_argument(flag, dest=field, type=kind, metavar=metavar, default=_DEFAULTS[field],
                               help=text.format(d=_default_text(field)))


def config_from(args: argparse.Namespace) -> ServerConfig:
    """The ServerConfig the parsed options describe (ValueError if a value is out of range)."""
    limits = {field: getattr(args, field) for group in LIMITS.values() for _, field, _, _, _ in group}
    return ServerConfig(
        host=args.host, port=args.port, smtp_port=args.smtp_port, data_dir=args.data_dir or default_data_dir(),
        domains=args.domains, path_prefix=args.prefix, page_size=args.page_size,
        allowed_origins=tuple(args.allowed_origin), takeover=args.takeover, names=args.names,
        welcome_mail=args.welcome_mail, **limits,
    )


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted; 0 on a clean stop, 1 if the server cannot start."""
    import asyncio  # here, not at the top: `tmtui --help` builds this parser

    from tmtui.server.runner import ServerStartError

    try:
        config = config_from(args)
    except ValueError as exc:
        print(f"tmtui serve: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(config))
    except ServerStartError as exc:
        print(f"tmtui serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # a second Ctrl-C during the stop
        return 130
    return 0


async def _serve(config: ServerConfig) -> None:
    import asyncio
    import contextlib
    import signal

    from tmtui.server.runner import ReferenceServer

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows has no add_signal_handler: there Ctrl-C raises KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with ReferenceServer(config) as server:
        print(f"tmtui reference server: {server.base_url}  SMTP {server.smtp_host}:{server.smtp_port}  "
              f"data {server.data_dir}  (Ctrl-C stops)", flush=True)
        await stop.wait()
    print("tmtui reference server stopped", flush=True)
