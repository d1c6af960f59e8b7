"""The registry of burner identities from the shell: labels, private addresses, export and import.

Real server, real state file: ``cli`` runs ``tmtui.cli.main`` in-process, and
the commands that are about processes or file modes run as real subprocesses.
"""

from __future__ import annotations

import asyncio
import json
import re
import stat
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.waiting import store_until
from tmtui.config import Config
from tmtui.sync import SyncWorker

from .support import Result, Runner, write_config

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer

Cli = Callable[..., Awaitable[Result]]
PRIVATE = re.compile(r"[a-z0-9]{16}@(a|b)\.test")


def saved(isolated: Path, state: str = "state") -> list[dict[str, object]]:
    return json.loads((isolated / state / "sessions.json").read_text())["mailboxes"]


def ls_rows(result: Result) -> list[list[str]]:
    assert result.code == 0, result.err
    return [line.split("\t") for line in result.out.splitlines()]


# -- labels ---------------------------------------------------------------------------------

async def test_new_with_a_label_and_a_note_shows_in_ls_and_the_file(cli: Cli, isolated: Path,
                                                                    server: ReferenceServer) -> None:
    made = await cli("new", "--name", "ghub", "--label", "github sign-up", "--note", "2FA on", "--json")
    assert made.code == 0, made.err
    document = json.loads(made.out)
    assert (document["label"], document["note"]) == ("github sign-up", "2FA on")
    plain = await cli("new", "--name", "plain")
    assert plain.code == 0
    rows = ls_rows(await cli("ls"))
    # the label is the last column: the four before it stay where scripts expect them
    assert [(r[0], r[3], r[4]) for r in rows] == [("ghub@a.test", server.base_url, "github sign-up"),
                                                  ("plain@a.test", server.base_url, "")]
    listed = json.loads((await cli("ls", "--json")).out)["mailboxes"]
    assert [(m["label"], m["note"], m["server"]) for m in listed] == [
        ("github sign-up", "2FA on", server.base_url), (None, None, server.base_url)]
    assert [(m.get("label"), m.get("note")) for m in saved(isolated)] == [("github sign-up", "2FA on"),
                                                                           (None, None)]


async def test_label_sets_changes_and_clears_and_an_unsaved_address_is_exit_4(cli: Cli, isolated: Path) -> None:
    await cli("new", "--name", "forum")
    result = await cli("label", "forum@a.test", "forum \x1b[31mpw reset", "--note", "old account")
    assert (result.code, result.out, result.err) == (0, "", "")
    [entry] = saved(isolated)
    assert (entry["label"], entry["note"]) == ("forum pw reset", "old account")  # one clean line
    assert (await cli("label", "FORUM@a.test", "renamed")).code == 0  # addresses are not case-sensitive
    assert ls_rows(await cli("ls"))[0][4] == "renamed"
    assert saved(isolated)[0]["note"] == "old account"  # no --note: the note stays
    assert (await cli("label", "forum@a.test", "", "--note", "")).code == 0
    assert "label" not in saved(isolated)[0] and "note" not in saved(isolated)[0]
    missing = await cli("label", "nobody@a.test", "x")
    assert (missing.code, missing.err) == (4, "tmtui: no saved mailbox nobody@a.test\n")


