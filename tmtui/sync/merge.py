"""Three-way merge of this process's mailboxes with the state file on disk.

Another process (``tmtui new`` in a shell, a second TUI) may have added,
removed or re-tokened mailboxes since this one last read the file. ``base`` is
the set of addresses the file held when this process last read or wrote it,
which tells "removed elsewhere" apart from "added here", and "added elsewhere"
apart from "forgotten here". Tokens, labels and notes are taken from the side
that changed them since then (``retokened`` / ``relabeled`` name what changed
here). Pure functions: the persistence layer does the I/O.
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
    relabeled_elsewhere: list[SavedMailbox] = field(default_factory=list)

    @property
    def external(self) -> bool:
        """Whether another process changed anything this one must show."""
        return bool(self.added_elsewhere or self.removed_elsewhere or self.retokened_elsewhere
                    or self.relabeled_elsewhere)


def _later(a: SavedMailbox, b: SavedMailbox) -> SavedMailbox:
    """Same token on both sides: keep the later expiry."""
    if b.expires_at is not None and (a.expires_at is None or b.expires_at > a.expires_at):
        return replace(a, expires_at=b.expires_at)
    return a


def _token(own: SavedMailbox, entry: SavedMailbox, *, retokened: bool) -> tuple[SavedMailbox, bool]:
    """Whose session to keep, and whether it is the file's new one."""
    if own.sid_token == entry.sid_token:
        return _later(own, entry), False
    if retokened or entry.sid_token is None:
        return own, False
    return entry, True


def _label(chosen: SavedMailbox, own: SavedMailbox, entry: SavedMailbox, *, relabeled: bool) -> SavedMailbox:
    """Our label and note when we changed them since the base, else the file's (maybe changed elsewhere)."""
    source = own if relabeled else entry
    if (chosen.label, chosen.note) == (source.label, source.note):
        return chosen
    return replace(chosen, label=source.label, note=source.note)


def merge(*, base: set[str], disk: list[SavedMailbox], ours: list[SavedMailbox],
          forgotten: set[str], retokened: set[str], relabeled: frozenset[str] | set[str] = frozenset()) -> Merge:
    """Combine ``ours`` (this process) with ``disk``; addresses are compared lower-cased.

    - forgotten here: dropped, whatever the file says;
    - on disk but not here: added elsewhere (or kept, if this process never knew it);
    - here but not on disk: added here when it was not in ``base``, else removed
      elsewhere (and dropped here too);
    - on both sides with different tokens: ours wins when this process got a new
      token since ``base`` (``retokened``), else the file's (another process
      reopened the mailbox, and our token is probably dead);
    - label and note: ours when this process changed them since ``base``
      (``relabeled``), else the file's (changed elsewhere, or as we have them).
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
            continue
        chosen, theirs = _token(own, entry, retokened=key in retokened)
        chosen = _label(chosen, own, entry, relabeled=key in relabeled)
        result.saved.append(chosen)
        if theirs:
            result.retokened_elsewhere.append(chosen)
        if (chosen.label, chosen.note) != (own.label, own.note):
            result.relabeled_elsewhere.append(chosen)
    for key, own in mine.items():
        if key in seen or key in forgotten:
            continue
        if key in base:
            result.removed_elsewhere.append(key)
        else:
            result.saved.append(own)
    return result


@dataclass(slots=True)
class Imported:
    """The file after an import, and how many of the imported entries changed it."""

    saved: list[SavedMailbox]
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _newer_session(entry: SavedMailbox, current: SavedMailbox) -> bool:
    """Whether the imported session should replace the saved one: a token where there was
    none, or a different one that was valid later (each use renews a session)."""
    if entry.sid_token is None or entry.sid_token == current.sid_token:
        return False
    if current.sid_token is None:
        return True
    return entry.expires_at is not None and (current.expires_at is None or entry.expires_at > current.expires_at)


def _imported(current: SavedMailbox, entry: SavedMailbox) -> SavedMailbox:
    """``current`` with what ``entry`` adds: a label or note that is set, a newer session."""
    result = current
    if entry.label and entry.label != result.label:
        result = replace(result, label=entry.label)
    if entry.note and entry.note != result.note:
        result = replace(result, note=entry.note)
    if _newer_session(entry, result):
        result = replace(result, sid_token=entry.sid_token, expires_at=entry.expires_at)
    elif entry.sid_token is not None and entry.sid_token == result.sid_token:
        result = _later(result, entry)
    return result


def merge_import(disk: list[SavedMailbox], incoming: list[SavedMailbox], *, server: str) -> Imported:
    """Add ``incoming`` (an exported registry) to ``disk``; every entry names its server.

    An import adds and never takes away: a mailbox not saved yet is appended;
    one saved already gets the imported label and note when they are set, and
    the imported session when it is newer (see :func:`_newer_session`). Entries
    of a version 1 file (no server) count as ``server``'s, as the keeper claims them.
    """
    def key(m: SavedMailbox) -> tuple[str, str]:
        return m.server or server, m.address.lower()

    saved = list(disk)
    where = {key(m): i for i, m in enumerate(saved)}
    result = Imported(saved)
    for entry in incoming:
        index = where.get(key(entry))
        if index is None:
            where[key(entry)] = len(saved)
            saved.append(entry)
            result.added += 1
            continue
        merged = _imported(saved[index], entry)
        if merged == saved[index]:
            result.unchanged += 1
        else:
            saved[index] = merged
            result.updated += 1
    return result
