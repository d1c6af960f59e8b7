"""Network and server faults, each against the real server and the real app.

Faults the server cannot make come from FaultyTransport (tests/faults/fakes.py).
Every test ends the same way: the app never raised (run_test fails on an
unhandled exception), the mailbox is still there, every row is there once,
and a key still works. Server killed and restarted mid-session, and 503 on the
stream, are in tests/ui/test_recovery.py.
"""

from __future__ import annotations

import itertools

import httpx
import pytest

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_text, screen_until, store_until
from tmtui.api.client import TempMailClient
from tmtui.server.config import ServerConfig
from tmtui.server.runner import ReferenceServer
from tmtui.state import SavedMailbox

from .fakes import FaultyTransport, cut_mid_event, raise_, reply
from .kit import (
    SIZE,
    build_app,
    free_port,
    live_inbox,
    record_notifications,
    rows_are,
    send,
    still_responds,
)

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 64
SID_ERROR = {"error": "Missing or invalid sid_token"}
HTML_PAGE = ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
             "<h1>Bad Gateway</h1><script>x()</script>\x1b[2J</body></html>")


@pytest.fixture
async def fast_server(start_server):
    return await start_server(retry_ms=100)


# -- the server is not there ------------------------------------------------------------


async def test_server_down_at_start_says_so_retries_and_goes_live_when_it_starts(
        tmp_path, downloads) -> None:
    """A saved mailbox, and nothing listening: offline with a clear line, then live."""
    # Classic (short) names: the header's "could not reach the server" then fits on one line.
    ports = {"port": free_port(), "smtp_port": free_port(), "names": "classic"}
    config = ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False, retry_ms=100, **ports)
    async with ReferenceServer(config) as first:  # make the mailbox, then stop the server
        async with TempMailClient(first.base_url) as client:
            session = await client.get_email_address()
        await deliver(first.smtp_port, session.address, build_mail(session.address, subject="kept"))
        base_url = first.base_url
    saved = SavedMailbox(session.address, session.sid_token, session.meta.expires_at)
    app = build_app(base_url, downloads, saved=[saved])
    async with app.run_test(size=SIZE) as pilot:
        store = app.store
        mailbox = store.mailboxes[0]
        await store_until(store, lambda: mailbox.connection == "offline")
        assert "cannot reach the server" in mailbox.detail
        await pilot.press("enter")  # the picker: open the mailbox while offline
        await screen_until(pilot, lambda: "offline" in screen_text(pilot)
                           and "cannot reach the server" in screen_text(pilot))
        await still_responds(pilot)
        second = ReferenceServer(ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False,
                                              retry_ms=100, **ports))
        async with second:
            await store_until(store, lambda: mailbox.connection == "live", 30)
            await rows_are(pilot, mailbox, ["kept"])
            assert store.get(session.address) is mailbox
            await still_responds(pilot)


async def test_server_down_on_first_run_is_one_clear_line_and_n_works_once_it_is_up(
        tmp_path, downloads) -> None:
    port = free_port()
    app = build_app(f"http://127.0.0.1:{port}", downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await screen_until(pilot, lambda: any("Cannot reach the server" in n for n in notes))
        assert not app.store.mailboxes
        await still_responds(pilot)
        async with ReferenceServer(ServerConfig(data_dir=tmp_path / "srv", welcome_mail=False,
                                                port=port)):
            await pilot.press("n")  # new random address: the domain dialog, then enter
            await screen_until(pilot, lambda: "domain" in screen_text(pilot).lower())
            await pilot.press("enter")
            mailbox = await live_inbox(pilot)
            assert mailbox.address


# -- the event stream ------------------------------------------------------------------


async def test_stream_cut_in_the_middle_of_an_event(fast_server, downloads) -> None:
    faulty = FaultyTransport()
    faulty.inject("/events/mailbox", cut_mid_event(b"event: changed"))
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "during the cut")
        await rows_are(pilot, mailbox, ["during the cut"])
        assert faulty.injected == ["/events/mailbox"]
        await store_until(app.store, lambda: mailbox.connection == "live")
        assert faulty.count("/events/mailbox") >= 2  # it reconnected
        await send(fast_server, mailbox, "after the cut")
        await rows_are(pilot, mailbox, ["during the cut", "after the cut"])
        await still_responds(pilot)


async def test_headers_slower_than_the_timeout_on_the_stream_then_live(fast_server, downloads) -> None:
    faulty = FaultyTransport()
    faulty.inject("/events/mailbox", raise_(httpx.ReadTimeout), times=2)
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot, timeout=20)
        assert faulty.injected.count("/events/mailbox") == 2
        await send(fast_server, mailbox, "live again")
        await rows_are(pilot, mailbox, ["live again"])
        await still_responds(pilot)


