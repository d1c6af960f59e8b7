"""The demo's banner names the mailbox in front of the user, and the HTTP URL for scripts.

The app is built with the demo's banner (tmtui.demo.banner_text) on the real
server; tests/e2e/test_tmux_daily.py runs `tmtui demo` itself and a script against it.
"""

from __future__ import annotations

from functools import partial

from textual.widgets import DataTable, Static

from tests.support.waiting import screen_until, store_until
from tmtui import demo
from tmtui.api.client import TempMailClient
from tmtui.state import SavedMailbox
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


def _banner(app) -> str:
    return " ".join(str(app.screen.query_one("#banner", Static).content).split())


async def test_banner_follows_the_open_mailbox_and_gives_the_url(make_app, server) -> None:
    async with TempMailClient(server.base_url) as client:  # as the demo makes its mailbox
        session = await client.get_email_address()
    first = session.address
    app = make_app(saved=[SavedMailbox(first, session.sid_token, session.meta.expires_at)], start_address=first,
                   banner=partial(demo.banner_text, server.smtp_port, (server.base_url, first)))
    async with app.run_test(size=(80, 24)) as pilot:
        store = app.store
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        assert f"send mail to {first} via SMTP" in _banner(app)
        assert f"tmtui --server {server.base_url} inbox" in _banner(app)

        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("n")
        await screen_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # a second mailbox, on the default domain: it opens
        await store_until(store, lambda: len(store.mailboxes) == 2)
        second = next(m.address for m in store.mailboxes if m.address != first)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.address == second)
        await screen_until(pilot, lambda: f"send mail to {second} via" in _banner(app))
        assert f"inbox (for {first})" in _banner(app)  # scripts see the demo's first mailbox

        await pilot.press("escape")  # the picker's banner names the highlighted row
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        table = picker.query_one(DataTable)
        start = picker.selected
        await screen_until(pilot, lambda: f"send mail to {start} via" in _banner(app))
        await pilot.press("down" if table.cursor_row < table.row_count - 1 else "up")  # row 0: All mailboxes
        await screen_until(pilot, lambda: picker.selected not in (start, None))
        await screen_until(pilot, lambda: f"send mail to {picker.selected} via" in _banner(app))
