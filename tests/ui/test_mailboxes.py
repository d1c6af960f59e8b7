"""Picker flows: custom names with takeover, reopening, several mailboxes at once."""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.api.client import TempMailClient
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.dialogs.mailbox_forms import CustomAddressDialog, ReopenDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


async def _live(app, address: str | None = None) -> str:
    """Wait until ``address`` (default: the first mailbox) is live; returns it."""
    store = app.store
    if address is None:
        await store_until(store, lambda: bool(store.mailboxes))
        address = store.mailboxes[0].address
    await store_until(store, lambda: (m := store.get(address)) is not None and m.connection == "live")
    return address


async def test_custom_name_then_takeover_of_an_address_in_use(make_app, server) -> None:
    async with TempMailClient(server.base_url) as other:
        holder = await other.get_email_address()
        await other.set_email_user(holder.sid_token, "taken.name", domain="a.test")

        app = make_app(start_address=None)
        async with app.run_test(size=(100, 32)) as pilot:
            await screen_until(pilot, lambda: isinstance(app.screen, (PickerScreen, InboxScreen)))
            # First run opens a fresh random mailbox; go back to the picker.
            await _live(app)
            await pilot.press("escape")
            await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))

            await pilot.press("c")
            await screen_until(pilot, lambda: isinstance(app.screen, CustomAddressDialog))
            await pilot.press(*"ab")  # too short: the dialog says so as you type
            await screen_until(pilot, lambda: "3-32 characters" in screen_text(pilot))
            await pilot.press("backspace", "backspace", *"taken.name", "enter")
            await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert "in use by another session" in screen_text(pilot)
            await pilot.press("y")
            await _live(app, "taken.name@a.test")
            await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen)
                               and app.screen.address == "taken.name@a.test")


async def test_reopen_unknown_address_explains_404(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await _live(app)
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("o")
        await screen_until(pilot, lambda: isinstance(app.screen, ReopenDialog))
        await pilot.press(*"nobody.here@a.test", "enter")
        await screen_until(pilot, lambda: any("does not exist on the server" in str(n.message)
                                              for n in app._notifications))
        assert isinstance(app.screen, PickerScreen)
        assert "nobody.here@a.test" not in app.store


async def test_two_mailboxes_receive_mail_at_once_and_switching_keeps_both(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        first = await _live(app)
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("n")
        await screen_until(pilot, lambda: len(app.screen_stack) > 1 and not isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # the default domain
        await store_until(store, lambda: len(store.mailboxes) == 2)
        second = next(m.address for m in store.mailboxes if m.address != first)
        await _live(app, second)

        await deliver(server.smtp_port, first, build_mail(first, subject="for the first"))
        await deliver(server.smtp_port, second, build_mail(second, subject="for the second"))
        await store_until(store, lambda: len(store.get(first).messages) == 1
                          and len(store.get(second).messages) == 1)
        await screen_until(pilot, lambda: "for the second" in screen_text(pilot))
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await screen_until(pilot, lambda: first in screen_text(pilot) and second in screen_text(pilot))
        # Open the first one from the picker: its mail is already there.
        while app.screen.selected != first:  # type: ignore[attr-defined]
            await pilot.press("down")
        await pilot.press("enter")
        await screen_until(pilot, lambda: "for the first" in screen_text(pilot))


async def test_filter_narrows_rows_as_you_type(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        address = await _live(app)
        server.control.deliver_many(address, [
            build_mail(address, subject="Weekly digest", sender="News <news@example.org>"),
            build_mail(address, subject="Your login code", sender="Bank <bank@example.org>"),
        ])
        await store_until(store, lambda: len(store.get(address).messages) == 2)
        await screen_until(pilot, lambda: "Weekly digest" in screen_text(pilot))
        await pilot.press("slash", *"bank")
        await screen_until(pilot, lambda: "Weekly digest" not in screen_text(pilot))
        assert "Your login code" in screen_text(pilot)
        await pilot.press("escape")
        await screen_until(pilot, lambda: "Weekly digest" in screen_text(pilot))
