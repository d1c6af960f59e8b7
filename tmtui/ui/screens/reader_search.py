"""Search in the reader's body: incremental, case-insensitive, matches highlighted, n/N between them.

It searches the text the text view shows (the plain text or the sanitised
source), not its folded rows, so a match across a fold is one match; the view
maps matches onto rows. Up to ``INLINE_LIMIT`` characters the search runs on
the UI thread (``re`` over 200 kB: a millisecond or two); a larger body is
searched in the converter's worker, the latest query only, so typing into a
1 MB newsletter never holds the UI. The first match shown is the first at or
after the top of the view: searching starts where the reader is reading.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from typing import Any

from tmtui.reading import MAX_MATCHES, find
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.widgets.body_view import BodyView
from tmtui.ui.widgets.search_bar import SearchBar

INLINE_LIMIT = 200_000


class BodySearch:
    """The search state of one reader: the text searched, the matches, the current one."""

    def __init__(self, screen: TmtuiScreen[Any], view: BodyView, bar: SearchBar) -> None:
        self.screen, self.view, self.bar = screen, view, bar
        self.text = ""
        self.spans: tuple[tuple[int, int], ...] = ()
        self.current: int | None = None

    @property
    def active(self) -> bool:
        """The search line is open (n/N move between matches, escape clears it)."""
        return bool(self.bar.display)

    def open(self, placeholder: str = "") -> None:
        self.bar.open(placeholder)

    def clear(self) -> None:
        self.bar.close()
        self._apply((), "")

    def set_text(self, text: str) -> None:
        """The text view shows another text (a new message, or the other view): search it."""
        self.text = text
        if self.active:
            self.search()
        else:
            self._apply((), "")

    def search(self) -> None:
        """Search for what the bar holds now."""
        term, text = self.bar.term, self.text
        if not term:
            self._apply((), term)
        elif len(text) <= INLINE_LIMIT:
            self._apply(find(text, term), term)
        else:
            self.bar.show_count(None, 0, busy=True)
            self.screen.run_worker(self._search_far(text, term), group="reader-search", exclusive=True,
                                   exit_on_error=False)

    async def _search_far(self, text: str, term: str) -> None:
        spans = await self.screen.tapp.converter.run(functools.partial(find, text, term))
        if term == self.bar.term and text is self.text:  # still what is asked for
            self._apply(spans, term)

    def _apply(self, spans: tuple[tuple[int, int], ...], term: str) -> None:
        self.spans = spans
        self.current = None
        if spans:
            offsets = self.view.folded.offsets
            here = offsets[self.view.top] if self.view.top < len(offsets) else 0
            first = bisect_left(spans, (here, 0))
            self.current = first if first < len(spans) else 0
        self.view.set_matches(spans, self.current)
        self._count()

    def _count(self) -> None:
        self.bar.show_count(self.current, len(self.spans), capped=len(self.spans) >= MAX_MATCHES)

    def step(self, delta: int) -> None:
        """To the next (1) or previous (-1) match, round the ends: from the current one
        while it is in view, else from the top of the view (as ``less`` does: after
        scrolling away, n finds the next match below where the reader is)."""
        if not self.spans:
            self.screen.notify("No match to move to" if self.bar.term else "Nothing searched for: / searches",
                               timeout=2)
            return
        if self.current is not None and self.view.shows(self.spans[self.current][0]):
            target = self.current + delta
        else:
            offsets = self.view.folded.offsets
            here = offsets[self.view.top] if self.view.top < len(offsets) else 0
            below = bisect_left(self.spans, (here, 0))  # the first match at or after the top
            target = below if delta > 0 else below - 1
        self.current = target % len(self.spans)
        self.view.set_matches(self.spans, self.current)
        self._count()
