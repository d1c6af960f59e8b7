"""Messages the UI passes around. Bursty store changes merge with ``can_replace``."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tmtui.store import Change


@dataclass
class StoreChanged(Message):
    """The session store moved; screens re-read what they show.

    A burst of SSE-driven changes for one mailbox collapses into one message:
    screens diff the store themselves, so an older pending change adds nothing.
    """

    change: Change

    def can_replace(self, message: Message) -> bool:
        return (isinstance(message, StoreChanged)
                and message.change.kind == self.change.kind
                and message.change.address == self.change.address)
