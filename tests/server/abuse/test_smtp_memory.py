"""Attack 1: SMTP memory exhaustion.

Before: SMTP command lines could be 25 MB long and connections were unlimited
(60 connections of 24 MiB ``HELO`` took RSS from 820 MiB to 2,358 MiB), and
10 concurrent 24 MiB messages peaked at 1 GiB with half of their senders
dropped. Scaled down here: tens of MiB, enough to tell bounded from not.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.abusekit import (
    ATTACKER_IPS,
    LegitProbe,
    RssSampler,
    big_messages,
    deliver_and_see,
    list_count,
    mail_of_size,
    new_box,
    smtp_line_flood,
)

from .conftest import StartServer

MIB = 1024 * 1024
ATTACKER = ATTACKER_IPS[0]


@pytest.mark.timeout(60)
async def test_endless_command_lines_cost_bounded_memory(start_abuse_server: StartServer) -> None:
    server = start_abuse_server()
    legit = await new_box(server)
    with RssSampler(server) as rss:
        async with LegitProbe(server) as probe:
            flood = await smtp_line_flood(server, connections=40, size=3 * MIB, ip=ATTACKER)  # 120 MiB offered
            try:
                await deliver_and_see(server, legit)  # while every flooding connection is still open
            finally:
                flood.close()
    assert rss.growth < 40, f"RSS grew {rss.growth:.0f} MiB while 120 MiB of HELO were sent"
    assert rss.peak < 300
    probe.assert_healthy()
    assert flood.count("421") == 30, flood.outcomes  # 10 connections per client IP


@pytest.mark.timeout(90)
async def test_concurrent_big_messages_are_spooled_and_never_dropped(start_abuse_server: StartServer) -> None:
    server = start_abuse_server()
    target, legit = await new_box(server, ATTACKER), await new_box(server)
    raws = [mail_of_size(target.address, 4 * MIB, f"bulk-{n}") for n in range(10)]  # built before the clock runs
    with RssSampler(server) as rss:
        async with LegitProbe(server) as probe:
            attack = asyncio.create_task(big_messages(server, target.address, raws, ip=ATTACKER))
            await deliver_and_see(server, legit)
            outcomes = await attack
    probe.assert_healthy()
    # Every sender heard back: stored (250) or "try again later" (451/452), never a cut connection.
    assert set(outcomes) <= {250, 451, 452}, outcomes
    assert outcomes.count(250) >= 3, outcomes  # the per-IP budget (32 MiB) holds several at once
    assert await list_count(server, target) == outcomes.count(250)  # nothing accepted was lost
    assert rss.growth < 100, f"RSS grew {rss.growth:.0f} MiB for 40 MiB of mail"
    assert rss.peak < 300
