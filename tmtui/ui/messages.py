"""Messages the UI passes around. Bursty store changes merge with ``can_replace``."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tmtui.store import Change, ChangeKind


@dataclass
class StoreChanged(Message, bubble=False):
    """The session store moved: one per store change, the UI's only way to hear of one.

    The App's single store subscription posts it to the App, which lets the
    announcer decide about new mail and forwards a copy to every tmtui screen
    on the stack. It never bubbles (a screen's parent is the App, which would
    forward it again).

    ``change`` says what moved: ``kind`` (and, once merged, more kinds: test
    with ``change.touches(...)``), ``address`` (None: store-wide, e.g. the
    domain catalog), ``added`` (new mail: arrived after the mailbox's first
    listing), ``backfill`` (rows shown for the first time that are not new
    mail), ``removed`` and ``initial`` (the mailbox's first listing).

    While one is still queued, the next one for the same mailbox folds it in
    (``can_replace``): kinds and ids are united, so a burst becomes one
    message and no ``added`` id is ever lost.
    """

    change: Change

    @property
    def kind(self) -> ChangeKind:
        return self.change.kind

    @property
    def address(self) -> str | None:
        return self.change.address

    @property
    def added(self) -> tuple[str, ...]:
        return self.change.added

    @property
    def removed(self) -> tuple[str, ...]:
        return self.change.removed

    def can_replace(self, message: Message) -> bool:
        # Textual asks the queued message whether the next one may take its
        # place; it then drops this one, so hand over what it carries first.
        if not isinstance(message, StoreChanged) or message.change.address != self.change.address:
            return False
        message.change = self.change.merge(message.change)
        return True
