"""Every attack of the suite at once, each from its own address, smaller than alone.

The server gets 512 file descriptors and room for 20 event streams. While it
is under all of them a client on 127.0.0.1 keeps working (``/health``, a
mail in over SMTP and out on its stream, twice), memory stays under 300 MiB,
nothing accepted is lost, and the database holds no more than 1.2 bytes per
byte of mail it accepted.
"""

from __future__ import annotations

import asyncio
import secrets

import pytest

from benchmarks.abusekit import (
    ATTACKER_IPS,
    LegitProbe,
    RssSampler,
    big_messages,
    closed_by_server,
    deliver_and_see,
    guess_recipients,
    list_count,
    mail_of_size,
    new_box,
    new_boxes,
    parts_bomb,
    send_mail,
    slowloris,
    smtp_line_flood,
    stream_hog,
)

from .conftest import StartServer

MIB = 1024 * 1024
FLOOD, BIG, AMPLIFY, SLOW, BOMB, GUESS = ATTACKER_IPS[:6]
HOG = ATTACKER_IPS[6:9]


@pytest.mark.timeout(90)
async def test_all_attacks_at_once(start_abuse_server: StartServer) -> None:
    server = start_abuse_server("--sse-capacity", "20", "--http-head-timeout", "3", nofile=512)
    legit = await new_box(server)
    big_box, bomb_box, hog_box = await new_box(server, BIG), await new_box(server, BOMB), await new_box(server, HOG[0])
    amplified = await new_boxes(server, 20, AMPLIFY)
    big_raws = [mail_of_size(big_box.address, 3 * MIB, f"big-{n}") for n in range(6)]
    amplify_raw = mail_of_size(amplified[0].address, MIB)
    guesses = [f"guess.{secrets.token_hex(3)}@a.test" for _ in range(25)]
    before = server.db_bytes()

    with RssSampler(server) as rss:
        async with LegitProbe(server) as probe:
            slow = await slowloris(server, 300, [SLOW])
            hog = await stream_hog(server, hog_box.token, 20, HOG)
            flood, big, amplify, bomb, guessed, _ = await asyncio.gather(
                smtp_line_flood(server, 20, 2 * MIB, FLOOD),
                big_messages(server, big_box.address, big_raws, BIG),
                asyncio.to_thread(send_mail, server, [b.address for b in amplified], amplify_raw, AMPLIFY),
                asyncio.to_thread(send_mail, server, [bomb_box.address], parts_bomb(bomb_box.address, 6000), BOMB),
                guess_recipients(server, guesses, GUESS),
                deliver_and_see(server, legit),
            )
            try:
                await deliver_and_see(server, legit)  # still, with every attacker's connections open
                assert None not in await closed_by_server(slow, timeout=10)  # every half-sent request cut
            finally:
                for held in (slow, hog, flood):
                    held.close()
    probe.assert_healthy()
    assert rss.peak < 300, f"RSS peak {rss.peak:.0f} MiB"

    assert set(big) <= {250, 451, 452}, big  # never dropped: stored, or asked to retry
    assert await list_count(server, big_box) == big.count(250)
    assert amplify == 250 and bomb == 554
    assert guessed == ([550] * 20 + [421], True)
    accepted = big.count(250) * len(big_raws[0]) + len(amplify_raw) + 2 * 1024  # and two small legit mails
    grown = server.db_bytes() - before
    assert grown <= 1.2 * accepted, f"{grown / accepted:.2f} database bytes per byte accepted"
