"""Keep long-lived objects out of the cyclic collector's full passes.

A full (generation 2) collection walks every tracked object; with a big
mailbox loaded (10,000 summaries and their rows) one took 55-115 ms on the
loop, and they come every few seconds while the user types or mail arrives.
Objects that live as long as the mailbox is shown gain nothing from those
passes: freezing moves them to the permanent generation (they are still freed
by reference counting when dropped; rows and summaries hold no cycles).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Freeze what is alive now (after start-up, after a big listing landed)."""
    gc.collect(0)  # the young garbage of the load itself is not worth keeping forever
    gc.freeze()


def release() -> None:
    """Give frozen objects back to the collector: a closed screen's cycles are garbage only it can find.

    Frozen, a popped inbox (screen, widgets and, through them, 10,000 rows) would
    never be collected; the next big listing freezes what is alive again.
    """
    gc.unfreeze()
