"""The picker as a registry: label a mailbox with `e`, filter by label / note / address with `/`."""

from __future__ import annotations

import json

from textual.widgets import DataTable

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import paths
from tmtui.ui.dialogs.label import LabelDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


async def test_label_a_mailbox_then_filter_the_picker_by_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: len(store.mailboxes) == 1)
        first = store.mailboxes[0].address
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        second = await app.sync.create()
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await screen_until(pilot, lambda: second in screen_text(pilot))
        table = app.screen.query_one("#mailboxes", DataTable)
        table.move_cursor(row=1)  # the first mailbox, under the All mailboxes row
        labelled = app.screen.selected

        await pilot.press("e")
        await screen_until(pilot, lambda: isinstance(app.screen, LabelDialog))
        await pilot.press(*"github", "tab", *"signup 2026", "enter")
        await store_until(store, lambda: store.get(labelled).label == "github")
        assert store.get(labelled).note == "signup 2026"
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen) and "github " in screen_text(pilot))
        saved = {m["address"]: m for m in json.loads(paths.state_file().read_text())["mailboxes"]}
        assert (saved[labelled]["label"], saved[labelled]["note"]) == ("github", "signup 2026")

        await pilot.press("slash", *"GIT")  # case-insensitive, on the label
        await screen_until(pilot, lambda: table.row_count == 1)
        other = second if labelled == first else first
        assert labelled in screen_text(pilot) and other not in screen_text(pilot)
        await pilot.press("escape")
        await screen_until(pilot, lambda: table.row_count == 3)  # with All mailboxes again
