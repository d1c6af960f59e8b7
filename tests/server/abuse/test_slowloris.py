"""Attack 2: slowloris on HTTP took SMTP down too.

Before: uvicorn had no request-head deadline and no connection cap; 1,100
half-sent requests from one IP exhausted the file descriptors (``Errno 24``)
and ``/health`` and SMTP timed out. Here the server gets 512 descriptors, so
600 half-sent requests are enough to show it.
"""

from __future__ import annotations

import pytest

from benchmarks.abusekit import ATTACKER_IPS, LegitProbe, closed_by_server, deliver_and_see, new_box, slowloris

from .conftest import StartServer

ATTACKER = ATTACKER_IPS[0]
HEAD_SECONDS = 3


@pytest.mark.timeout(60)
async def test_half_sent_requests_neither_starve_http_nor_smtp(start_abuse_server: StartServer) -> None:
    server = start_abuse_server("--http-head-timeout", str(HEAD_SECONDS), nofile=512)
    legit = await new_box(server)
    async with LegitProbe(server) as probe:
        attack = await slowloris(server, connections=600, ips=[ATTACKER])
        try:
            await deliver_and_see(server, legit)  # SMTP in, the event stream out, while the attack holds
            assert server.open_fds() < 500
            # Nothing is kept: past the per-IP cap (256) refused at once (429, or a reset that beat it,
            # as the server closes without reading), the ones let in cut at the head deadline (408).
            ends = await closed_by_server(attack, timeout=HEAD_SECONDS + 7)
            assert None not in ends, f"{ends.count(None)} half-sent requests still open"
            cut = sum(end.startswith(b"HTTP/1.1 408") for end in ends if end)
            assert 0 < cut <= 256, attack.outcomes
        finally:
            attack.close()
    probe.assert_healthy()
