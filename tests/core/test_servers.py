"""Saved mailboxes belong to the server that issued them; a token never goes elsewhere."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tmtui import paths, state
from tmtui.api.secret import Secret
from tmtui.server.runner import ReferenceServer
from tmtui.store import SessionStore
from tmtui.sync.persistence import StateKeeper


async def _tmtui(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tmtui", *args, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_another_server_never_sees_the_saved_tokens(server: ReferenceServer) -> None:
    code, address, _ = await _tmtui("--server", server.base_url, "new")
    assert code == 0
    token = state.load()[0][0].sid_token
    assert token is not None
    received = bytearray()

    async def listener(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read(65536))  # whatever a client would send us
        writer.close()

    other = await asyncio.start_server(listener, "127.0.0.1", 0)
    port = other.sockets[0].getsockname()[1]
    async with other:
        for command in (["ls"], ["inbox"], ["--address", address.strip(), "inbox"]):
            await _tmtui("--server", f"http://127.0.0.1:{port}", *command)
    assert token.reveal().encode() not in received
    code, listed, _ = await _tmtui("--server", f"http://127.0.0.1:{port}", "ls")
    assert (code, listed) == (0, "")  # the other server has no saved mailboxes
    code, listed, _ = await _tmtui("--server", server.base_url, "ls")
    assert code == 0  # and the real one still has it, under its own server
    fields = listed.rstrip("\n").split("\t")  # address, expires, default, server, label
    assert (fields[0], fields[2], fields[3]) == (address.strip(), "*", server.base_url)


async def test_a_keeper_writes_its_own_server_and_passes_the_others_through(tmp_path: Path) -> None:
    path = paths.state_file()
    theirs = state.SavedMailbox("x@other.test", Secret("their-token"), None, "https://other.example")
    legacy = state.SavedMailbox("old@a.test", Secret("old-token"))  # a version 1 entry
    state.save([theirs, legacy], path)
    store = SessionStore()
    keeper = StateKeeper(store, server="http://127.0.0.1:9/")
    mine, warning = keeper.load()
    assert [m.address for m in mine] == ["old@a.test"] and warning is None
    assert keeper.elsewhere == 1
    for entry in mine:
        store.add_mailbox(entry.address, entry.sid_token, entry.expires_at)
    store.add_mailbox("new@a.test", Secret("new-token"))
    keeper.added("new@a.test")
    await keeper.flush()
    saved, _ = state.load(path)
    assert saved[0] == theirs  # untouched
    assert [(m.address, m.server) for m in saved[1:]] == [("old@a.test", "http://127.0.0.1:9"),
                                                          ("new@a.test", "http://127.0.0.1:9")]
