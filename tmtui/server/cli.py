"""``tmtui serve``: run the reference server in the foreground until Ctrl-C or SIGTERM.

This module is imported to build tmtui's argument parser, so it imports
nothing heavy at module level; uvicorn and friends load in ``run_serve``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tmtui.server.config import ServerConfig


def _domains(value: str) -> tuple[str, ...]:
    domains = tuple(d.strip().lower() for d in value.split(",") if d.strip())
    if not domains:
        raise argparse.ArgumentTypeError("give at least one domain, e.g. a.test,b.test")
    return domains


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("tmtui") / "server"


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind HTTP and SMTP to (default 127.0.0.1)")
    add("--port", type=int, default=8025, help="HTTP port, 0 for a free one (default 8025)")
    add("--smtp-port", type=int, default=2525, help="SMTP port, 0 for a free one (default 2525)")
    add("--data-dir", type=Path, default=None, metavar="DIR",
        help="where the SQLite database lives (default: the user data dir)")
    add("--domains", type=_domains, default=("a.test", "b.test"), metavar="LIST",
        help="comma-separated served domains, the first is the default (default a.test,b.test)")
    add("--prefix", default="", metavar="PATH", help="serve under a path prefix, e.g. /tool")
    add("--ttl-minutes", type=float, default=1440.0, help="session lifetime in minutes (default 1440)")
    add("--page-size", type=int, default=50, help="mails per get_email_list page (default 50, max 500)")
    add("--rate-limit", type=int, default=380, metavar="N", help="requests per minute per IP, 0 = off (default 380)")
    add("--creation-limit", type=int, default=668, metavar="N",
        help="session creations per minute per IP, 0 = off (default 668)")
    add("--sessions-per-ip", type=int, default=50, metavar="N",
        help="active sessions per IP before the oldest is evicted, 0 = off (default 50)")
    add("--sse-per-ip", type=int, default=10, metavar="N", help="event streams per IP (default 10)")
    add("--sse-capacity", type=int, default=1000, metavar="N", help="event streams in total (default 1000)")
    add("--ping-seconds", type=float, default=25.0, help="event stream keep-alive interval (default 25)")
    add("--allowed-origin", action="append", default=[], metavar="ORIGIN",
        help="browser Origin allowed to call the API (repeatable; default: none)")
    add("--takeover", choices=("steal", "share"), default="steal",
        help="force_takeover gives the caller the mailbox (steal) or the owner's session (share)")
    add("--no-welcome", dest="welcome_mail", action="store_false", help="do not put a welcome mail in new mailboxes")


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted; 0 on a clean stop, 1 if the server cannot start."""
    import asyncio  # here, not at the top: `tmtui --help` builds this parser

    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerStartError

    try:
        config = ServerConfig(
            host=args.host, port=args.port, smtp_port=args.smtp_port,
            data_dir=args.data_dir or default_data_dir(), domains=args.domains, path_prefix=args.prefix,
            ttl_minutes=args.ttl_minutes, page_size=args.page_size, requests_per_minute=args.rate_limit,
            creations_per_minute=args.creation_limit, sessions_per_ip=args.sessions_per_ip,
            sse_per_ip=args.sse_per_ip, sse_capacity=args.sse_capacity, ping_seconds=args.ping_seconds,
            allowed_origins=tuple(args.allowed_origin), takeover=args.takeover, welcome_mail=args.welcome_mail,
        )
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
