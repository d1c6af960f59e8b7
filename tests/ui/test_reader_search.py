"""`/` searches the reader's body: incremental, case-insensitive, the count shown, n/N between
matches, escape clears; without a search n/p step between messages as before. A 1 MB newsletter
is shown by the Line API view (never a TextArea) and searched in the converter's worker."""

from __future__ import annotations

from textual.widgets import TextArea

from tests.support.mail import build_mail, deliver
from tests.support.newsletter import newsletter
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.message_list import MessageList
from tmtui.ui.widgets.search_bar import SearchBar

# 40 paragraphs; "Apple" in every fifth (8 of them), the last one far below the first screen.
BODY = "".join(f"<p>Paragraph {n}: {'Apple' if n % 5 == 0 else 'pear'} and plum, words words words.</p>"
               for n in range(1, 41))


async def _inbox(app, pilot) -> str:
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    return store.mailboxes[0].address


async def _open_newest(app, pilot, count: int) -> ReaderScreen:
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == count)
    await pilot.press("g", "enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]  # toasts are not drawn in tests


def _visible_rows(view: BodyView) -> list[str]:
    return list(view.folded.lines[view.top:view.top + view.scrollable_content_region.height])


async def test_search_counts_highlights_and_n_N_move_between_matches(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        address = await _inbox(app, pilot)
        await deliver(server.smtp_port, address, build_mail(address, subject="older", text="the older one"))
        await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
        await deliver(server.smtp_port, address, build_mail(address, subject="fruit", html=BODY))
        reader = await _open_newest(app, pilot, 2)
        assert reader.view == "rendered"

        await pilot.press("slash")
        # The rendered view is Markdown widgets: the search moves to the plain text, and says so.
        # In the search line itself: a toast would cover the count beside it.
        await screen_until(pilot, lambda: "searching the plain text" in screen_text(pilot))
        assert reader.view == "plain"
        await pilot.press(*"aPPLe")  # typed into the search line, not taken as keys
        await screen_until(pilot, lambda: "1/8" in screen_text(pilot))
        view = reader.query_one(BodyView)
        assert len(reader.search.spans) == 8
        # Incremental: one more character narrows it at once.
        await pilot.press("space", "a")
        await screen_until(pilot, lambda: "1/8" in screen_text(pilot) and reader.search.bar.term == "aPPLe a")
        await pilot.press("backspace", "backspace", "enter")  # enter keeps the search, keys go back to the reader

        await pilot.press("n")
        await screen_until(pilot, lambda: "2/8" in screen_text(pilot))
        await pilot.press("N", "N")
        await screen_until(pilot, lambda: "8/8" in screen_text(pilot))  # round the ends
        # The current match (Paragraph 40's) is scrolled into view and drawn apart from the others.
        assert any("Paragraph 40: Apple" in row for row in _visible_rows(view))
        current = view.get_component_rich_style("body-view--current", partial=True)
        row = view.row_of(reader.search.spans[7][0]) - view.top
        strip = view.render_line(row)
        assert any(seg.text == "Apple" and seg.style is not None and seg.style.underline for seg in strip), \
            "the current match is not underlined"
        assert current.underline

        await pilot.press("escape")  # clears the search, stays in the reader
        await screen_until(pilot, lambda: not reader.query_one(SearchBar).display)
        assert app.screen is reader and reader.search.spans == ()
        await pilot.press("n")  # no search: the next (older) message, as before
        await screen_until(pilot, lambda: "the older one" in screen_text(pilot))
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))


async def test_no_match_says_so_and_n_then_says_why(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        address = await _inbox(app, pilot)
        await deliver(server.smtp_port, address, build_mail(address, subject="fruit", html=BODY))
        reader = await _open_newest(app, pilot, 1)
        await pilot.press("v", "slash", *"kiwi")
        await screen_until(pilot, lambda: "no match" in screen_text(pilot))
        await pilot.press("enter", "n")
        await screen_until(pilot, lambda: any("No match to move to" in t for t in _toasts(app)))
        assert app.screen is reader


async def test_a_one_megabyte_newsletter_is_paged_and_searched_off_the_ui(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        address = await _inbox(app, pilot)
        await deliver(server.smtp_port, address,
                      build_mail(address, subject="A newsletter", html=newsletter(1_000_000)))
        reader = await _open_newest(app, pilot, 1)
        await screen_until(pilot, lambda: reader.view == "plain")  # too large for the Markdown widget
        assert not reader.query(TextArea)
        view = reader.query_one(BodyView)
        await screen_until(pilot, lambda: view.wanted_width > 0)
        assert view.display and len(view.folded.lines) > 1000
        assert max(len(line) for line in view.folded.lines) <= view.wanted_width

        await pilot.press("slash", *"story 9")
        await screen_until(pilot, lambda: reader.search.spans and "n/N" in screen_text(pilot), timeout=30)
        total = len(reader.search.spans)
        assert total > 10
        await pilot.press("enter", "G", "n")  # from the bottom, n goes round to the first match
        await screen_until(pilot, lambda: f"1/{total}" in screen_text(pilot))
        assert any("story 9" in row.lower() for row in _visible_rows(view))

        # A narrower terminal: folded anew (in the worker), the current match still in view.
        await pilot.resize_terminal(70, 30)
        await screen_until(pilot, lambda: view.folded.width == view.wanted_width < 70, timeout=30)
        assert max(len(line) for line in view.folded.lines) <= view.folded.width
        await pilot.press("n")
        await screen_until(pilot, lambda: f"2/{total}" in screen_text(pilot))
        assert any("story 9" in row.lower() for row in _visible_rows(view))
