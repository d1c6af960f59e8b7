"""A running TUI and scripts share the state file: nobody's mailboxes are lost.

The TUI is the real app (pilot) on the real server; the scripts are real
``tmtui new`` processes started all at once while the TUI runs.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tests.support.waiting import screen_text, screen_until, store_until
from tmtui import paths
from tmtui.server.runner import ReferenceServer
from tmtui.ui.screens.inbox import InboxScreen
from tmtui.ui.screens.picker import PickerScreen


async def _tmtui_new(server: ReferenceServer) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tmtui", "--server", server.base_url, "new",
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


def _saved_addresses() -> set[str]:
    document = json.loads(paths.state_file().read_text(encoding="utf-8"))
    return {m["address"] for m in document["mailboxes"]}


async def test_tui_and_four_concurrent_tmtui_new_lose_nothing(make_app, server: ReferenceServer) -> None:
    app = make_app()
    async with app.run_test(size=(110, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: len(store.mailboxes) == 1)  # first run: one is created
        first = store.mailboxes[0].address
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))  # it opens by itself
        await pilot.press("escape")
        await screen_until(pilot, lambda: isinstance(app.screen, PickerScreen))

        scripts = await asyncio.gather(*(_tmtui_new(server) for _ in range(4)))
        assert len(set(scripts)) == 4
        # The running TUI notices them and shows them, without a restart.
        await store_until(store, lambda: all(a in store for a in scripts), timeout=15)
        await screen_until(pilot, lambda: all(a in screen_text(pilot) for a in scripts))

        await pilot.press("n")  # then a new one in the TUI
        await screen_until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        await pilot.press("enter")  # the default domain
        await store_until(store, lambda: len(store.mailboxes) == 6)
        mine = {m.address for m in store.mailboxes} - {first, *scripts}
        assert len(mine) == 1
        assert _saved_addresses() == {first, *scripts, *mine}
    assert _saved_addresses() == {first, *scripts, *mine}  # and still after the TUI exits