# -- answers the client cannot use -----------------------------------------------------


async def _open_first_row(pilot) -> None:
    from tmtui.ui.screens.reader import ReaderScreen

    await pilot.press("g", "enter")
    await screen_until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen))


@pytest.mark.parametrize("route", ["get_email_list", "fetch_email", "del_email", "fetch_attachment"])
async def test_401_on_any_call_reopens_the_mailbox_and_the_call_succeeds(
        fast_server, downloads, route: str) -> None:
    from tmtui.ui.screens.reader import ReaderScreen

    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await deliver(fast_server.smtp_port, mailbox.address, build_mail(
            mailbox.address, subject="with file", attachments=[("f.pdf", PDF, "application/pdf")]))
        await send(fast_server, mailbox, "plain one")
        await rows_are(pilot, mailbox, ["with file", "plain one"])
        faulty.inject(route, reply(401, SID_ERROR))
        expected = ["with file", "plain one"]
        if route == "get_email_list":
            await pilot.press("r")
        elif route == "del_email":
            await pilot.press("g", "d")  # the newest row
            expected = ["with file"]
        else:
            message_list_rows = [m.subject for m in mailbox.messages]
            await pilot.press("g", *["j"] * message_list_rows.index("with file"), "enter")
            await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                               and app.screen.rendered is not None)
            if route == "fetch_attachment":
                await pilot.press("a")
                await screen_until(pilot, lambda: (downloads / "f.pdf").exists())
                assert (downloads / "f.pdf").read_bytes() == PDF
                assert sorted(p.name for p in downloads.iterdir()) == ["f.pdf"]
            await pilot.press("escape")
        await screen_until(pilot, lambda: faulty.injected == [route])
        await rows_are(pilot, mailbox, expected)
        await store_until(app.store, lambda: mailbox.connection == "live")
        assert not [n for n in notes if n.startswith("error")], notes
        await still_responds(pilot)


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_taken_over_elsewhere_says_so_and_offers_to_take_it_back(
        fast_server, downloads, answer: str) -> None:
    from tmtui.ui.dialogs.confirm import ConfirmDialog

    app = build_app(fast_server.base_url, downloads)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "first", "second")
        await rows_are(pilot, mailbox, ["first", "second"])
        async with TempMailClient(fast_server.base_url) as other:
            thief = await other.open_email_address(mailbox.address, force_takeover=True)
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog)
                           and "taken over by another session" in screen_text(pilot))
        await pilot.press(answer)
        await screen_until(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        if answer == "y":
            await store_until(app.store, lambda: mailbox.connection == "live")
            assert mailbox.sid_token != thief.sid_token
            await send(fast_server, mailbox, "third")
            await rows_are(pilot, mailbox, ["first", "second", "third"])
        else:
            assert mailbox.connection == "lost" and mailbox.problem == "takeover"
            await screen_until(pilot, lambda: "taken over elsewhere" in screen_text(pilot))
            await rows_are(pilot, mailbox, ["first", "second"])  # still readable here
        assert app.store.mailboxes == [mailbox]
        await still_responds(pilot)


async def test_429_with_retry_after_waits_as_told_and_says_so(fast_server, downloads) -> None:
    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        limited = reply(429, {"error": "Too many requests. Please try again later."},
                        headers={"Retry-After": "2"})
        faulty.inject("get_email_list", limited, times=2)  # the client retries once by itself
        start = len(faulty.times)
        await send(fast_server, mailbox, "waited for")
        # Said in the mailbox's state (what the header and picker show), caught on the
        # store change itself: the words are on screen only for the 2 s of the wait.
        await store_until(app.store, lambda: mailbox.detail.startswith("rate limited"), 20)
        await rows_are(pilot, mailbox, ["waited for"])
        lists = [t for route, t in faulty.times[start:] if route == "get_email_list"]
        gaps = [b - a for a, b in itertools.pairwise(lists)]
        assert len(gaps) >= 2 and min(gaps[:2]) >= 1.9, gaps  # 2 s after each 429
        await store_until(app.store, lambda: mailbox.connection == "live" and not mailbox.detail)
        await still_responds(pilot)


async def test_429_on_a_key_press_says_when_to_retry(fast_server, downloads) -> None:
    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "one")
        await rows_are(pilot, mailbox, ["one"])
        limited = reply(429, {"error": "Too many requests."}, headers={"Retry-After": "1"})
        faulty.inject("fetch_email", limited, times=2)
        await pilot.press("enter")
        await screen_until(pilot, lambda: any("rate limiting" in n and "retry in 1 s" in n for n in notes))
        await pilot.press("escape", "enter")  # a second try works
        await screen_until(pilot, lambda: "Hello from the tests" in screen_text(pilot))
        await still_responds(pilot)


