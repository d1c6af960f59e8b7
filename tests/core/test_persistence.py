"""The state file kept by the client core, on the real server with real SMTP.

Mail renews the session, so every listing moves the expiry: that must not cost
a file write per mail. New mailboxes and new tokens are written at once, and
mailboxes another process adds show up in the running core.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import store_until
from tmtui import paths
from tmtui.server.runner import ReferenceServer
from tmtui.sync import SyncWorker


def saved_file() -> dict[str, dict[str, object]]:
    document = json.loads(paths.state_file().read_text(encoding="utf-8"))
    return {m["address"]: m for m in document["mailboxes"]}


async def test_mail_arriving_writes_nothing_until_the_throttled_flush(
        core: SyncWorker, server: ReferenceServer) -> None:
    address = await core.create()
    assert core.keeper.writes == 1 and address in saved_file()  # a new mailbox: at once
    await store_until(core.store, lambda: core.store.get(address).connection == "live")
    first_expiry = core.store.get(address).expires_at
    for n in range(5):
        server.control.advance_clock(30)  # each listing then renews to a later expiry
        await deliver(server.smtp_port, address, build_mail(address, subject=f"mail {n}"))
        await store_until(core.store, lambda n=n: len(core.store.get(address).messages) == n + 1)
    assert core.store.get(address).expires_at != first_expiry  # the expiry did move...
    assert core.keeper.writes == 1  # ...and not one write was on the mail path
    await core.close()  # exit flushes the expiry
    assert core.keeper.writes == 2
    assert saved_file()[address]["expires_at"] == core.store.get(address).expires_at.timestamp()


async def test_a_mailbox_another_process_creates_appears_and_is_watched(
        core: SyncWorker, server: ReferenceServer) -> None:
    mine = await core.create()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tmtui", "--server", server.base_url, "new",
        stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    theirs = out.decode().strip()
    assert process.returncode == 0 and theirs != mine
    await store_until(core.store, lambda: theirs in core.store, timeout=10)
    await store_until(core.store, lambda: core.store.get(theirs).connection in ("live", "polling"))
    assert set(saved_file()) == {mine, theirs}


async def test_forgetting_here_removes_it_from_the_file_and_keeps_the_others(
        core: SyncWorker, tmp_path: Path) -> None:
    first, second = await core.create(), await core.create()
    core.forget(first)
    await core.keeper.flush()
    assert set(saved_file()) == {second}
