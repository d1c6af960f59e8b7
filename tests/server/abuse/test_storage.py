"""Attack 3: storage amplification with the event loop blocked.

Before: one 24 MiB message to 100 mailboxes grew the database by 1.8 GB and
froze ``/health`` and every stream for 17.8 s (a copy per recipient, written
on the event loop). Scaled down: one 1 MiB message to 40 mailboxes.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.abusekit import (
    ATTACKER_IPS,
    LegitProbe,
    deliver_and_see,
    list_count,
    mail_of_size,
    new_box,
    new_boxes,
    send_mail,
)

from .conftest import StartServer

ATTACKER = ATTACKER_IPS[0]
RECIPIENTS = 40


@pytest.mark.timeout(60)
async def test_one_message_to_many_mailboxes_is_stored_once(start_abuse_server: StartServer) -> None:
    server = start_abuse_server()
    boxes = await new_boxes(server, RECIPIENTS, ATTACKER)
    legit = await new_box(server)
    raw = mail_of_size(boxes[0].address, 1024 * 1024)
    before = server.db_bytes()
    async with LegitProbe(server) as probe:
        attack = asyncio.create_task(asyncio.to_thread(send_mail, server, [b.address for b in boxes], raw, ATTACKER))
        await deliver_and_see(server, legit)
        assert await attack == 250
    probe.assert_healthy()
    assert [await list_count(server, b) for b in boxes[:3]] == [1, 1, 1]
    grown = server.db_bytes() - before
    assert grown <= 1.2 * len(raw), f"{grown / len(raw):.1f} database bytes per byte received"
