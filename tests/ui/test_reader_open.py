"""``o`` in the reader: the link opens in the local browser, is copied over SSH, and asks first when flagged.

The app and the mail are real (reference server, SMTP). The browser is a
stand-in: a directory of fake programs is all of PATH, and ``webbrowser`` (run
by tmtui in a detached child process) finds there a fake ``xdg-open`` that
writes the URL it is given to a file, or only a fake console browser ``lynx``
that must never run inside the TUI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mail import build_mail, deliver
from tests.support.waiting import screen_until, store_until
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.dialogs.links import LinkDialog
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.reader import ReaderScreen
from tmtui.ui.widgets.message_list import MessageList

VERIFY = "https://acme.test/verify?t=abc"
CONFIRM_MAIL = (f'<p>Confirm your address: <a href="{VERIFY}">Verify email</a></p>'
                '<p><a href="https://acme.test/unsubscribe">Unsubscribe</a></p>')


class FakeBrowsers:
    """Fake programs on PATH; ``ran`` is where a fake writes the URL it was started with."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tools = root / "fake-browsers"
        self.tools.mkdir()
        self.ran = root / "fake-browser-got"
        self.monkeypatch = monkeypatch
        monkeypatch.setenv("PATH", str(self.tools))  # no real browser, clipboard tool or tmux
        monkeypatch.setenv("TERM", "xterm-256color")  # webbrowser looks for console browsers too
        for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "TMUX", "WAYLAND_DISPLAY", "BROWSER"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DISPLAY", ":99")

    def install(self, name: str) -> None:
        script = self.tools / name
        script.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > '{self.ran}'\n")
        script.chmod(0o755)


@pytest.fixture
def fake_browsers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeBrowsers:
    return FakeBrowsers(tmp_path, monkeypatch)


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _read(app, server, pilot, html: str) -> ReaderScreen:
    store = app.store
    await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    address = store.mailboxes[0].address
    await deliver(server.smtp_port, address, build_mail(address, subject="Please confirm", html=html))
    await screen_until(pilot, lambda: len(app.screen.query_one(MessageList).rows) == 1)
    await pilot.press("enter")
    await screen_until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.rendered is not None)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_o_opens_the_confirmation_link_in_the_local_browser(make_app, server, fake_browsers) -> None:
    fake_browsers.install("xdg-open")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _read(app, server, pilot, CONFIRM_MAIL)
        assert reader.link is not None and reader.link.url == VERIFY
        await pilot.press("o")
        said = f"Opened in the browser: acme.test {VERIFY}"
        await screen_until(pilot, lambda: said in _toasts(app), timeout=20)
        assert fake_browsers.ran.read_text() == VERIFY
        assert app.clipboard == ""  # opened, not copied
        assert app.screen is reader


async def test_over_ssh_o_copies_the_link_and_says_why(make_app, server, fake_browsers,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake_browsers.install("xdg-open")
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _read(app, server, pilot, CONFIRM_MAIL)
        await pilot.press("o")
        said = f"Not opened (over SSH): copied acme.test {VERIFY} to the clipboard (OSC 52)"
        await screen_until(pilot, lambda: said in _toasts(app))
        assert app.clipboard == VERIFY
    assert not fake_browsers.ran.exists()  # a browser on the remote host is nobody's


async def test_without_a_desktop_o_copies(make_app, server, fake_browsers, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_browsers.install("xdg-open")
    monkeypatch.delenv("DISPLAY")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _read(app, server, pilot, CONFIRM_MAIL)
        await pilot.press("o")
        await screen_until(pilot, lambda: any(t.startswith("Not opened (no desktop session): copied acme.test")
                                              for t in _toasts(app)))
        assert app.clipboard == VERIFY
    assert not fake_browsers.ran.exists()


async def test_a_console_browser_is_never_started_the_link_is_copied(make_app, server, fake_browsers) -> None:
    fake_browsers.install("lynx")  # the only browser: it would take the terminal over
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _read(app, server, pilot, CONFIRM_MAIL)
        await pilot.press("o")
        said = f"Not opened (no graphical browser found): copied acme.test {VERIFY} to the clipboard (OSC 52)"
        await screen_until(pilot, lambda: said in _toasts(app), timeout=20)
        assert app.clipboard == VERIFY
    assert not fake_browsers.ran.exists()


async def test_a_flagged_link_asks_first_showing_the_real_host(make_app, server, fake_browsers) -> None:
    fake_browsers.install("xdg-open")
    hidden = "https://accounts.google.com.signin@evil.test/verify?t=1"
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _read(app, server, pilot, f'<p><a href="{hidden}">Verify your account</a></p>')
        assert reader.link is not None
        await pilot.press("o")
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question
        assert "flagged (user@)" in question and "It goes to  evil.test\n" in question
        assert hidden in question and question.endswith("Open it in the browser anyway?")
        await pilot.press("n")
        await screen_until(pilot, lambda: app.screen is reader)
        assert not fake_browsers.ran.exists()

        await pilot.press("o")
        await screen_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await screen_until(pilot, lambda: fake_browsers.ran.exists()
                           and any(t.startswith("Opened in the browser: ! evil.test") for t in _toasts(app)),
                           timeout=20)
        assert fake_browsers.ran.read_text() == hidden


async def test_o_without_a_confirmation_link_lets_one_be_chosen_and_l_opens_with_o(
        make_app, server, fake_browsers) -> None:
    fake_browsers.install("xdg-open")
    links = "".join(f"<p><a href='https://l{n}.example/'>link {n}</a></p>" for n in range(1, 4))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await _read(app, server, pilot, links)
        assert reader.link is None
        await pilot.press("o")
        await screen_until(pilot, lambda: isinstance(app.screen, LinkDialog))
        await pilot.press("2")
        await screen_until(pilot, lambda: fake_browsers.ran.exists(), timeout=20)
        assert fake_browsers.ran.read_text() == "https://l2.example/"
        assert app.screen is reader

        fake_browsers.ran.unlink()
        await pilot.press("l")  # the copy chooser: o opens the highlighted link instead
        await screen_until(pilot, lambda: isinstance(app.screen, LinkDialog))
        await pilot.press("j", "j", "o")
        await screen_until(pilot, lambda: fake_browsers.ran.exists(), timeout=20)
        assert fake_browsers.ran.read_text() == "https://l3.example/"
        assert app.clipboard == ""


async def test_o_refuses_a_mail_address(make_app, server, fake_browsers) -> None:
    fake_browsers.install("xdg-open")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _read(app, server, pilot, "<p><a href='mailto:help@acme.test'>write to us</a></p>")
        await pilot.press("o")
        await screen_until(pilot, lambda: isinstance(app.screen, LinkDialog))
        await pilot.press("1")
        await screen_until(pilot, lambda: any(t.startswith("Not opened: a mail address") for t in _toasts(app)))
    assert not fake_browsers.ran.exists()
