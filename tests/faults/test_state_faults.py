"""A corrupt, empty or foreign-owned state file: the app starts, says so where
there is something to say, and keeps working (a new mailbox, mail arrives,
the state file is written again, 0600)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.support.waiting import screen_until
from tmtui import paths, state
from tmtui.api.client import TempMailClient

from .kit import (
    SIZE,
    build_app,
    live_inbox,
    record_notifications,
    rows_are,
    send,
    still_responds,
)


def _start_like_the_launcher(server, downloads):
    """What tmtui.launch.run_tui does before app.run(): the sync core reads the state file."""
    return build_app(server.base_url, downloads, saved=None, persist=True)


async def _keeps_working(pilot, server, notes: list[str], warning: str | None) -> None:
    if warning is None:
        assert not [n for n in notes if n.startswith("warning")], notes
    else:
        await screen_until(pilot, lambda: any(n.startswith("warning") and warning in n for n in notes))
    mailbox = await live_inbox(pilot)  # a fresh mailbox, created at start
    await send(server, mailbox, "works")
    await rows_are(pilot, mailbox, ["works"])
    await still_responds(pilot)
    written = json.loads(paths.state_file().read_text())
    assert [m["address"] for m in written["mailboxes"]] == [mailbox.address]
    assert stat.S_IMODE(os.stat(paths.state_file()).st_mode) == 0o600


def _write_state(content: str) -> None:
    paths.state_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    paths.state_file().write_text(content)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"mailboxes": [{"addr": 1}]}', "\x00\xff"])
async def test_corrupt_state_file_is_set_aside_with_a_warning(server, downloads, content: str) -> None:
    _write_state(content)
    app = _start_like_the_launcher(server, downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await _keeps_working(pilot, server, notes, "corrupt")
    aside = [p for p in paths.state_dir().iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_text() == content


async def test_empty_state_file_is_no_mailboxes(server, downloads) -> None:
    _write_state("  \n")
    app = _start_like_the_launcher(server, downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await _keeps_working(pilot, server, notes, None)


async def test_foreign_owned_state_file_is_not_used(server, downloads) -> None:
    async with TempMailClient(server.base_url) as client:
        theirs = await client.get_email_address()
    state.save([state.SavedMailbox(theirs.address, theirs.sid_token, theirs.meta.expires_at)])
    path = paths.state_file()
    with pytest.MonkeyPatch.context() as patch:
        if os.geteuid() == 0:
            os.chown(path, 65534, 65534)  # nobody
        else:  # FakeOtherUser: the file is ours; its open descriptor says it is someone else's
            real_fstat, inode = os.fstat, os.stat(path).st_ino

            def fstat(fd: int) -> os.stat_result:
                info = real_fstat(fd)
                if info.st_ino != inode:
                    return info
                return os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_uid + 1,
                                       info.st_gid, info.st_size, 0, 0, 0))

            patch.setattr(os, "fstat", fstat)
        app = _start_like_the_launcher(server, downloads)
        notes = record_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await _keeps_working(pilot, server, notes, "belongs to another user")
            assert theirs.address not in app.store
    assert os.stat(path).st_uid == os.getuid()  # replaced by our own file


def test_foreign_owned_file_is_a_warning_at_load(tmp_path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text('{"version": 1, "mailboxes": [{"address": "a@b.test", "sid_token": "t"}]}')
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)  # FakeOtherUser
        loaded, warning = state.load(path)
    assert loaded == [] and warning is not None and "another user" in warning
    assert path.exists()  # not ours to move


async def test_unwritable_state_dir_is_a_warning_and_the_app_keeps_working(
        server, downloads, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the state directory should be")
    monkeypatch.setenv("TMTUI_STATE_DIR", str(blocker / "state"))
    app = _start_like_the_launcher(server, downloads)
    notes = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        mailbox = await live_inbox(pilot)
        await screen_until(pilot, lambda: any(n.startswith("warning") and "will not be remembered" in n
                                              for n in notes))
        assert len([n for n in notes if "will not be remembered" in n]) == 1  # said once
        await send(server, mailbox, "still works")
        await rows_are(pilot, mailbox, ["still works"])
        await still_responds(pilot)
