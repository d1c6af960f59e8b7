"""Attack 6: one token held every stream.

Before: no cap per session; one event token used from 100 addresses held
1,000 streams and the next real user got 503. Here the server's stream
capacity is 20, and one token opens 30 streams from 3 addresses.
"""

from __future__ import annotations

import pytest

from benchmarks.abusekit import ATTACKER_IPS, LegitProbe, deliver_and_see, new_box, stream_hog

from .conftest import StartServer


@pytest.mark.timeout(60)
async def test_one_session_cannot_take_every_stream(start_abuse_server: StartServer) -> None:
    server = start_abuse_server("--sse-capacity", "20")
    hog = await new_box(server, ATTACKER_IPS[0])
    legit = await new_box(server)
    async with LegitProbe(server) as probe:
        attack = await stream_hog(server, hog.token, streams=30, ips=ATTACKER_IPS[:3])
        try:
            await deliver_and_see(server, legit)  # a stream of its own, and the mail on it
        finally:
            attack.close()
    probe.assert_healthy()
    assert attack.count("200") == 30  # each new stream is let in; the session's oldest ones are closed
