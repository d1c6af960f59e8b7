"""Attack 5: quadratic attachment naming.

Before: duplicate attachment names were renamed in O(n^2): 8,000 parts named
``a`` took 17.4 s to parse, and a 25 MB message could hold ~470,000 parts.
Now names are made unique in linear time and a message of more than 1,000
parts is refused with a clear 5xx.
"""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.abusekit import ATTACKER_IPS, LegitProbe, deliver_and_see, http_client, new_box, parts_bomb, send_mail

from .conftest import StartServer

ATTACKER = ATTACKER_IPS[0]


@pytest.mark.timeout(60)
async def test_a_part_bomb_is_refused_and_many_same_names_are_cheap(start_abuse_server: StartServer) -> None:
    server = start_abuse_server()
    target, legit = await new_box(server, ATTACKER), await new_box(server)
    async with LegitProbe(server) as probe:
        bomb = asyncio.create_task(asyncio.to_thread(send_mail, server, [target.address],
                                                     parts_bomb(target.address, 6000), ATTACKER))
        await deliver_and_see(server, legit)
        assert await bomb == 554  # refused, permanently: the sender gets a bounce, not a retry loop
    probe.assert_healthy()
    # Under the cap: 900 parts called "a" are stored, each with its own name.
    code = await asyncio.to_thread(send_mail, server, [target.address], parts_bomb(target.address, 900), ATTACKER)
    assert code == 250
    async with http_client(server) as client:
        listed = (await client.post("/ajax.php", params={"f": "get_email_list"},
                                    data={"sid_token": target.sid})).json()
        mail = (await client.post("/ajax.php", params={"f": "fetch_email"},
                                  data={"sid_token": target.sid, "email_id": listed["list"][0]["mail_id"]})).json()
    names = [a["name"] for a in mail["mail_attachments"]]
    assert len(names) == len(set(names)) == 900 and names[:3] == ["a", "a (2)", "a (3)"]
