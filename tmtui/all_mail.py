"""One inbox for all: every mailbox's mail in one list, newest first, each row with its mailbox.

The data side of the picker's "All mailboxes" entry. A pure function of the
store's mailboxes: each mailbox keeps its messages newest first already, so
the lists are merged (``heapq.merge``, O(n log k) for k mailboxes), never
re-sorted. Message ids are only unique within a mailbox: a row is named by
``(address, id)``, and that pair is what the core's commands take
(``SyncWorker.fetch(address, id)``, ``delete(address, [id])``, ``download``).

A view built from it goes stale on any store change that
:func:`moves_all_mail`: new or deleted mail, read flags, a mailbox added or
forgotten, a new label.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from tmtui.api.models import MessageSummary
from tmtui.changes import Change
from tmtui.store import Mailbox

__all__ = ["MailRow", "all_mail", "moves_all_mail", "unread_everywhere"]


@dataclass(frozen=True, slots=True)
class MailRow:
    """One message of the combined inbox, with the mailbox it is in."""

    address: str
    label: str  # the mailbox's label, "" when it has none
    message: MessageSummary

    @property
    def key(self) -> tuple[str, str]:
        """Unique across mailboxes (a message id alone is not)."""
        return self.address, self.message.id

    @property
    def mailbox(self) -> str:
        """What the mailbox column shows: the label, else the address (sanitise before display)."""
        return self.label or self.address


def _order(row: MailRow) -> tuple[datetime, int, str]:
    # The store's order within a mailbox (server time, then the numeric id), then
    # the address, so rows of one second from two mailboxes always sort the same way.
    tail = row.message.id.rpartition(":")[2]
    return row.message.timestamp, int(tail) if tail.isdigit() else -1, row.address


def _rows(mailbox: Mailbox) -> Iterator[MailRow]:
    # The store keeps each mailbox's messages newest first (store.newest_first): merge, never sort.
    for message in mailbox.messages:
        yield MailRow(mailbox.address, mailbox.label, message)


def all_mail(mailboxes: Iterable[Mailbox]) -> list[MailRow]:
    """Every message of ``mailboxes`` (e.g. ``store.mailboxes``), newest first."""
    return list(heapq.merge(*(_rows(m) for m in mailboxes), key=_order, reverse=True))


def unread_everywhere(mailboxes: Iterable[Mailbox]) -> int:
    return sum(m.unread for m in mailboxes)


def moves_all_mail(change: Change) -> bool:
    """Whether ``change`` can change what :func:`all_mail` returns."""
    return change.touches("messages", "mailboxes", "label")
