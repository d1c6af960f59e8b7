"""The custom-address dialog: what is typed is what is claimed, or it is shown as invalid.

Real app, real server (domains a.test and b.test). The name follows the one
rule of tmtui.api.rules (the headless `tmtui new --name` uses it too).
"""

from __future__ import annotations

from textual.widgets import Input, Label

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.api.rules import USER_RULE
from tmtui.ui.dialogs.mailbox_forms import CustomAddressDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


async def _custom_dialog(app, pilot) -> CustomAddressDialog:
    """First run opens a fresh mailbox; back to the picker, then `c`."""
    await store_until(app.store, lambda: bool(app.store.mailboxes))
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    await pilot.press("escape")
    await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    await pilot.press("c")
    await screen_until(pilot, lambda: isinstance(app.screen, CustomAddressDialog))
    return app.screen


async def test_invalid_name_is_shown_as_invalid_never_rewritten(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _custom_dialog(app, pilot)
        await pilot.press("B", "a", "d", "space", "N", "a", "m", "e", "exclamation_mark")
        name = dialog.query_one("#user", Input)
        await screen_until(pilot, lambda: name.has_class("-invalid"))
        assert name.value == "Bad Name!"  # kept as typed: no character dropped, nothing lowered
        error = str(dialog.query_one("#user-error", Label).content)
        assert USER_RULE in error
        assert "B" in error and "space" in error and "!" in error  # what is wrong, in words
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # refused, not rewritten to badname
        assert not any(m.address.startswith("badname@") for m in app.store.mailboxes)


async def test_after_choosing_a_domain_enter_creates(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _custom_dialog(app, pilot)
        await pilot.press(*"good.name", "tab", "down", "enter")  # name, domain b.test, create
        await store_until(app.store, lambda: "good.name@b.test" in app.store)
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                           and app.screen.address == "good.name@b.test")


async def test_domain_choice_stays_inside_the_dialog_at_60x20(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        dialog = await _custom_dialog(app, pilot)
        await pilot.press("tab", "down")
        await pilot.pause()
        box = dialog.query_one(".dialog").region
        shown = screen_text(pilot)
        assert "a.test" in shown and "b.test" in shown
        for widget in dialog.query("#domain, #domain *"):
            if widget.display and widget.region.area:
                assert box.contains_region(widget.region), (widget, widget.region, box)
        # The whole dialog is on screen, hint included.
        assert "escape cancels" in shown
