"""Start-up as `tmtui` runs it: the collector is off until the app settles, the sync core
starts once the first frame is drawn (its first request builds the HTTP stack)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.waiting import screen_until, store_until, until_sync


@pytest.fixture
def collector_off() -> Iterator[None]:
    """As launch.run_tui leaves it when it builds the app."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


async def test_the_collector_is_back_on_once_the_app_settles(make_app, collector_off) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await screen_until(pilot, gc.isenabled, what="the collector back on")
        assert gc.get_freeze_count() > 0  # start-up objects are kept out of full collections


async def test_the_mailbox_goes_live_after_the_first_frame(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)):
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        assert app.sync.client.http is not None


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


async def test_the_converter_worker_starts_after_start_up_and_stops_with_the_app(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        assert "converter" not in app.__dict__  # not built on the first frame's path
        await screen_until(pilot, lambda: "converter" in app.__dict__ and app.converter.mode == "process",
                           what="the converter worker started")
        pid = app.converter.worker_pid()
        assert pid is not None and _running(pid)
        rendered = await app.converter.render("<p>a <b>body</b></p>")
        assert rendered.text == "a body"
    until_sync(lambda: not _running(pid), what="the converter worker gone")
