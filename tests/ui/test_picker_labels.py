"""`n` and `c` ask for an optional label (and `n` for a private name); `n` then `enter` still creates at once.

Real app, real reference server (domains a.test and b.test); the label must reach
the store and the state file, as `e` and `tmtui new --label` do.
"""

from __future__ import annotations

import json
import re

from textual.widgets import Checkbox

from tests.support.waiting import screen_until, store_until
from tmtui import paths
from tmtui.sync.private import PRIVATE_LENGTH
from tmtui.ui.dialogs.mailbox_forms import CustomAddressDialog, NewAddressDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


async def _picker(app, pilot) -> str:
    """The first run's mailbox is made and opened: back to the picker. Returns its address."""
    await store_until(app.store, lambda: len(app.store.mailboxes) == 1)
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    await pilot.press("escape")
    await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    return app.store.mailboxes[0].address


def _saved_labels() -> dict[str, str | None]:
    return {m["address"]: m.get("label") for m in json.loads(paths.state_file().read_text())["mailboxes"]}


async def _made(app, pilot, first: str) -> str:
    await store_until(app.store, lambda: len(app.store.mailboxes) == 2)
    address = next(m.address for m in app.store.mailboxes if m.address != first)
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.address == address)
    return address


async def test_n_with_a_label_saves_it_in_the_store_and_the_state_file(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await _picker(app, pilot)
        await pilot.press("n")
        await screen_until(pilot, lambda: isinstance(app.screen, NewAddressDialog))
        await pilot.press(*"github signup", "down", "enter")  # typed straight in; down: the next domain
        address = await _made(app, pilot, first)
        assert address.endswith("@b.test")
        assert app.store.get(address).label == "github signup"
        assert _saved_labels()[address] == "github signup"


async def test_n_then_enter_creates_at_once_without_a_label(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await _picker(app, pilot)
        await pilot.press("n")
        await screen_until(pilot, lambda: isinstance(app.screen, NewAddressDialog))
        await pilot.press("enter")
        address = await _made(app, pilot, first)
        assert address.endswith("@a.test")  # the default domain
        assert app.store.get(address).label == ""
        assert _saved_labels()[address] in (None, "")


async def test_n_private_toggle_makes_an_unguessable_name(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        first = await _picker(app, pilot)
        await pilot.press("n")
        await screen_until(pilot, lambda: isinstance(app.screen, NewAddressDialog))
        assert app.screen.query_one("#private", Checkbox).value is False  # the config's default
        await pilot.press("tab", "space", "enter")  # label -> private, on, create
        address = await _made(app, pilot, first)
        assert re.fullmatch(rf"[a-z0-9]{{{PRIVATE_LENGTH}}}@a\.test", address), address


async def test_c_with_a_label_saves_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        first = await _picker(app, pilot)
        await pilot.press("c")
        await screen_until(pilot, lambda: isinstance(app.screen, CustomAddressDialog))
        await pilot.press(*"forum.me", "tab", "down", "tab", *"forum", "enter")  # name, b.test, label
        address = await _made(app, pilot, first)
        assert address == "forum.me@b.test"
        assert app.store.get(address).label == "forum"
        assert _saved_labels()[address] == "forum"
