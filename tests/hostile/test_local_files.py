"""Issue 12.9 (a state directory others can write) and 12.10 (file names that look like options)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from tests.headless.support import Result, Runner
from tests.support.mail import build_mail, deliver
from tmtui import config as config_mod
from tmtui import state
from tmtui.api.secret import Secret
from tmtui.safety import safe_filename

ROOT = os.geteuid() == 0
OURS = {"version": 2, "mailboxes": [{"address": "mine@a.test", "sid_token": "ours"}]}
THEIRS = {"version": 2, "mailboxes": [{"address": "attacker-box@a.test", "sid_token": "theirs"}]}


def _private(tmp_path: Path) -> Path:
    directory = tmp_path / "state"
    directory.mkdir(mode=0o700)
    return directory


# -- 12.9 -----------------------------------------------------------------------------------

def test_a_world_writable_state_directory_is_refused_in_one_line(tmp_path: Path) -> None:
    directory = _private(tmp_path)
    (directory / "sessions.json").write_text(json.dumps(THEIRS))
    directory.chmod(0o777)
    loaded, warning = state.load(directory / "sessions.json")
    assert loaded == [] and warning is not None and "written by other users" in warning and "\n" not in warning
    with pytest.raises(state.StateError) as caught:
        state.save([state.SavedMailbox("mine@a.test", Secret("t"))], directory / "sessions.json")
    assert "written by other users" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(state.StateError), state.locked(directory / "sessions.json"):
        pass


@pytest.mark.skipif(not ROOT, reason="making a directory another user's needs root")
def test_a_state_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    directory = _private(tmp_path)
    (directory / "sessions.json").write_text(json.dumps(THEIRS))
    os.chown(directory, 65534, 65534)
    loaded, warning = state.load(directory / "sessions.json")
    assert loaded == [] and warning is not None and "another user" in warning
    with pytest.raises(state.StateError):
        state.save([], directory / "sessions.json")


def test_a_symlinked_state_file_is_not_followed(tmp_path: Path) -> None:
    directory = _private(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(THEIRS))
    (directory / "sessions.json").symlink_to(elsewhere)
    loaded, warning = state.load(directory / "sessions.json")
    assert loaded == [] and warning is not None and "symbolic link" in warning


class FakeSwapAttacker:
    """Replaces sessions.json with the attacker's file right after tmtui first checks it
    (a ``stat`` of the path, or an ``fstat`` of a descriptor of it): the window the
    attack of the issue raced for (6,040 wins in 20,000 loads), made certain."""

    def __init__(self, path: Path, theirs: Path, patch: pytest.MonkeyPatch) -> None:
        self.path, self.theirs, self.swapped = path, theirs, False
        self.mine = os.stat(path).st_ino
        real_stat, real_fstat = os.stat, os.fstat

        def stat(target: object, *args: object, **kwargs: object) -> os.stat_result:
            info = real_stat(target, *args, **kwargs)  # type: ignore[arg-type]
            self.after_check(info)
            return info

        def fstat(fd: int) -> os.stat_result:
            info = real_fstat(fd)
            self.after_check(info)
            return info

        patch.setattr(os, "stat", stat)
        patch.setattr(os, "fstat", fstat)

    def after_check(self, info: os.stat_result) -> None:
        if info.st_ino == self.mine and not self.swapped:
            self.swapped = True
            os.replace(self.theirs, self.path)


@pytest.mark.skipif(not ROOT, reason="a file of another user needs root")
def test_swapping_the_file_after_the_check_never_wins(tmp_path: Path) -> None:
    directory = _private(tmp_path)
    path = directory / "sessions.json"
    path.write_text(json.dumps(OURS))
    theirs = directory / "theirs.json"
    theirs.write_text(json.dumps(THEIRS))
    os.chown(theirs, 65534, 65534)
    with pytest.MonkeyPatch.context() as patch:
        attacker = FakeSwapAttacker(path, theirs, patch)
        loaded, warning = state.load(path)
    assert attacker.swapped
    assert [m.address for m in loaded] == ["mine@a.test"], (loaded, warning)


def test_a_config_directory_others_can_write_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "config"
    directory.mkdir(mode=0o700)
    (directory / "config.toml").write_text('server = "http://evil.test"\n')
    directory.chmod(0o777)
    with pytest.raises(config_mod.ConfigError) as caught:
        config_mod.load(directory / "config.toml")
    assert "written by other users" in str(caught.value) and "\n" not in str(caught.value)


async def test_tmtui_ls_refuses_a_planted_state_directory(server, tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o700)
    (directory / "sessions.json").write_text(json.dumps(THEIRS))
    directory.chmod(0o777)
    runner = Runner(server.base_url)
    runner.env["TMTUI_STATE_DIR"] = str(directory)
    result = await runner("ls")
    assert "attacker-box" not in result.out
    assert "written by other users" in result.err and result.err.count("\n") >= 1


# -- 12.10 ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "saved"), [("-rf", "_-rf"), ("--output=x", "_--output=x"),
                                             ("-", "_-"), ("- report.pdf", "_- report.pdf")])
def test_a_saved_name_never_starts_with_a_dash(name: str, saved: str) -> None:
    assert safe_filename(name) == saved


async def test_tmtui_save_prints_absolute_paths_that_are_not_options(server, tmp_path: Path) -> None:
    runner = Runner(server.base_url)
    result = await runner("new", "--name", "saver", "--domain", "a.test")
    address = result.out.strip()
    mail = build_mail(address, subject="Files", attachments=[("-rf", b"one", "application/octet-stream"),
                                                              ("--output=x", b"two", "text/plain")])
    await deliver(server.smtp_port, address, mail)
    listed = await runner("inbox")
    message_id = listed.out.split("\t", 1)[0]
    work = tmp_path / "work"
    work.mkdir()
    saved = await _run_in(runner, work, "save", message_id, "--dir", ".")
    assert saved.code == 0, saved.err
    lines = saved.out.splitlines()
    assert len(lines) == 2 and all(Path(line).is_absolute() for line in lines), lines
    assert sorted(Path(line).name for line in lines) == ["_--output=x", "_-rf"]
    assert all(Path(line).parent == work for line in lines)


async def _run_in(runner: Runner, cwd: Path, *args: str) -> Result:
    """``tmtui ARGS`` run in ``cwd`` (``--dir .`` means that directory)."""
    process = await asyncio.create_subprocess_exec(
        *runner.argv(args), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=runner.env, cwd=cwd)
    return await runner.finish(process)
