"""`?` shows every key of its screen, titled for it, in two columns at 80x24, and scrolls when short."""

from __future__ import annotations

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_text, screen_until
from tmtui.ui.dialogs.help import HelpDialog, describe_keys
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList


async def _inbox(app, server, pilot) -> str:
    address = (await first_inbox(pilot)).address
    await deliver(server.smtp_port, address, build_mail(address, subject="hello", html="<p>code 123456</p>"))
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    return address


async def _help(app, pilot) -> list[tuple[str, str]]:
    rows = describe_keys(app.screen)
    await pilot.press("question_mark")
    await screen_until(pilot, lambda: isinstance(app.screen, HelpDialog))
    await pilot.pause()
    return rows


def shown(text: str, keys: str, description: str) -> bool:
    return any(keys in line and description in line for line in text.splitlines())


async def test_every_key_fits_80x24_titled_for_each_screen(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        address = await _inbox(app, server, pilot)
        rows = await _help(app, pilot)
        text = screen_text(pilot)
        assert f"Keys: Inbox · {address}" in text
        missing = [row for row in rows if not shown(text, *row)]
        assert not missing, f"not on screen: {missing}\n{text}"
        descriptions = {description for _, description in rows}
        assert {"Mark / unmark", "Undo the last delete", "Down", "Suspend (fg resumes)"} <= descriptions
        assert any(line.count("Page") + line.count("Open") + line.count("Delete") > 1 or
                   ("⏎" in line and "↓" in line) for line in text.splitlines()), "one column at 80x24"
        await pilot.press("escape")

        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        rows = await _help(app, pilot)
        text = screen_text(pilot)
        assert "Keys: Reader" in text
        missing = [row for row in rows if not shown(text, *row)]
        assert not missing, f"not on screen: {missing}\n{text}"
        keys = " ".join(k for k, _ in rows).split()
        assert {"n", "p", "v", "j", "k", "space", "b", "u", "q"} <= set(keys)
        await pilot.press("escape", "escape", "escape")

        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await _help(app, pilot)
        assert "Keys: Mailboxes" in screen_text(pilot)


async def test_help_scrolls_when_the_terminal_is_short(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await _inbox(app, server, pilot)
        rows = await _help(app, pilot)
        last = rows[-1]
        assert not shown(screen_text(pilot), *last), "everything fits: nothing to scroll"
        assert "escape closes" in screen_text(pilot)
        await pilot.press("G")
        await screen_until(pilot, lambda: shown(screen_text(pilot), *last))
        assert "escape closes" in screen_text(pilot)
        await pilot.press("g")
        await screen_until(pilot, lambda: shown(screen_text(pilot), *rows[0]))
