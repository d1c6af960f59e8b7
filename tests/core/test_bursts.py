"""A burst of mail on the real stack: every mail arrives, in few listings, within the rate budget."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from tests.support.mail import build_mail, deliver
from tests.support.waiting import store_until
from tmtui.server.runner import ReferenceServer
from tmtui.sync import SyncWorker
from tmtui.sync.coalesce import BURST, RATE


async def test_a_burst_of_forty_is_listed_in_few_calls_and_none_is_lost(
        core: SyncWorker, server: ReferenceServer) -> None:
    address = await core.create()
    core.focus(address)
    await store_until(core.store, lambda: core.store.get(address).connection == "live")
    listings = 0
    real = core.client.get_email_list

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal listings
        listings += 1
        return await real(*args, **kwargs)

    core.client.get_email_list = counted  # type: ignore[method-assign]
    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(40):  # forty SMTP transactions back to back: forty changed events
        await deliver(server.smtp_port, address, build_mail(address, subject=f"burst {n}"))
    await store_until(core.store, lambda: len(core.store.get(address).messages) == 40, timeout=30)
    elapsed = loop.time() - started
    # One listing per event would be 40; merging bounds it by the token bucket
    # (BURST back to back, then RATE a second), whatever the machine's speed.
    assert listings <= BURST + math.ceil(RATE * elapsed) + 1, (listings, elapsed)
    assert listings < 40
