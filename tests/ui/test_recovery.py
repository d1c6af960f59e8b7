"""The mailbox survives a restarted server, a killed session and a refused stream."""

from __future__ import annotations

from pathlib import Path

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.builder import build_app
from tmtui.config import Config
from tmtui.server.config import ServerConfig
from tmtui.server.runner import ReferenceServer

FAST = {"poll_min_seconds": 1.0, "poll_max_seconds": 1.0}


def _ids(mailbox) -> list[str]:
    return [m.id for m in mailbox.messages]


async def test_server_restart_mid_session_comes_back_live_without_lost_or_doubled_rows(
        tmp_path: Path, downloads: Path) -> None:
    config = ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100)
    first = ReferenceServer(config)
    await first.start()
    ports = {"port": first.http_port, "smtp_port": first.smtp_port}
    app = build_app(Config(server=first.base_url, download_dir=downloads, **FAST))
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        await deliver(first.smtp_port, mailbox.address, build_mail(mailbox.address, subject="before"))
        await store_until(store, lambda: len(mailbox.messages) == 1)

        await first.stop()
        await store_until(store, lambda: mailbox.connection != "live")

        second = ReferenceServer(ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False,
                                              retry_ms=100, **ports))
        await second.start()
        try:
            await store_until(store, lambda: mailbox.connection == "live", timeout=30)
            await deliver(second.smtp_port, mailbox.address, build_mail(mailbox.address, subject="after"))
            await store_until(store, lambda: len(mailbox.messages) == 2)
            assert len(set(_ids(mailbox))) == 2
            await screen_until(pilot, lambda: "before" in screen_text(pilot) and "after" in screen_text(pilot))
        finally:
            await second.stop()


async def test_session_killed_server_side_is_recovered_transparently(make_app, server) -> None:
    app = make_app(config=FAST)
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        address, old_token = mailbox.address, mailbox.sid_token
        await deliver(server.smtp_port, address, build_mail(address, subject="kept"))
        await store_until(store, lambda: len(mailbox.messages) == 1)

        server.control.invalidate_session(address)
        await store_until(store, lambda: mailbox.sid_token != old_token and mailbox.connection == "live")
        assert store.get(address) is mailbox  # same address, same rows
        await deliver(server.smtp_port, address, build_mail(address, subject="after recovery"))
        await store_until(store, lambda: len(mailbox.messages) == 2)
        await screen_until(pilot, lambda: "after recovery" in screen_text(pilot))


async def test_refused_stream_falls_back_to_polling_then_returns_live(make_app, server) -> None:
    server.control.refuse_sse(503)
    app = make_app(config=FAST)
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "polling")
        mailbox = store.mailboxes[0]
        await deliver(server.smtp_port, mailbox.address, build_mail(mailbox.address, subject="polled"))
        await store_until(store, lambda: len(mailbox.messages) == 1)  # seen by polling
        assert server.control.stream_count() == 0  # never both at once

        server.control.refuse_sse(None)
        await store_until(store, lambda: mailbox.connection == "live")
        await deliver(server.smtp_port, mailbox.address, build_mail(mailbox.address, subject="pushed"))
        await store_until(store, lambda: len(mailbox.messages) == 2)
        await screen_until(pilot, lambda: "pushed" in screen_text(pilot))


async def test_session_is_renewed_before_it_expires(start_server, downloads: Path) -> None:
    srv = await start_server(ttl_minutes=0.05)  # a 3 s session
    app = build_app(Config(server=srv.base_url, download_dir=downloads))
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        mailbox = store.mailboxes[0]
        token, first_expiry = mailbox.sid_token, mailbox.expires_at
        assert first_expiry is not None
        # A renewal is recorded quietly (no store change): watch the value itself.
        await screen_until(pilot, lambda: (mailbox.expires_at - first_expiry).total_seconds() > 4, timeout=15)
        # Renewed, not lost and recreated: same token, still live.
        assert mailbox.sid_token == token
        assert mailbox.connection == "live"
