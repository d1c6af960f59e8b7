"""``tmtui demo``: the TUI on an embedded reference server with sample mail, no internet.

The server (HTTP + SSE + SMTP) runs in a background thread on free loopback
ports; its data lives in a temporary directory unless ``--data-dir`` is given.

The banner names the open mailbox, the SMTP port to send it mail and the HTTP
base URL for scripts: the demo mailbox is saved under the demo server while the
demo runs, so ``tmtui --server URL inbox`` in another shell reads it, and it is
forgotten again on exit. The TUI itself keeps no state for the demo (it never
loads or rewrites the user's other mailboxes).
"""

from __future__ import annotations

import argparse
import asyncio
import smtplib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from tmtui import config as config_mod
from tmtui import state
from tmtui.builder import build_app
from tmtui.state import SavedMailbox, server_key

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
            saved = replace(mailbox, server=server_key(server.base_url))
            shared = share(saved)
            try:
                banner = partial(banner_text, server.smtp_port, (server.base_url, mailbox.address) if shared else None)
                return _run_app(args, server.base_url, mailbox, banner)
            finally:
                if shared:
                    unshare(saved)
        finally:
            server.stop()


def banner_text(smtp_port: int, scripts: tuple[str, str] | None, address: str | None) -> str:
    """The demo's banner for the open (or highlighted) mailbox ``address``.

    ``scripts`` is the server's base URL and the mailbox saved for scripts
    (the first one; mailboxes made in the demo are not saved).
    """
    to = f"send mail to {address} via" if address else "send mail via"
    line = f"Demo · {to} SMTP 127.0.0.1:{smtp_port}"
    if scripts:
        base_url, shared = scripts
        line += f"\nScripts: tmtui --server {base_url} inbox"
        if address and address != shared:
            line += f"   (for {shared})"
    return line


def share(mailbox: SavedMailbox) -> bool:
    """Save the demo mailbox under the demo server, for scripts; False if the state file refused."""
    try:
        state.update(lambda saved: [*saved, mailbox])
    except state.StateError as exc:
        print(f"tmtui: {exc}; scripts will not find the demo mailbox", file=sys.stderr)
        return False
    return True


def unshare(mailbox: SavedMailbox) -> None:
    """Forget what :func:`share` saved: the demo server dies with the demo, and so does the token."""
    def without(saved: list[SavedMailbox]) -> list[SavedMailbox]:
        return [m for m in saved if (m.server, m.address, m.sid_token) !=
                (mailbox.server, mailbox.address, mailbox.sid_token)]

    try:
        state.update(without)
    except state.StateError as exc:
        print(f"tmtui: {exc}; the demo mailbox stays in the saved mailboxes", file=sys.stderr)


def _run_app(args: argparse.Namespace, base_url: str, mailbox: SavedMailbox,
             banner: Callable[[str | None], str]) -> int:
    try:
        config = config_mod.load(server=base_url, download_dir=args.download_dir)
    except config_mod.ConfigError as exc:
        print(f"tmtui: {exc}", file=sys.stderr)
        return 2
    app = build_app(config, saved=[mailbox], start_address=mailbox.address, persist=False,
                    warnings=config.warnings, banner=banner)
    app.run()
    return app.return_code or 0
