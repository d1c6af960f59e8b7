"""Copies land where the user pastes: OSC 52 always, a desktop tool when local, and the toast says which.

The app is real (picker on the real server). The desktop tool is a stand-in
named ``xclip`` on PATH (a shell script that keeps what it is given), because
the test machine has no desktop session; tmux's buffer is covered for real in
tests/e2e/test_tmux_daily.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.waiting import screen_until, store_until
from tmtui.ui import clipboard
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


@pytest.fixture
def fake_xclip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local X session whose clipboard tool writes what it is given to the returned file."""
    tools = tmp_path / "fake-tools"
    tools.mkdir()
    kept = tmp_path / "fake-xclip-got"
    script = tools / "xclip"
    script.write_text(f"#!/bin/sh\ncat > '{kept}'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{Path('/usr/bin')}:{Path('/bin')}")
    monkeypatch.setenv("DISPLAY", ":99")
    for name in ("SSH_CONNECTION", "TMUX", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    return kept


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _copy_address_in_picker(app, pilot) -> str:
    await store_until(app.store, lambda: bool(app.store.mailboxes))
    address = app.store.mailboxes[0].address
    await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
    await pilot.press("escape")
    await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))
    await pilot.press("y")
    return address


async def test_local_session_copies_with_the_desktop_tool_and_says_so(make_app, fake_xclip: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        address = await _copy_address_in_picker(app, pilot)
        said = f"Copied {address} to the clipboard (OSC 52, xclip)"
        await screen_until(pilot, lambda: said in _toasts(app))
        assert fake_xclip.read_text() == address
        assert app.clipboard == address  # OSC 52 too
        assert sum("Copied" in t for t in _toasts(app)) == 1  # one toast per copy


async def test_over_ssh_only_osc52_is_used(make_app, fake_xclip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        address = await _copy_address_in_picker(app, pilot)
        await screen_until(pilot, lambda: f"Copied {address} to the clipboard (OSC 52)" in _toasts(app))
        assert app.clipboard == address
    assert not fake_xclip.exists()  # the remote host's clipboard is nobody's


async def test_what_is_copied_is_one_clean_line(make_app, fake_xclip: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.copy_to_clipboard("code\x1b]52;c;ZXZpbA==\x07 482913\r\nrm -rf ~\x1b[2J")
        await screen_until(pilot, lambda: fake_xclip.exists()
                           and any("to the clipboard (OSC 52, xclip)" in t for t in _toasts(app)))
        for copied in (app.clipboard, fake_xclip.read_text()):
            assert "\n" not in copied and "\r" not in copied and "\x1b" not in copied and "\x07" not in copied
            assert "482913" in copied


def test_tmux_buffer_is_used_inside_tmux_even_over_ssh() -> None:
    env = {"TMUX": "/tmp/tmux-1000/default,1,0", "SSH_CONNECTION": "x", "DISPLAY": ":0"}
    names = [h.name for h in clipboard.helpers(env, which=lambda tool: f"/usr/bin/{tool}")]
    assert names == ["tmux buffer"]
    local = {"TMUX": "/tmp/tmux-1000/default,1,0", "WAYLAND_DISPLAY": "wayland-0"}
    assert [h.name for h in clipboard.helpers(local, which=lambda tool: f"/usr/bin/{tool}")] == [
        "wl-copy", "tmux buffer"]
