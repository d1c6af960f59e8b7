"""A running TUI says when another tmtui adds or forgets saved mailboxes.

The other tmtui is a second client core (SyncWorker) with its own state
keeper, as `tmtui new` and `tmtui forget` run it; tests/e2e/test_tmux_daily.py
does the same with real `tmtui new` processes in a shell.
"""

from __future__ import annotations

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.config import Config
from tmtui.sync import SyncWorker
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_mailboxes_added_and_forgotten_elsewhere_are_announced(make_app, server, downloads) -> None:
    app = make_app(saved=None)
    async with app.run_test(size=(80, 24)) as pilot:
        store = app.store
        await store_until(store, lambda: len(store.mailboxes) == 1)  # first run: one is created
        await screen_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert not any("another tmtui" in t for t in _toasts(app))  # its own is not "elsewhere"

        other = SyncWorker.from_config(Config(server=server.base_url, download_dir=downloads))
        async with other:
            other.load_saved()
            made = [await other.create(), await other.create()]
        await screen_until(pilot, lambda: "2 mailboxes added by another tmtui" in _toasts(app), timeout=15)
        await screen_until(pilot, lambda: all(a in screen_text(pilot) for a in made))

        forgetter = SyncWorker.from_config(Config(server=server.base_url, download_dir=downloads))
        async with forgetter:
            forgetter.load_saved()
            forgetter.forget(made[0])
        await screen_until(pilot, lambda: f"{made[0]} was forgotten by another tmtui" in _toasts(app),
                           timeout=15)
        assert made[0] not in store


async def test_an_open_mailbox_forgotten_elsewhere_goes_back_to_the_picker(make_app, server, downloads) -> None:
    app = make_app(saved=None)
    async with app.run_test(size=(80, 24)) as pilot:
        store = app.store
        await store_until(store, lambda: len(store.mailboxes) == 1)
        address = store.mailboxes[0].address
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.address == address)

        forgetter = SyncWorker.from_config(Config(server=server.base_url, download_dir=downloads))
        async with forgetter:
            forgetter.load_saved()
            forgetter.forget(address)
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen)
                           and f"{address} was forgotten by another tmtui" in _toasts(app), timeout=15)
        assert address not in screen_text(pilot).split("\n", 3)[-1]  # not in the table any more
