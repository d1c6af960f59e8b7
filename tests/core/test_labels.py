"""Labels and notes on saved mailboxes, and private addresses, in the client core.

On the real reference server: a label is written to the state file at once,
a label another process sets shows up in a running core, and a private
address is an unguessable name the server really holds.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.waiting import store_until
from tmtui import paths, state
from tmtui.api.secret import Secret
from tmtui.changes import Change
from tmtui.config import Config
from tmtui.server.runner import ReferenceServer
from tmtui.store import SessionStore
from tmtui.sync import SyncWorker


def saved_file() -> dict[str, dict[str, object]]:
    document = json.loads(paths.state_file().read_text(encoding="utf-8"))
    return {m["address"]: m for m in document["mailboxes"]}


# -- the file format --------------------------------------------------------------------

def test_label_and_note_round_trip_and_stay_out_of_the_file_when_unset(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    saved = [state.SavedMailbox("a@b.test", Secret("t"), None, "https://x.test", "github", "pw reset"),
             state.SavedMailbox("c@b.test", Secret("t"), None, "https://x.test")]
    state.save(saved, path)
    assert state.load(path) == (saved, None)
    document = json.loads(path.read_text())
    assert document["version"] == 2  # optional keys: older versions still read the file
    assert [set(m) for m in document["mailboxes"]] == [
        {"address", "sid_token", "expires_at", "server", "label", "note"},
        {"address", "sid_token", "expires_at", "server"}]


def test_a_version_2_file_without_labels_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps({"version": 2, "mailboxes": [
        {"address": "a@b.test", "sid_token": "t", "expires_at": None, "server": "https://x.test"}]}))
    [entry], warning = state.load(path)
    assert warning is None and (entry.label, entry.note) == ("", "")


def test_labels_in_the_file_are_cleaned_on_the_way_in(tmp_path: Path) -> None:
    """The file is the user's, but an imported or hand-edited one must not carry escapes to a terminal."""
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps({"version": 2, "mailboxes": [
        {"address": "a@b.test", "sid_token": None, "label": "git\x1b[2Jhub\n\u202eevil", "note": 5}]}))
    [entry], _ = state.load(path)
    assert "\x1b" not in entry.label and "\n" not in entry.label and "\u202e" not in entry.label
    assert entry.note == ""
    assert len(state.clean_label("x" * 500)) <= state.LABEL_CELLS


# -- the store ----------------------------------------------------------------------------

def test_set_label_is_one_change_and_no_change_is_none() -> None:
    store = SessionStore()
    store.add_mailbox("a@b.test", label="old")
    changes: list[Change] = []
    store.subscribe(changes.append)
    assert store.set_label("A@b.test", "github", "sign-up") is True
    assert store.set_label("a@b.test", "github") is False  # a None note keeps the note
    assert store.set_label("nobody@b.test", "x") is False
    assert changes == [Change("label", "a@b.test")]
    mailbox = store.get("a@b.test")
    assert mailbox is not None and (mailbox.label, mailbox.note) == ("github", "sign-up")


# -- the core, on the real server -------------------------------------------------------------

async def test_a_label_given_at_creation_is_saved_with_the_mailbox(core: SyncWorker) -> None:
    address = await core.create(label="github sign-up", note="pw in the manager")
    assert core.keeper.writes == 1  # one write: the mailbox and its label together
    entry = saved_file()[address]
    assert (entry["label"], entry["note"]) == ("github sign-up", "pw in the manager")
    custom = await core.create_custom("forum", "a.test", label="forum")
    assert saved_file()[custom]["label"] == "forum"


async def test_relabelling_writes_at_once_and_emits_one_change(core: SyncWorker) -> None:
    address = await core.create(label="first")
    # once listed, the session's expiry stays put: any write now is the label's
    await store_until(core.store, lambda: core.store.get(address).connection == "live"
                      and core.store.get(address).listed)
    await core.keeper.flush()
    changes: list[Change] = []
    core.store.subscribe(changes.append)
    writes = core.keeper.writes
    assert await core.label(address, "  second \x1b[31m ", note="a note") is True
    assert core.keeper.writes == writes + 1
    assert (saved_file()[address]["label"], saved_file()[address]["note"]) == ("second", "a note")
    assert [c for c in changes if c.kind == "label"] == [Change("label", address)]
    assert await core.label(address, "second") is False  # the same again: nothing to write
    assert await core.label(address, "") is True and "label" not in saved_file()[address]  # "" clears
    assert saved_file()[address]["note"] == "a note"  # a None note was kept
    with pytest.raises(KeyError):
        await core.label("nobody@a.test", "x")


async def test_a_label_survives_a_reopen(core: SyncWorker) -> None:
    address = await core.create(label="kept")
    await core.reopen(address)
    mailbox = core.store.get(address)
    assert mailbox is not None and mailbox.label == "kept" and saved_file()[address]["label"] == "kept"


async def test_a_label_set_by_another_process_appears_in_the_running_core(
        core: SyncWorker, server: ReferenceServer) -> None:
    address = await core.create(label="before")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tmtui", "--server", server.base_url, "label", address, "after",
        "--note", "set from a shell", stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    await store_until(core.store, lambda: core.store.get(address).label == "after", timeout=10)
    assert core.store.get(address).note == "set from a shell"
    await core.keeper.flush()  # our next write keeps their label (we did not change it)
    assert saved_file()[address]["label"] == "after"


async def test_our_label_beats_an_older_one_in_the_file(core: SyncWorker) -> None:
    """We relabel while the file still holds the old label: ours is written, not undone."""
    address = await core.create(label="old")
    document = json.loads(paths.state_file().read_text())
    document["mailboxes"][0]["expires_at"] = 1e10  # another process rewrote the file meanwhile
    paths.state_file().write_text(json.dumps(document))
    await core.label(address, "new")
    assert saved_file()[address]["label"] == "new" and core.store.get(address).label == "new"


# -- private addresses ------------------------------------------------------------------------

PRIVATE = re.compile(r"[a-z0-9]{16}@(a|b)\.test")


async def test_a_private_address_is_a_long_random_name_the_server_holds(
        core: SyncWorker, server: ReferenceServer) -> None:
    first = await core.create(private=True, label="private")
    second = await core.create("b.test", private=True)
    assert PRIVATE.fullmatch(first) and PRIVATE.fullmatch(second) and second.endswith("@b.test")
    assert first != second
    assert saved_file()[first]["label"] == "private"
    listing = await core.messages(first)  # the session really is on that address
    assert listing == []


async def test_the_setting_makes_private_the_default_and_false_overrides_it(server: ReferenceServer) -> None:
    config = replace(Config(server=server.base_url), private_addresses=True)
    async with SyncWorker.from_config(config, persist=False) as worker:
        private = await worker.create()
        public = await worker.create(private=False)
    assert PRIVATE.fullmatch(private)
    assert not PRIVATE.fullmatch(public)  # the server's own short random name
