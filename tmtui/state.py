"""Saved mailboxes: address, sid_token, last known expiry and server, in a 0600 JSON file.

Each mailbox belongs to the server that issued its session (``server``, the
normalised base URL, see :func:`server_key`): a token is only ever sent there.
Entries of a version 1 file have no server; the first server that loads them
claims them (before version 2 they were sent to whichever server ran).
An entry may carry a ``label`` and a ``note`` (the user's words for what the
address is for); they are optional keys, written only when set, so the format
stays version 2: older tmtui versions read such a file and ignore them.

Writes are atomic (temporary file in the same directory, then ``os.replace``),
so a crash never leaves half a file. Several processes share the file (a TUI and
scripts at once): :func:`update` reads, changes and writes it under an advisory
lock (``flock`` on a sibling ``.lock`` file), so no process overwrites what
another one just added. A file that cannot be parsed is set aside
with a warning and tmtui starts empty rather than crashing; a file owned by
another user is not used (with a warning) and is replaced on the next save.

The file is opened once, without following a symbolic link, and checked on the
open descriptor (``fstat``), so it cannot be swapped between the check and the
read. Its directory must be the user's own and writable by nobody else: in a
directory others can write to, a stranger could replace ``sessions.json``
between two loads and hand us their mailboxes (or read ours). Such a directory
is refused with a one-line warning (load) or :class:`StateError` (save, lock).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tmtui import paths
from tmtui.api.secret import Secret
from tmtui.safety import sanitize_line
from tmtui.safety.addresses import is_address

FORMAT_VERSION = 2
DEFAULT_PORTS = {"http": 80, "https": 443}
LABEL_CELLS = 64  # a label is a name in a column of the picker
NOTE_CELLS = 300


@dataclass(frozen=True, slots=True)
class SavedMailbox:
    address: str
    sid_token: Secret | None
    expires_at: datetime | None = None
    server: str = ""  # server_key() of the issuing server; "" in a version 1 file
    label: str = ""  # "github sign-up"; "" when none
    note: str = ""


def clean_label(text: str | None, cells: int = LABEL_CELLS) -> str:
    """A label or note as it is kept: one line, no control or invisible characters, bounded.

    Applied wherever one comes in (the TUI, the commands, the Python API, an
    imported file, the state file itself), so every reader can rely on it.
    """
    return sanitize_line(text, cells) if text else ""


def clean_note(text: str | None) -> str:
    return clean_label(text, NOTE_CELLS)


def server_key(base_url: str) -> str:
    """The server a mailbox belongs to: scheme, host and path prefix, normalised.

    ``HTTPS://Mail.Example:443/tool/`` and ``https://mail.example/tool`` are one
    server; ``http://`` and ``https://`` of one host are two (a token sent in the
    clear is a different trust decision).
    """
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


class StateError(Exception):
    """The state file could not be written; the message is one line."""


def _parse(raw: object) -> list[SavedMailbox]:
    if not isinstance(raw, dict) or not isinstance(raw.get("mailboxes"), list):
        raise ValueError("not a tmtui state file")
    result: list[SavedMailbox] = []
    for item in raw["mailboxes"]:
        if not isinstance(item, dict) or not isinstance(item.get("address"), str):
            raise ValueError("malformed mailbox entry")
        if not is_address(item["address"]):
            continue  # no server issues such an address: never show, copy or send it
        token = item.get("sid_token")
        expires = item.get("expires_at")
        server = item.get("server")
        label, note = item.get("label"), item.get("note")
        result.append(SavedMailbox(
            address=item["address"],
            sid_token=Secret(token) if isinstance(token, str) and token else None,
            expires_at=(datetime.fromtimestamp(expires, tz=UTC)
                        if isinstance(expires, (int, float)) and not isinstance(expires, bool) else None),
            server=server if isinstance(server, str) else "",
            label=clean_label(label) if isinstance(label, str) else "",
            note=clean_note(note) if isinstance(note, str) else "",
        ))
    return result


def _entry(mailbox: SavedMailbox) -> dict[str, object]:
    entry: dict[str, object] = {
        "address": mailbox.address,
        "sid_token": mailbox.sid_token.reveal() if mailbox.sid_token else None,
        "expires_at": mailbox.expires_at.timestamp() if mailbox.expires_at else None,
        "server": mailbox.server or None,
    }
    if mailbox.label:
        entry["label"] = mailbox.label
    if mailbox.note:
        entry["note"] = mailbox.note
    return entry


class _Refused(Exception):
    """The state file or its directory must not be used; the message is one line."""


def _foreign_owner(info: os.stat_result) -> int | None:
    """The owner's uid when it is not the current user (POSIX only), else None."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return None
    return info.st_uid if info.st_uid != getuid() else None


