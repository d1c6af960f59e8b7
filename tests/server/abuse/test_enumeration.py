"""Attack 7: mailbox enumeration.

Before: random names had about 20 bits and SMTP answered every RCPT with 250
or 550 without limit: one connection listed every live mailbox of a domain in
433 s, then ``open_email_address`` read the victims' codes. Now an address
has ~52 random bits, and past 20 unknown recipients per hour a client IP gets
421 and is disconnected.
"""

from __future__ import annotations

import re
import secrets

import pytest

from benchmarks.abusekit import ATTACKER_IPS, LegitProbe, deliver_and_see, guess_recipients, new_box

from .conftest import StartServer

ATTACKER = ATTACKER_IPS[0]


@pytest.mark.timeout(60)
async def test_guessing_recipients_is_cut_off(start_abuse_server: StartServer) -> None:
    server = start_abuse_server()
    legit = await new_box(server)
    guesses = [f"{secrets.choice(['mai', 'anh', 'tom'])}.tran{n:02d}@a.test" for n in range(30)]
    async with LegitProbe(server) as probe:
        codes, hung_up = await guess_recipients(server, guesses, ATTACKER)
        assert codes == [550] * 20 + [421] and hung_up
        again, hung_up_again = await guess_recipients(server, guesses[:1], ATTACKER)  # a new connection: still 421
        assert again == [421] and hung_up_again
        await deliver_and_see(server, legit)  # other clients are not affected
    probe.assert_healthy()
    # And there is little to guess from: first.last. plus 8 random characters.
    assert re.fullmatch(r"[a-z]+\.[a-z]+\.[a-z0-9]{8}@a\.test", legit.address), legit.address
