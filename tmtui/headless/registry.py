"""``tmtui export`` and ``tmtui import``: move the saved mailboxes between machines.

The export holds every server's saved mailboxes with their label, note and
expiry; session tokens only with ``--with-tokens``, because a token opens the
mailbox: such a file is written 0600 and the command says it holds secrets.
An import validates the whole file first (nothing is written if one entry is
wrong), then adds it to the state file under its lock, through the core's
persistence, so a running TUI shows the result within a second.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import stat
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tmtui.api.rules import user_problem
from tmtui.api.secret import Secret
from tmtui.headless import EXIT_LOCAL, EXIT_OK, EXIT_USAGE, schema
from tmtui.headless.output import emit_json, is_tty, say
from tmtui.headless.session import Context, HeadlessError, warn
from tmtui.safety import sanitize_line
from tmtui.state import SavedMailbox, StateError, clean_label, clean_note, server_key

MAX_IMPORT_BYTES = 16 * 1024 * 1024  # thousands of mailboxes fit; anything bigger is not an export
SECRETS = ("holds session tokens: anyone who has it can open these mailboxes and read their mail; "
           "keep it private")


# -- export ------------------------------------------------------------------------------

def write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a 0600 file (never a moment readable by others)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _private_stdout() -> bool:
    """``tmtui export --with-tokens > file``: make that file 0600 too, when it is ours."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        fd = sys.stdout.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
            return True
    return False


async def cmd_export(ctx: Context, args: argparse.Namespace) -> int:
    try:
        saved = await ctx.core.keeper.everything()
    except StateError as exc:
        raise HeadlessError(EXIT_LOCAL, str(exc)) from None
    document = schema.export(saved, with_tokens=args.with_tokens, now=datetime.now(UTC))
    if args.output is None:
        if args.with_tokens:
            made_private = _private_stdout()
            warn(f"the export {SECRETS}" + (" (the output file is now 0600)" if made_private else ""))
        emit_json(document)
        return EXIT_OK
    path: Path = args.output.expanduser()
    try:
        write_private(path, schema.dumps(document, pretty=True) + "\n")
    except OSError as exc:
        raise HeadlessError(EXIT_LOCAL, f"cannot write {path}: {exc.strerror or exc}") from None
    if args.with_tokens:
        warn(f"{path} {SECRETS}")
    if is_tty():
        say(f"exported {len(saved)} mailbox{'es' if len(saved) != 1 else ''} to {path}")
    return EXIT_OK


# -- import ------------------------------------------------------------------------------

def _expiry(value: object) -> datetime | None:
    """ISO 8601 (an export) or seconds since the epoch (a ``sessions.json``); None for null."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"expires_at {sanitize_line(value, 40)!r} is not an ISO 8601 time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError("expires_at must be an ISO 8601 time or null")


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string or null")
    return value or ""


def _address(item: dict[str, Any]) -> str:
    address = item.get("address")
    if not isinstance(address, str):
        raise ValueError("address is missing")
    user, at, domain = address.strip().lower().rpartition("@")
    if not at or user_problem(user) or not domain or "." not in domain or any(c.isspace() for c in domain):
        raise ValueError(f"address {sanitize_line(address, 80)!r} is not a mailbox address")
    return f"{user}@{domain}"


def _server(item: dict[str, Any], default: str) -> str:
    server = _text(item, "server")
    if not server:
        return default
    if not server.startswith(("http://", "https://")):
        raise ValueError(f"server {sanitize_line(server, 80)!r} is not an http:// or https:// URL")
    return server_key(server)


def _entry(item: object, default_server: str) -> SavedMailbox:
    if not isinstance(item, dict):
        raise ValueError("not an object")
    token = _text(item, "sid_token")
    return SavedMailbox(address=_address(item), sid_token=Secret(token) if token else None,
                        expires_at=_expiry(item.get("expires_at")), server=_server(item, default_server),
                        label=clean_label(_text(item, "label")), note=clean_note(_text(item, "note")))


def parse_registry(raw: object, default_server: str) -> list[SavedMailbox]:
    """The mailboxes of an export (or a ``sessions.json``); ValueError names the first bad entry.

    An entry without a server belongs to ``default_server`` (the one in use).
    Unknown keys are ignored, so a later tmtui's export still imports.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("mailboxes"), list):
        raise ValueError("not a tmtui export: no \"mailboxes\" list")
    entries = []
    for index, item in enumerate(raw["mailboxes"], start=1):
        try:
            entries.append(_entry(item, default_server))
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            raise ValueError(f"entry {index}: {exc}") from None
    return entries


def _read(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise HeadlessError(EXIT_USAGE, f"import: cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise HeadlessError(EXIT_USAGE, f"import: {path} is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HeadlessError(EXIT_USAGE, f"import: {path} is not JSON: {sanitize_line(str(exc), 120)}") from None


async def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    path: Path = args.file.expanduser()
    try:
        entries = parse_registry(_read(path), ctx.core.keeper.server)
    except ValueError as exc:
        raise HeadlessError(EXIT_USAGE, f"import: {path}: {exc}") from None
    try:
        result = await ctx.core.keeper.import_saved(entries)
    except StateError as exc:
        raise HeadlessError(EXIT_LOCAL, str(exc)) from None
    if args.json:
        emit_json({"added": result.added, "updated": result.updated, "unchanged": result.unchanged})
    else:
        say(f"added {result.added}, updated {result.updated}, unchanged {result.unchanged}")
    return EXIT_OK
