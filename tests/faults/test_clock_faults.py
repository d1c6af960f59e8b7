"""The clock jumps: the client's (tmtui.clock.set_clock), the server's
(control.advance_clock). The mailbox and its rows survive, keys work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import clock

from .fakes import FaultyTransport
from .kit import SIZE, build_app, live_inbox, rows_are, send, still_responds


@pytest.fixture(autouse=True)
def restore_clock():
    yield
    clock.set_clock(None)


@pytest.mark.parametrize("jump", [timedelta(days=2), timedelta(days=-1), timedelta(days=-400)],
                         ids=["forward-2d", "back-1d", "back-400d"])
async def test_client_clock_jump(start_server, downloads, jump: timedelta) -> None:
    server = await start_server(retry_ms=100)
    faulty = FaultyTransport()
    app = build_app(server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(server, mailbox, "before the jump")
        await rows_are(pilot, mailbox, ["before the jump"])
        clock.set_clock(lambda: datetime.now(UTC) + jump)
        start = len(faulty.times)
        await pilot.pause(3)  # let the 1 s header timer and the renewal logic see the new time
        if jump > timedelta(0):
            await screen_until(pilot, lambda: "expired" in screen_text(pilot))
        await send(server, mailbox, "after the jump")
        await rows_are(pilot, mailbox, ["before the jump", "after the jump"])
        assert mailbox.connection == "live" and app.store.mailboxes == [mailbox]
        listings = [r for r, _ in faulty.times[start:] if r == "get_email_list"]
        assert len(listings) <= 8, f"{len(listings)} listings in ~3 s: a clock ahead must not flood"
        await still_responds(pilot)


async def test_server_clock_jump_expires_the_session_and_it_is_reopened(start_server, downloads) -> None:
    # The mail must outlive the two-day jump (the server deletes mail a day after it arrived, by default).
    server = await start_server(retry_ms=100, message_ttl_minutes=3 * 1440)
    app = build_app(server.base_url, downloads)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(server, mailbox, "old mail")
        await rows_are(pilot, mailbox, ["old mail"])
        token = mailbox.sid_token
        server.control.advance_clock(2 * 86400)  # past the 1-day session: swept, session_lost
        await store_until(app.store, lambda: mailbox.sid_token != token and mailbox.connection == "live",
                          20)
        await send(server, mailbox, "new mail")
        await rows_are(pilot, mailbox, ["old mail", "new mail"])
        assert app.store.mailboxes == [mailbox]
        await still_responds(pilot)