def unsafe_directory(directory: Path, info: os.stat_result | None = None) -> str | None:
    """Why ``directory`` must not hold tmtui's state or config (one line), or None.

    Another user's directory, or one that others can write to (world-writable,
    or group-writable for a group that is not the user's own), is refused.
    """
    if getattr(os, "getuid", None) is None:
        return None  # not POSIX: the user's profile directory is theirs
    try:
        info = info or os.stat(directory)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot check {directory}: {exc.strerror or exc}"
    owner = _foreign_owner(info)
    if owner is not None:
        return f"{directory} belongs to another user (uid {owner}); not using it"
    mode = stat.S_IMODE(info.st_mode)
    if mode & stat.S_IWOTH or (mode & stat.S_IWGRP and info.st_gid != os.getgid()):
        return f"{directory} can be written by other users (mode {mode:o}); not using it"
    return None


def _read_private(path: Path) -> str:
    """The text of ``path``, opened once: the directory is checked on its own
    descriptor, the file is never a symlink and is checked with ``fstat``.

    Raises FileNotFoundError, :class:`_Refused` (one-line reason) or OSError.
    """
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not hasattr(os, "O_DIRECTORY"):  # not POSIX: no descriptor-relative opens
        return path.read_text(encoding="utf-8")
    directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        problem = unsafe_directory(path.parent, os.fstat(directory))
        if problem:
            raise _Refused(f"Saved mailboxes: the directory {problem}")
        fd = os.open(path.name, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0), dir_fd=directory)
    finally:
        os.close(directory)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _Refused(f"Saved mailboxes file {path} is not a regular file; not using it")
        owner = _foreign_owner(info)
        if owner is not None:
            # Someone else's sessions (planted in a shared directory, or left by sudo):
            # using them would hand our mail to that account. Start clean instead.
            raise _Refused(f"Saved mailboxes file {path} belongs to another user (uid {owner}); not using it")
        return handle.read().decode("utf-8")


def _check_directory(directory: Path, what: str) -> None:
    problem = unsafe_directory(directory)
    if problem:
        raise StateError(f"Cannot {what}: the directory {problem}")


def load(path: Path | None = None) -> tuple[list[SavedMailbox], str | None]:
    """Return the saved mailboxes and, if the file was unusable, a one-line warning."""
    path = path or paths.state_file()
    try:
        text = _read_private(path)
    except FileNotFoundError:
        return [], None
    except _Refused as refused:
        return [], str(refused)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return [], f"Saved mailboxes file {path} is a symbolic link; not using it"
        return [], f"Cannot read saved mailboxes ({path}): {exc.__class__.__name__}"
    except UnicodeDecodeError as exc:
        return [], f"Cannot read saved mailboxes ({path}): {exc.__class__.__name__}"
    if not text.strip():
        return [], None
    try:
        return _parse(json.loads(text)), None
    except (ValueError, TypeError):
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            os.replace(path, aside)
        except OSError:
            return [], f"Saved mailboxes file {path} is corrupt and could not be moved aside"
        return [], f"Saved mailboxes file was corrupt; moved aside to {aside}"


def save(mailboxes: list[SavedMailbox], path: Path | None = None) -> None:
    """Write atomically with mode 0600 in a 0700 directory."""
    payload = {"version": FORMAT_VERSION, "mailboxes": [_entry(m) for m in mailboxes]}
    write_private_json(path or paths.state_file(), payload)


@contextmanager
def locked(path: Path | None = None) -> Iterator[None]:
    """Hold the state file's advisory lock (blocking); a no-op where flock is missing.

    The lock lives in a separate file because the state file itself is replaced
    on every write, and a lock on a replaced inode protects nothing.
    """
    path = path or paths.state_file()
    try:
        import fcntl
    except ImportError:  # not POSIX: one process at a time is the user's affair
        yield
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _check_directory(path.parent, f"lock {path}")
        fd = os.open(path.with_name(f"{path.name}.lock"),
                     os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise StateError(f"Cannot lock {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


Change = Callable[[list[SavedMailbox]], list[SavedMailbox]]


def update(change: Change, path: Path | None = None) -> tuple[list[SavedMailbox], str | None]:
    """Read, change and write the saved mailboxes under the lock; returns what was written.

    The second value is a warning when the file on disk was unusable (it then
    starts from an empty list, as :func:`load` does).
    """
    path = path or paths.state_file()
    with locked(path):
        current, warning = load(path)
        result = change(list(current))
        if result != current:
            save(result, path)
        return result, warning


def write_private_json(path: Path, payload: object) -> None:
    """Atomically replace ``path`` (0600, in a 0700 directory); StateError on failure."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _check_directory(path.parent, f"save {path}")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StateError(f"Cannot save {path}: {exc.strerror or exc}") from None


def load_preferences(path: Path | None = None) -> dict[str, str]:
    """Choices made in the UI (the theme); unreadable or odd content counts as none."""
    path = path or paths.state_dir() / "preferences.json"
    try:
        raw = json.loads(_read_private(path))
    except (OSError, ValueError, UnicodeDecodeError, _Refused):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}


def save_preferences(preferences: dict[str, str], path: Path | None = None) -> None:
    write_private_json(path or paths.state_dir() / "preferences.json", preferences)
