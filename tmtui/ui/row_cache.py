"""Display rows of a mailbox's messages, each built once, and many built in slices.

A row costs three sanitising passes (sender, subject, excerpt). The first
listing of a 10,000-mail mailbox lands as one store change, and building all
its rows at once held the event loop for 70-90 ms; :meth:`RowCache.fill` builds
them a slice at a time and lets the loop draw frames and take keys in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from tmtui.api.models import MessageSummary
from tmtui.ui.widgets.message_list import Row, to_row

ROWS_PER_SLICE = 400  # ~3-4 ms of row building: well inside a frame


class RowCache:
    """Rows by message id; a message that changed (read, for one) gets a new row."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[MessageSummary, Row]] = {}

    def row(self, message: MessageSummary) -> Row:
        cached = self._rows.get(message.id)
        if cached is not None and (cached[0] is message or cached[0] == message):
            return cached[1]
        row = to_row(message)
        self._rows[message.id] = (message, row)
        return row

    def forget(self, ids: Iterable[str]) -> None:
        for message_id in ids:
            self._rows.pop(message_id, None)

    def missing(self, messages: Sequence[MessageSummary], *, more_than: int) -> bool:
        """Whether more than ``more_than`` of ``messages`` have no row yet."""
        rows, left = self._rows, more_than
        for message in messages:
            cached = rows.get(message.id)
            if cached is None or cached[0] is not message:
                left -= 1
                if left < 0:
                    return True
        return False

    async def fill(self, messages: Sequence[MessageSummary], per_slice: int = ROWS_PER_SLICE) -> None:
        """Build the rows of ``messages``, yielding to the event loop after each slice."""
        for start in range(0, len(messages), per_slice):
            for message in messages[start:start + per_slice]:
                self.row(message)
            await asyncio.sleep(0)
