"""At 60 columns the header and footer degrade gracefully; at 80x24 toasts never cover the reader."""

from __future__ import annotations

from textual.widgets._toast import Toast

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_text, screen_until
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

LONG_SUBJECT = "Your monthly statement for November is ready to download from the portal"


def lines(pilot) -> list[str]:
    return screen_text(pilot).splitlines()


async def _inbox_with_mail(app, server, pilot) -> str:
    address = (await first_inbox(pilot)).address
    await deliver(server.smtp_port, address, build_mail(address, subject=LONG_SUBJECT,
                                                        sender="Billing Department <billing@example.org>"))
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    await pilot.pause()
    return address


async def test_60_columns_header_on_one_line_subjects_end_with_an_ellipsis_keys_always_shown(
        make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        address = await _inbox_with_mail(app, server, pilot)
        await screen_until(pilot, lambda: "? Keys" in lines(pilot)[-1])  # the footer follows the screen
        shown = lines(pilot)
        assert shown[0].startswith(f" {address}") and "● live" in shown[0] and "unread" in shown[0], shown[:2]
        row = next(line for line in shown if "Billing" in line)
        assert "Your monthly statement" in row and "…" in row, row
        assert "? Keys" in shown[-1], shown[-1]

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        await screen_until(pilot, lambda: "? Keys" in lines(pilot)[-1])
        shown = lines(pilot)
        assert any(line.strip() == "View: rendered (v)" for line in shown), "the view note broke in two"

        await pilot.press("escape", "escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await screen_until(pilot, lambda: "? Keys" in lines(pilot)[-1])


async def test_toasts_stack_two_at_most_and_stay_small_at_80x24(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _inbox_with_mail(app, server, pilot)
        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        await pilot.press("y", "Y", "l", "a", "y")  # five keys, five notices, as fast as typed
        await screen_until(pilot, lambda: bool(app.screen.query(Toast)))
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        assert len(toasts) <= 2, [str(t.render()) for t in toasts]
        covered = sum(t.region.height for t in toasts)
        assert covered <= 24 // 4, f"toasts cover {covered} of 24 rows"