@pytest.mark.parametrize(("route", "fault", "says"), [
    ("fetch_email", raise_(httpx.ReadTimeout), "did not answer in time"),
    ("fetch_email", reply(200, b"{\"mail_id\": ", content_type="application/json"),
     "Unexpected response from the server"),
    ("fetch_email", reply(200, HTML_PAGE, content_type="text/html"), "Unexpected response"),
    ("fetch_email", reply(500, HTML_PAGE, content_type="text/html"), "Server error"),
    ("fetch_email", reply(404, {"error": "Email not found"}), "Email not found"),
])
async def test_unusable_answer_when_opening_a_message_is_one_line(
        fast_server, downloads, route: str, fault, says: str) -> None:
    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "to open")
        await rows_are(pilot, mailbox, ["to open"])
        faulty.inject(route, fault)
        await pilot.press("enter")
        await screen_until(pilot, lambda: "could not be loaded" in screen_text(pilot))
        errors = [n for n in notes if n.startswith("error")]
        assert len(errors) == 1 and says in errors[0], notes
        assert "\n" not in errors[0] and "<" not in errors[0] and "\x1b" not in errors[0]
        await pilot.press("escape", "enter")  # once more: the fault is gone
        await screen_until(pilot, lambda: "Hello from the tests" in screen_text(pilot))
        await pilot.press("escape")
        await rows_are(pilot, mailbox, ["to open"])
        await still_responds(pilot)


@pytest.mark.parametrize("fault", [
    raise_(httpx.ReadTimeout),
    reply(200, b"[garbage", content_type="application/json"),
    reply(502, HTML_PAGE, content_type="text/html"),
    reply(200, HTML_PAGE, content_type="text/html"),
], ids=["read-timeout", "garbage-json", "html-502", "html-200"])
async def test_unusable_listing_keeps_the_rows_and_recovers(fast_server, downloads, fault) -> None:
    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "before")
        await rows_are(pilot, mailbox, ["before"])
        faulty.inject("get_email_list", fault, times=4)  # past the client's own retries
        await send(fast_server, mailbox, "after")
        await screen_until(pilot, lambda: len(faulty.injected) == 4, 20)
        assert [m.subject for m in mailbox.messages] == ["before"]  # nothing lost meanwhile
        await rows_are(pilot, mailbox, ["before", "after"], timeout=20)
        await still_responds(pilot)


def _surprise(_transport, request):
    async def fault() -> httpx.Response:
        raise RuntimeError("a bug in some HTTP library")
    return fault()


@pytest.mark.parametrize("route", ["get_email_list", "/events/mailbox"])
async def test_a_surprise_from_the_http_stack_does_not_end_the_watch(
        fast_server, downloads, route: str) -> None:
    """Not an httpx error, not an API error: the watcher still lives and the row comes."""
    faulty = FaultyTransport()
    app = build_app(fast_server.base_url, downloads, faulty=faulty)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        faulty.inject(route, _surprise)
        if route == "/events/mailbox":
            fast_server.control.drop_streams()  # the reconnect meets the surprise
        await send(fast_server, mailbox, "still watched")
        await rows_are(pilot, mailbox, ["still watched"], timeout=20)
        assert faulty.injected == [route]
        await store_until(app.store, lambda: mailbox.connection == "live", 20)
        await still_responds(pilot)


async def test_session_lost_and_a_401_at_once_reopen_once_not_a_false_takeover(
        fast_server, downloads) -> None:
    """The stream's session_lost and a key's 401 arrive together: one reopen, no 409."""
    from tmtui.ui.dialogs.confirm import ConfirmDialog

    app = build_app(fast_server.base_url, downloads)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await send(fast_server, mailbox, "kept")
        await rows_are(pilot, mailbox, ["kept"])
        problems: list[object] = []
        app.store.subscribe(lambda _change: problems.append(mailbox.problem))
        before = mailbox.sid_token
        fast_server.control.invalidate_session(mailbox.address)
        await pilot.press("r")
        await store_until(app.store, lambda: mailbox.sid_token != before and mailbox.connection == "live")
        assert set(problems) == {None}, problems
        assert not isinstance(app.screen, ConfirmDialog)
        await send(fast_server, mailbox, "after")
        await rows_are(pilot, mailbox, ["kept", "after"])
        await still_responds(pilot)
