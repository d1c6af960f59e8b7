"""Saved mailboxes: atomic, private, and a corrupt file never costs a crash."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tmtui import state
from tmtui.api.secret import Secret

TOKEN = "ab" * 24


def test_round_trip_keeps_address_token_and_expiry(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sessions.json"
    expires = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    state.save([state.SavedMailbox("a@b.test", Secret(TOKEN), expires)], path)
    loaded, warning = state.load(path)
    assert warning is None
    assert loaded == [state.SavedMailbox("a@b.test", Secret(TOKEN), expires)]


def test_file_is_0600_in_a_0700_directory(tmp_path: Path) -> None:
    path = tmp_path / "state" / "sessions.json"
    state.save([state.SavedMailbox("a@b.test", Secret(TOKEN))], path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not [p for p in path.parent.iterdir() if p.name != "sessions.json"]  # no temp left


@pytest.mark.parametrize("content", ["{not json", "[]", '{"mailboxes": [{"address": 5}]}', "\x00\x01"])
def test_corrupt_file_is_set_aside_with_a_warning(tmp_path: Path, content: str) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(content)
    loaded, warning = state.load(path)
    assert loaded == []
    assert warning is not None and "moved aside" in warning
    assert "\n" not in warning
    assert not path.exists()
    (aside,) = tmp_path.glob("sessions.json.corrupt-*")
    assert aside.read_text() == content  # nothing lost: the user can still recover it


def test_empty_and_missing_files_are_no_mailboxes(tmp_path: Path) -> None:
    assert state.load(tmp_path / "missing.json") == ([], None)
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert state.load(empty) == ([], None)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text("{}")
    path.chmod(0)
    loaded, warning = state.load(path)
    assert loaded == [] and warning is not None


def test_unwritable_directory_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(state.StateError) as caught:
        state.save([], blocker / "sessions.json")
    assert "\n" not in str(caught.value)


def test_token_is_never_in_a_repr(tmp_path: Path) -> None:
    saved = state.SavedMailbox("a@b.test", Secret(TOKEN))
    assert TOKEN not in repr(saved)
    path = tmp_path / "s.json"
    state.save([saved], path)
    assert json.loads(path.read_text())["mailboxes"][0]["sid_token"] == TOKEN


def test_server_key_normalises_scheme_host_port_and_trailing_slash() -> None:
    assert state.server_key("HTTPS://Mail.Example:443/tool/") == "https://mail.example/tool"
    assert state.server_key("https://mail.example/tool") == "https://mail.example/tool"
    assert state.server_key("http://127.0.0.1:8025") == "http://127.0.0.1:8025"
    assert state.server_key("http://[::1]:80/") == "http://[::1]"
    assert state.server_key("http://mail.example") != state.server_key("https://mail.example")


def test_the_server_of_each_mailbox_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    saved = [state.SavedMailbox("a@b.test", Secret(TOKEN), None, "https://one.example"),
             state.SavedMailbox("c@d.test", Secret(TOKEN), None, "")]
    state.save(saved, path)
    assert state.load(path) == (saved, None)
