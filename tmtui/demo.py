"""``tmtui demo``: the TUI on an embedded reference server with sample mail, no internet.

The server (HTTP + SSE + SMTP) runs in a background thread on free loopback
ports; its data lives in a temporary directory unless ``--data-dir`` is given.
The demo mailbox is not written to the user's saved sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import sys
import tempfile
from pathlib import Path

from tmtui import config as config_mod
from tmtui.builder import build_app
from tmtui.state import SavedMailbox

DEMO_DOMAINS = ("demo.test", "mail.demo.test")


async def _create_mailbox(base_url: str) -> SavedMailbox:
    from tmtui.api.client import TempMailClient

    async with TempMailClient(base_url) as client:
        session = await client.get_email_address()
    return SavedMailbox(session.address, session.sid_token, session.meta.expires_at)


def seed(smtp_port: int, address: str) -> None:
    from tmtui.demo_mail import sample_mails

    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
        for raw in sample_mails(address):
            smtp.sendmail("demo@sender.example", [address], raw)


def run_demo(args: argparse.Namespace) -> int:
    try:
        from tmtui.server.config import ServerConfig
        from tmtui.server.runner import ServerStartError, ServerThread
    except ImportError:
        print("tmtui: the demo needs the server extra: pip install 'tmtui[server]'", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="tmtui-demo-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        server_config = ServerConfig(data_dir=data_dir, domains=DEMO_DOMAINS,
                                     smtp_port=args.smtp_port, welcome_mail=False)
        try:
            server = ServerThread(server_config)
            server.start()
        except ServerStartError as exc:
            print(f"tmtui: {exc}", file=sys.stderr)
            return 1
        try:
            mailbox = asyncio.run(_create_mailbox(server.base_url))
            seed(server.smtp_port, mailbox.address)
            banner = f"Demo · send mail to {mailbox.address} via SMTP 127.0.0.1:{server.smtp_port}"
            return _run_app(args, server.base_url, mailbox, banner)
        finally:
            server.stop()


def _run_app(args: argparse.Namespace, base_url: str, mailbox: SavedMailbox, banner: str) -> int:
    try:
        config = config_mod.load(server=base_url, download_dir=args.download_dir)
    except config_mod.ConfigError as exc:
        print(f"tmtui: {exc}", file=sys.stderr)
        return 2
    app = build_app(config, saved=[mailbox], start_address=mailbox.address, persist=False,
                    warnings=config.warnings, banner=banner)
    app.run()
    return app.return_code or 0
