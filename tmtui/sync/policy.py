"""Which mailboxes hold an event stream, and which one the user is looking at.

Watchers ask this small object instead of their owner, so a watcher knows
nothing of the worker that started it.
"""

from __future__ import annotations

from collections.abc import Callable


class StreamPolicy:
    def __init__(self, order: Callable[[], list[str]], *, sse: bool, max_streams: int) -> None:
        self._order = order  # known mailboxes, oldest first
        self._sse = sse
        self._max_streams = max_streams
        self.focused: str | None = None
        self.everything = False
        """The UI shows every mailbox at once (All mailboxes): none is polled slowly."""

    def focus(self, address: str | None) -> None:
        self.focused = address.lower() if address else None
        self.everything = False

    def focus_all(self) -> None:
        """Every mailbox is on screen: the streams go to the oldest, the rest poll at the fast rate."""
        self.focused = None
        self.everything = True

    def is_focused(self, address: str) -> bool:
        return self.everything or self.focused == address

    def may_stream(self, address: str) -> bool:
        """The focused mailbox streams first, then the oldest, up to ``max_streams`` in all."""
        if not self._sse or self._max_streams <= 0:
            return False
        order = self._order()
        if self.focused in order:
            order.remove(self.focused)
            order.insert(0, self.focused)
        return address in order[: self._max_streams]
