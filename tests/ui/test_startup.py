"""Start-up as `tmtui` runs it: the collector is off until the app settles, the sync core
starts once the first frame is drawn (and imports the HTTP stack on a thread), and the
footer builds its keys once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.waiting import screen_text, screen_until, store_until, until_sync


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


async def _inbox_with_keys(make_app, server):
    from tmtui.api.client import TempMailClient
    from tmtui.state import SavedMailbox

    async with TempMailClient(server.base_url) as client:
        session = await client.get_email_address()
    return make_app(saved=[SavedMailbox(session.address, session.sid_token, session.meta.expires_at)],
                    start_address=session.address)


async def test_the_footer_keeps_its_keys_while_the_bindings_stay_the_same(make_app, server) -> None:
    """Textual rebuilds the footer's keys on every "bindings changed" signal (three times in a
    row at start-up, for the same keys); ours only when what they show changed."""
    from textual.widgets._footer import FooterKey

    from tmtui.ui.screens.inbox import InboxScreen
    from tmtui.ui.widgets.footer import KeysFooter

    app = await _inbox_with_keys(make_app, server)
    async with app.run_test(size=(100, 32)) as pilot:
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and "d Delete" in screen_text(pilot))
        footer = app.screen.query_one(KeysFooter)
        keys = list(footer.query(FooterKey))
        app.screen.refresh_bindings()  # the same bindings, announced again
        await pilot.pause()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # the same widgets: nothing rebuilt
        await pilot.press("slash")  # the filter takes the focus: other keys
        await screen_until(pilot, lambda: list(footer.query(FooterKey)) != keys, what="the filter's keys")
        assert "d Delete" not in screen_text(pilot)


async def test_footer_keys_are_born_with_the_footers_spacing(make_app, server) -> None:
    from textual.widgets._footer import FooterKey

    from tmtui.ui.screens.inbox import InboxScreen

    app = await _inbox_with_keys(make_app, server)
    async with app.run_test(size=(80, 24)) as pilot:
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and "Delete" in screen_text(pilot))
        keys = [k for k in app.screen.query(FooterKey) if "-command-palette" not in k.classes]
        assert keys and all(k.compact and k.has_class("-compact") for k in keys)  # narrow: compact
        await pilot.resize_terminal(120, 32)
        await screen_until(pilot, lambda: not any(k.has_class("-compact") for k in keys), what="wide spacing")
