"""A new mail redraws one line of the inbox, and a line drawn before still follows its row's state.

A mail at the top shifts every row below it: each line is repainted, but only
the new one is drawn from scratch (in a burst the list is repainted once per
listing, and drawing every visible row each time held the frame that shows
the mail). A cached line must never outlive what it shows: marks, reading,
the cursor.
"""

from __future__ import annotations

from typing import Any

from tests.support.mail import build_mail
from tests.support.waiting import first_inbox, screen_text, screen_until
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.widgets.message_list import MessageList, Row


def _spy_drawn(messages: MessageList, monkeypatch: Any) -> list[str]:
    """The subjects of the rows the list builds a line for (its segments), in order."""
    drawn: list[str] = []
    build = messages._segments

    def segments(row: Row, *args: Any) -> Any:
        drawn.append(row.subject)
        return build(row, *args)

    monkeypatch.setattr(messages, "_segments", segments)
    return drawn


def _line_of(pilot: Any, subject: str) -> str:
    return next((line for line in screen_text(pilot).splitlines() if subject in line), "")


async def test_a_new_mail_draws_only_its_own_line(make_app, server, monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        mailbox = await first_inbox(pilot)
        messages = app.screen.query_one(MessageList)
        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=f"older {n}")
                                                      for n in range(6)])
        await screen_until(pilot, lambda: all(f"older {n}" in screen_text(pilot) for n in range(6)))

        drawn = _spy_drawn(messages, monkeypatch)
        server.control.deliver(mailbox.address, build_mail(mailbox.address, subject="the newest"))
        await screen_until(pilot, lambda: "the newest" in screen_text(pilot))
        assert [row.subject for row in messages.rows][:2] == ["the newest", "older 5"]
        assert set(drawn) == {"the newest"}  # the six shifted rows came from the cache


async def test_a_drawn_line_follows_marks_reading_and_the_cursor(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        mailbox = await first_inbox(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        server.control.deliver_many(mailbox.address, [build_mail(mailbox.address, subject=f"mail {n}")
                                                      for n in range(2)])
        await screen_until(pilot, lambda: "mail 1" in screen_text(pilot) and "mail 0" in screen_text(pilot))
        assert _line_of(pilot, "mail 1").lstrip().startswith("●")  # unread, not marked

        await pilot.press("space")  # marks the newest; the cursor moves on to "mail 0"
        await screen_until(pilot, lambda: _line_of(pilot, "mail 1").lstrip().startswith("*"))
        await pilot.press("up", "space")  # unmark it again; the cursor moves on to "mail 0" again
        await screen_until(pilot, lambda: _line_of(pilot, "mail 1").lstrip().startswith("●"))

        await pilot.press("enter")  # read "mail 0": its dot goes
        await screen_until(pilot, lambda: not isinstance(app.screen, InboxScreen))
        await pilot.press("escape")
        await screen_until(pilot, lambda: app.screen is inbox and "mail 0" in screen_text(pilot)
                           and not _line_of(pilot, "mail 0").lstrip().startswith(("●", "*")))
        assert _line_of(pilot, "mail 1").lstrip().startswith("●")


async def test_the_new_mail_toast_comes_after_the_rows_are_shown(make_app, server, monkeypatch) -> None:
    # A toast is a mount and a layout: made first, it held the frame with the new rows.
    app = make_app()
    async with app.run_test(size=(100, 32), notifications=True) as pilot:
        mailbox = await first_inbox(pilot)
        messages = app.screen.query_one(MessageList)
        listed_at_toast: list[list[str]] = []
        notify = app.notify

        def spy(message: str, *args: Any, **kwargs: Any) -> None:
            if "a code for you" in message:  # the new-mail toast, not another notice meanwhile
                listed_at_toast.append([row.subject for row in messages.rows])
            notify(message, *args, **kwargs)

        monkeypatch.setattr(app, "notify", spy)
        server.control.deliver(mailbox.address, build_mail(mailbox.address, subject="a code for you"))
        await screen_until(pilot, lambda: bool(listed_at_toast) and "a code for you" in screen_text(pilot))
        assert listed_at_toast == [["a code for you"]]
