"""Three-way merge of this process's mailboxes with the state file on disk.

Another process (``tmtui new`` in a shell, a second TUI) may have added,
removed or re-tokened mailboxes since this one last read the file. ``base`` is
the set of addresses the file held when this process last read or wrote it,
which tells "removed elsewhere" apart from "added here", and "added elsewhere"
apart from "forgotten here". Pure functions: the persistence layer does the I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tmtui.state import SavedMailbox


@dataclass(slots=True)
class Merge:
    """The file to write, and what the store must learn from the other processes."""

    saved: list[SavedMailbox]
    added_elsewhere: list[SavedMailbox] = field(default_factory=list)
    removed_elsewhere: list[str] = field(default_factory=list)
    retokened_elsewhere: list[SavedMailbox] = field(default_factory=list)


def _later(a: SavedMailbox, b: SavedMailbox) -> SavedMailbox:
    """Same token on both sides: keep the later expiry."""
    if b.expires_at is not None and (a.expires_at is None or b.expires_at > a.expires_at):
        return replace(a, expires_at=b.expires_at)
    return a


def merge(*, base: set[str], disk: list[SavedMailbox], ours: list[SavedMailbox],
          forgotten: set[str], retokened: set[str]) -> Merge:
    """Combine ``ours`` (this process) with ``disk``; addresses are compared lower-cased.

    - forgotten here: dropped, whatever the file says;
    - on disk but not here: added elsewhere (or kept, if this process never knew it);
    - here but not on disk: added here when it was not in ``base``, else removed
      elsewhere (and dropped here too);
    - on both sides with different tokens: ours wins when this process got a new
      token since ``base`` (``retokened``), else the file's (another process
      reopened the mailbox, and our token is probably dead).
    Order: the file's order, then mailboxes added here, so "the last one saved"
    stays the most recently created.
    """
    mine = {m.address.lower(): m for m in ours}
    result = Merge(saved=[])
    seen: set[str] = set()
    for entry in disk:
        key = entry.address.lower()
        if key in forgotten or key in seen:
            continue
        seen.add(key)
        own = mine.get(key)
        if own is None:
            result.saved.append(entry)
            result.added_elsewhere.append(entry)
        elif own.sid_token == entry.sid_token:
            result.saved.append(_later(own, entry))
        elif key in retokened or entry.sid_token is None:
            result.saved.append(own)
        else:
            result.saved.append(entry)
            result.retokened_elsewhere.append(entry)
    for key, own in mine.items():
        if key in seen or key in forgotten:
            continue
        if key in base:
            result.removed_elsewhere.append(key)
        else:
            result.saved.append(own)
    return result
