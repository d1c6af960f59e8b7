"""The picker says which server it shows, and how many saved mailboxes belong to other servers.

The state file holds mailboxes of two servers: the real one (a mailbox made
through the API) and one nobody runs. The app starts as `tmtui` does, reading the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import state
from tmtui.api.client import TempMailClient
from tmtui.api.secret import Secret
from tmtui.state import SavedMailbox, server_key
from tmtui.ui.screens.picker import PickerScreen

OTHER = "https://other.example/tool"


async def _two_servers_saved(base_url: str) -> str:
    async with TempMailClient(base_url) as client:
        session = await client.get_email_address()
    later = datetime.now(UTC) + timedelta(hours=1)
    state.save([
        SavedMailbox(session.address, session.sid_token, session.meta.expires_at, server_key(base_url)),
        SavedMailbox("far.one@other.example", Secret("t1"), later, server_key(OTHER)),
        SavedMailbox("far.two@other.example", Secret("t2"), later, server_key(OTHER)),
        SavedMailbox("far.three@other.example", Secret("t3"), later, server_key(OTHER)),
    ])
    return session.address


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_picker_names_its_server_and_counts_the_others(make_app, server, size) -> None:
    address = await _two_servers_saved(server.base_url)
    app = make_app(saved=None)
    async with app.run_test(size=size) as pilot:
        await store_until(app.store, lambda: address in app.store)
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        here = server_key(server.base_url)

        def shown() -> str:
            return " ".join(screen_text(pilot).split())  # the line may wrap at 60 columns

        await screen_until(pilot, lambda: here in shown() and "3 more saved for other servers" in shown())
        assert address in shown()
        assert "other.example" not in shown()  # only this server's mailboxes are listed


async def test_no_mailbox_here_but_some_elsewhere_creates_nothing_and_says_why(make_app, server) -> None:
    state.save([SavedMailbox("far.one@other.example", Secret("t1"), None, server_key(OTHER))])
    app = make_app(saved=None)
    async with app.run_test(size=(80, 24)) as pilot:
        # Not a first run: no mailbox is made on a server that may be a typo.
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen)
                           and "1 more saved for another server" in screen_text(pilot))
        await pilot.pause()
        assert "press n for a random address" in screen_text(pilot)
        assert not app.store.mailboxes
        assert not any(n.message.startswith("Created") for n in app._notifications)
        await pilot.press("n")  # one key away
        await screen_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        await pilot.press("enter")
        await screen_until(pilot, lambda: any(n.message.startswith("Created") for n in app._notifications))
        assert len(app.store.mailboxes) == 1  # the one asked for, and no other
        assert sum(n.message.startswith("Created") for n in app._notifications) == 1
