"""One set of movement keys everywhere; q goes back from the reader and quits elsewhere."""

from __future__ import annotations

from textual.widgets import OptionList

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_until, store_until
from tmtui.api.client import TempMailClient
from tmtui.state import SavedMailbox
from tmtui.ui.dialogs.links import LinkDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.mailbox_table import MailboxTable
from tmtui.ui.widgets.message_list import MessageList

LONG = "\n\n".join(f"Paragraph {n}: " + "words " * 30 for n in range(80))
LINKS = "".join(f"<p><a href='https://l{n}.example/'>link {n}</a></p>" for n in range(1, 13))


async def _live(app, pilot) -> str:
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    return store.mailboxes[0].address


async def _open(app, server, pilot, **mail: object) -> ReaderScreen:
    address = await _live(app, pilot)
    await deliver(server.smtp_port, address, build_mail(address, **mail))  # type: ignore[arg-type]
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_picker_moves_with_j_k_g_G(make_app, server) -> None:
    saved = []
    async with TempMailClient(server.base_url) as client:
        for _ in range(3):
            session = await client.get_email_address()
            saved.append(SavedMailbox(session.address, session.sid_token, session.meta.expires_at))
    app = make_app(saved=saved)
    async with app.run_test(size=(100, 30)) as pilot:
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        table = app.screen.query_one(MailboxTable)
        await screen_until(pilot, lambda: table.row_count == 4)  # All mailboxes, then the three
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 3
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_link_chooser_moves_with_j_k_g_G_and_a_number_copies_that_link(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        reader = await _open(app, server, pilot, subject="links", html=LINKS)
        await pilot.press("l")
        await screen_until(pilot, lambda: isinstance(app.screen, LinkDialog))
        options = app.screen.query_one(OptionList)
        await pilot.press("G")
        assert options.highlighted == 11
        await pilot.press("k", "k")
        assert options.highlighted == 9
        await pilot.press("g", "j")
        assert options.highlighted == 1
        await pilot.press("3")  # one link is [3]: copied at once
        await screen_until(pilot, lambda: app.screen is reader)
        assert app.clipboard == "https://l3.example/"

        await pilot.press("l")
        await screen_until(pilot, lambda: isinstance(app.screen, LinkDialog))
        await pilot.press("1")  # [1], [10], [11], [12]: wait for the next digit
        assert isinstance(app.screen, LinkDialog)
        await pilot.press("1")
        await screen_until(pilot, lambda: app.screen is reader)
        assert app.clipboard == "https://l11.example/"


async def test_reader_pages_with_space_and_b_and_text_views_move_the_view(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await _open(app, server, pilot, subject="long", text=LONG)
        body = reader.query_one("#reader-body")
        await screen_until(pilot, lambda: body.max_scroll_y > 0)
        await pilot.press("space")
        assert body.scroll_y > 0
        await pilot.press("b")
        assert body.scroll_y == 0
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        assert body.scroll_y == 0

        for view in ("plain", "source"):
            await pilot.press("v")
            assert reader.view == view
            text = reader.query_one(BodyView)
            await screen_until(pilot, lambda text=text: text.max_scroll_y > 0)
            await pilot.press("pagedown")
            assert text.scroll_y > 0, f"PgDn did not move the {view} view"
            await pilot.press("pageup")
            assert text.scroll_y == 0
            await pilot.press("space", "j")
            assert text.scroll_y > 0


async def test_q_goes_back_from_the_reader_and_quits_from_the_inbox(make_app, server) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(app, server, pilot, subject="hello")
        await pilot.press("q")
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        assert app.is_running
        await pilot.press("q")
        await screen_until(pilot, lambda: not app.is_running)
