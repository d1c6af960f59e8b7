"""The inbox filter as an index: each key costs a substring test per candidate row, nothing more.

Lower-casing 10,000 senders and subjects on every key held the loop for tens of
milliseconds; the index lower-cases each row once (when a filter first needs
it) and keeps the matches of the last query. A query that contains the last
one (the user typed on) can only match rows the last one matched, so it looks
at those alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tmtui.ui.widgets.message_list import Row


def normal_query(text: str) -> str:
    """What the filter looks for: the typed text without surrounding blanks, lower-cased."""
    return text.strip().lower()


def matches(row: Row, query: str) -> bool:
    """The filter's meaning, one row at a time: ``query`` (normalised) is in the sender or the subject."""
    return query in row.sender.lower() or query in row.subject.lower()


def _haystack(row: Row) -> str:
    # A newline joins the two: a one-line query never matches across it, so one
    # `in` test means "in the sender or in the subject".
    return f"{row.sender.lower()}\n{row.subject.lower()}"


class RowFilter:
    """Indices of the rows a query matches, over rows that change rarely and queries that change per key."""

    def __init__(self) -> None:
        self._rows: Sequence[Row] = ()
        self._haystacks: list[str] | None = None
        self._known: dict[str, tuple[Row, str]] = {}  # by message id: a row met before keeps its haystack
        self._last: tuple[str, list[int]] | None = None

    def set_rows(self, rows: Sequence[Row]) -> None:
        """The rows to filter from now on (the same object again costs nothing)."""
        if rows is not self._rows:
            self._rows, self._haystacks, self._last = rows, None, None

    def matching(self, text: str) -> list[int] | None:
        """Positions of the matching rows in order, or None when the query is empty (every row)."""
        query = normal_query(text)
        if not query:
            return None
        haystacks = self._index()
        last = self._last
        candidates: Sequence[int] = last[1] if last is not None and last[0] in query else range(len(haystacks))
        found = [i for i in candidates if query in haystacks[i]]
        self._last = (query, found)
        return found

    async def warm(self, rows: Sequence[Row], per_slice: int = 2000) -> None:
        """Lower-case ``rows`` ahead of the first key, a slice at a time (a big listing just landed)."""
        known = self._known
        for start in range(0, len(rows), per_slice):
            for row in rows[start:start + per_slice]:
                entry = known.get(row.id)
                if entry is None or entry[0] is not row:
                    known[row.id] = (row, _haystack(row))
            await asyncio.sleep(0)

    def _index(self) -> list[str]:
        if self._haystacks is None:
            known, fresh = self._known, {}
            haystacks = []
            for row in self._rows:
                entry = known.get(row.id)
                if entry is None or entry[0] is not row:
                    entry = (row, _haystack(row))
                fresh[row.id] = entry
                haystacks.append(entry[1])
            self._known, self._haystacks = fresh, haystacks
        return self._haystacks