async def test_label_on_a_terminal_says_what_it_did(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    await cli("new", "--name", "tty", "--label", "first")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert (await cli("label", "tty@a.test", "second")).out == "tty@a.test: second\n"
    lines = (await cli("ls")).out.splitlines()
    assert re.match(r"\* tty@a\.test +second +session until", lines[0])


# -- private addresses ------------------------------------------------------------------------

async def test_new_private_is_an_unguessable_address_the_server_holds(cli: Cli, tmtui: Runner) -> None:
    made = await cli("new", "--private", "--domain", "b.test", "--label", "bank")
    assert made.code == 0, made.err
    address = made.out.strip()
    assert PRIVATE.fullmatch(address) and address.endswith("@b.test")
    inbox = await cli("inbox", address, "--json")
    assert inbox.code == 0 and json.loads(inbox.out)["address"] == address
    clash = await tmtui("new", "--private", "--name", "bob")  # argparse exits: a real process
    assert clash.code == 2 and "not allowed with" in clash.err


async def test_the_private_addresses_setting_makes_it_the_default(cli: Cli, isolated: Path) -> None:
    write_config(isolated / "config.toml", private_addresses=True)
    default = await cli("new")
    public = await cli("new", "--no-private")
    named = await cli("new", "--name", "short")  # a chosen name is the user's choice
    assert default.code == public.code == named.code == 0
    assert PRIVATE.fullmatch(default.out.strip())
    assert not PRIVATE.fullmatch(public.out.strip()) and named.out == "short@a.test\n"
    (isolated / "config.toml").write_text("private_addresses = 1\n")
    bad = await cli("new")
    assert (bad.code, bad.err) == (2, "tmtui: config: private_addresses must be true or false\n")


# -- export and import ------------------------------------------------------------------------

async def test_export_carries_labels_and_no_tokens_unless_asked(cli: Cli, server: ReferenceServer,
                                                                 isolated: Path) -> None:
    await cli("new", "--name", "one", "--label", "first", "--note", "a note")
    await cli("new", "--name", "two")
    result = await cli("export")
    assert (result.code, result.err) == (0, "")
    document = json.loads(result.out)
    assert document["tmtui_export"] == 1 and re.fullmatch(r"\d{4}-.+Z", document["exported_at"])
    assert document["mailboxes"] == [
        {"address": "one@a.test", "server": server.base_url, "label": "first", "note": "a note",
         "expires_at": document["mailboxes"][0]["expires_at"]},
        {"address": "two@a.test", "server": server.base_url, "label": None, "note": None,
         "expires_at": document["mailboxes"][1]["expires_at"]}]
    tokens = {m["address"]: m["sid_token"] for m in saved(isolated)}
    assert not any(token in result.out for token in tokens.values())
    secret = await cli("export", "--with-tokens", "--output", str(isolated / "reg.json"))
    assert (secret.code, secret.out) == (0, "")
    assert "holds session tokens" in secret.err and "reg.json" in secret.err
    path = isolated / "reg.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {m["address"]: m["sid_token"] for m in json.loads(path.read_text())["mailboxes"]} == tokens
    assert [p.name for p in isolated.iterdir() if p.name.startswith(".reg")] == []  # no temporary left


async def test_export_with_tokens_to_a_redirected_stdout_makes_the_file_private(
        tmtui: Runner, isolated: Path) -> None:
    assert (await tmtui("new", "--name", "redir")).code == 0
    target = isolated / "out.json"
    target.write_text("")
    target.chmod(0o644)
    with target.open("w") as handle:  # tmtui export --with-tokens > out.json
        process = await asyncio.create_subprocess_exec(
            *tmtui.argv(("export", "--with-tokens")), stdout=handle, stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL, env=tmtui.env)
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert "holds session tokens" in err.decode() and "now 0600" in err.decode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["mailboxes"][0]["sid_token"]


async def test_import_moves_the_registry_to_another_machine(cli: Cli, server: ReferenceServer, isolated: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    await cli("new", "--name", "moved", "--label", "moving", "--note", "with me")
    await cli("new", "--name", "second")
    assert (await cli("export", "--with-tokens", "-o", str(isolated / "reg.json"))).code == 0
    monkeypatch.setenv("TMTUI_STATE_DIR", str(isolated / "elsewhere"))  # the other machine
    other = "https://other.example"
    result = await cli("import", str(isolated / "reg.json"), server_url=other)  # run with another server
    assert (result.code, result.out) == (0, "added 2, updated 0, unchanged 0\n"), result.err
    # the entries keep the server that issued them: they are not this server's
    assert [(m["address"], m["server"], m.get("label")) for m in saved(isolated, "elsewhere")] == [
        ("moved@a.test", server.base_url, "moving"), ("second@a.test", server.base_url, None)]
    assert ls_rows(await cli("ls", server_url=other)) == []
    rows = ls_rows(await cli("ls"))
    assert [(r[0], r[4]) for r in rows] == [("moved@a.test", "moving"), ("second@a.test", "")]
    inbox = await cli("inbox", "moved@a.test", "--json")  # the imported token opens it, no takeover
    assert inbox.code == 0, inbox.err
    again = await cli("import", str(isolated / "reg.json"), "--json")
    assert json.loads(again.out) == {"added": 0, "updated": 0, "unchanged": 2}


async def test_import_updates_labels_and_never_removes(cli: Cli, isolated: Path) -> None:
    await cli("new", "--name", "keep", "--label", "kept label", "--note", "kept note")
    await cli("new", "--name", "other")
    document = {"mailboxes": [
        {"address": "keep@a.test", "label": "", "note": "new note"},  # an empty label never erases
        {"address": "fresh@b.test", "label": "from the file", "expires_at": "2030-01-01T00:00:00Z"}]}
    (isolated / "in.json").write_text(json.dumps(document))
    result = await cli("import", str(isolated / "in.json"))
    assert (result.code, result.out) == (0, "added 1, updated 1, unchanged 0\n"), result.err
    entries = {m["address"]: m for m in saved(isolated)}
    assert list(entries) == ["keep@a.test", "other@a.test", "fresh@b.test"]
    assert (entries["keep@a.test"]["label"], entries["keep@a.test"]["note"]) == ("kept label", "new note")
    assert entries["keep@a.test"]["sid_token"]  # the session here is kept: the file had none
    assert (entries["fresh@b.test"]["label"], entries["fresh@b.test"]["sid_token"]) == ("from the file", None)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "is not JSON"),
    ('{"version": 2}', 'not a tmtui export: no "mailboxes" list'),
    ('{"mailboxes": [{"address": "good@a.test"}, {"address": "no spaces@a.test"}]}',
     "entry 2: address 'no spaces@a.test' is not a mailbox address"),
    ('{"mailboxes": [{"address": "good@a.test", "server": "ftp://x.test"}]}',
     "entry 1: server 'ftp://x.test' is not an http:// or https:// URL"),
    ('{"mailboxes": [{"address": "good@a.test", "expires_at": "tomorrow"}]}',
     "entry 1: expires_at 'tomorrow' is not an ISO 8601 time"),
    ('{"mailboxes": [{"address": "good@a.test", "label": 5}]}', "entry 1: label must be a string or null"),
])
async def test_an_invalid_file_is_exit_2_and_writes_nothing(cli: Cli, isolated: Path, content: str,
                                                            message: str) -> None:
    await cli("new", "--name", "before")
    before = (isolated / "state" / "sessions.json").read_text()
    (isolated / "bad.json").write_text(content)
    result = await cli("import", str(isolated / "bad.json"))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("tmtui: import: ") and message in result.err and result.err.count("\n") == 1
    assert (isolated / "state" / "sessions.json").read_text() == before
    missing = await cli("import", str(isolated / "missing.json"))
    assert missing.code == 2 and "cannot read" in missing.err


async def test_an_import_shows_up_in_a_running_core(cli: Cli, server: ReferenceServer, isolated: Path) -> None:
    core = SyncWorker.from_config(Config(server=server.base_url))
    core.load_saved()
    task = asyncio.create_task(core.run())
    try:
        mine = await core.create(label="mine")
        document = {"mailboxes": [{"address": mine, "label": "relabelled by import"},
                                  {"address": "imported@a.test", "label": "new here"}]}
        (isolated / "in.json").write_text(json.dumps(document))
        result = await cli("import", str(isolated / "in.json"))
        assert result.code == 0, result.err
        await store_until(core.store, lambda: "imported@a.test" in core.store
                          and core.store.get(mine).label == "relabelled by import", timeout=10)
        assert core.store.get("imported@a.test").label == "new here"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
