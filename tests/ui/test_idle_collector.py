"""The collector's full passes wait for a pause in the user's input (tmtui.ui.collector).

CPython starts a full pass after ten young passes, wherever the allocation
happens to be: on a key, a 50-95 ms stall with a 1 MB newsletter open. A cycle
of garbage in the old generation must outlive a burst of typing (however much
the typing allocates), and be gone once the keys stop.
"""

from __future__ import annotations

import gc
import weakref

from tests.support.waiting import screen_until, store_until
from tmtui.ui.collector import VALVE
from tmtui.ui.screens.inbox import InboxScreen


class Cycle:
    """Garbage only the cyclic collector can free (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def _old_cycle() -> weakref.ref[Cycle]:
    """A cycle in the old generation, dropped: only a full pass frees it."""
    holder = [Cycle()]
    gc.collect(1)  # reachable now: the young passes move it to the old generation
    ref = weakref.ref(holder[0])
    holder.clear()
    return ref


async def test_a_cycle_made_while_typing_is_collected_in_the_pause_after(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        store = app.store
        await store_until(store, lambda: bool(store.mailboxes) and store.mailboxes[0].connection == "live")
        await screen_until(pilot, lambda: isinstance(app.screen, InboxScreen))
        # This app's collector, not the threshold alone: the app's settle freezes every object alive
        # when it starts, and a cycle made before that would never be collected.
        await screen_until(pilot, lambda: app.collector.running and gc.get_threshold()[2] == VALVE,
                           what="the idle collector in charge")
        await pilot.press("slash")
        gc.collect()  # start counting young passes from nothing: the valve is far away
        ref = _old_cycle()
        passes = app.collector.passes
        for char in "newsletter":
            # What a busy screen allocates per key: enough for a few young passes each,
            # past CPython's own limit (10) for a full one over the whole burst.
            ballast = [[] for _ in range(20_000)]
            del ballast
            await pilot.press(char)
            assert ref() is not None, f"a full collector pass ran while typing ({char!r})"
        assert gc.get_count()[2] > 10  # young passes happened: CPython would have run a full one
        await screen_until(pilot, lambda: ref() is None, what="the cycle collected once the keys stopped")
        assert app.collector.passes > passes
