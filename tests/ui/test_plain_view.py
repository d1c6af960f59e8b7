"""The plain view is plain text: no Markdown heading marks; the rendered view keeps its Markdown."""

from __future__ import annotations

from textual.widgets import Markdown

from tests.support.mail import build_mail, deliver
from tests.support.waiting import first_inbox, screen_until
from tmtui.render import html_to_text
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.message_list import MessageList

HTML = ("<h1>Welcome aboard</h1><h2>Your account</h2><p>Use <b>this</b> code.</p>"
        "<p># not a heading, typed by the sender</p>")


def test_headings_lose_their_marks_in_text_but_not_in_markdown() -> None:
    rendered = html_to_text(HTML)
    assert rendered.text.splitlines()[:3] == ["Welcome aboard", "", "Your account"]
    assert "# not a heading, typed by the sender" in rendered.text  # the sender's own # stays
    assert rendered.markdown.startswith("# Welcome aboard\n\n## Your account")
    assert "\\# not a heading" in rendered.markdown


async def test_plain_view_shows_no_heading_marks(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        address = (await first_inbox(pilot)).address
        await deliver(server.smtp_port, address, build_mail(address, subject="welcome", html=HTML))
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
        await pilot.press("enter")
        await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
        reader = app.screen
        assert "## Your account" in reader.query_one(Markdown).source
        await pilot.press("v")
        assert reader.view == "plain"
        text = reader.query_one(BodyView).text
        assert text.startswith("Welcome aboard\n\nYour account"), text[:80]
