"""``tmtui new``, ``ls``, ``open``, ``forget`` and ``label``: every picker action has a command."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from rich.cells import cell_len

from tmtui.api.errors import AddressInUse
from tmtui.api.rules import domain_problem, user_problem
from tmtui.headless import EXIT_LOCAL, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, schema
from tmtui.headless.output import emit_json, is_tty, say
from tmtui.headless.session import Context, HeadlessError, about, warn
from tmtui.safety import sanitize_line
from tmtui.state import SavedMailbox


def _saved_or_fail(ctx: Context) -> None:
    """A mailbox that cannot be saved is lost when the command ends: say so, exit 6."""
    error = ctx.core.keeper.last_error
    if error is not None:
        raise HeadlessError(EXIT_LOCAL, str(error))


async def _check_domain(ctx: Context, domain: str | None) -> None:
    """The server would silently use its default domain for an unknown one: refuse first."""
    if domain is None:
        return
    catalog = await ctx.core.catalog()
    problem = domain_problem(domain, catalog.domains)
    if problem:
        raise HeadlessError(EXIT_USAGE, f"new: {sanitize_line(problem, 500)}")


async def cmd_new(ctx: Context, args: argparse.Namespace) -> int:
    core = ctx.core
    if args.name is not None and (problem := user_problem(args.name)):
        raise HeadlessError(EXIT_USAGE, f"new: {sanitize_line(problem, 200)}")
    await _check_domain(ctx, args.domain)
    if args.name is not None:
        try:
            address = await core.create_custom(args.name, args.domain, label=args.label, note=args.note)
        except AddressInUse:
            wanted = f"{args.name}@{args.domain}" if args.domain else args.name
            raise HeadlessError(EXIT_NOT_FOUND, f"{sanitize_line(wanted)} is in use by another "
                                                "session") from None
    else:  # --private / --no-private, else the private_addresses setting
        address = await core.create(args.domain, label=args.label, note=args.note, private=args.private)
    _saved_or_fail(ctx)
    _print_mailbox(ctx, address, args.json)
    return EXIT_OK


def _print_mailbox(ctx: Context, address: str, as_json: bool) -> None:
    if as_json:
        mailbox = ctx.core.store.get(address)
        if mailbox is None:
            emit_json(schema.new_mailbox(address, None))
        else:
            emit_json(schema.new_mailbox(address, mailbox.expires_at, mailbox.label, mailbox.note))
    else:
        say(sanitize_line(address))


async def cmd_label(ctx: Context, args: argparse.Namespace) -> int:
    """Give a saved mailbox a label ("" clears it) and, with ``--note``, a note."""
    address = args.target.strip().lower()
    if address not in ctx.core.store:
        raise HeadlessError(EXIT_NOT_FOUND, f"no saved mailbox {sanitize_line(address)}")
    await ctx.core.label(address, args.text, note=args.note)
    _saved_or_fail(ctx)
    if is_tty():
        mailbox = ctx.core.store.get(address)
        label = mailbox.label if mailbox else ""
        say(f"{sanitize_line(address)}: {label}" if label else f"{sanitize_line(address)}: no label")
    return EXIT_OK


async def cmd_open(ctx: Context, args: argparse.Namespace) -> int:
    """Open (or take back, with ``--takeover``) an existing address and save it."""
    address = args.target.strip().lower()
    with about(address):
        try:
            address = await ctx.core.reopen(address, takeover=args.takeover)
        except AddressInUse:
            raise HeadlessError(EXIT_NOT_FOUND, f"{sanitize_line(address)} is in use by another "
                                                "session; --takeover takes it back") from None
    _saved_or_fail(ctx)
    _print_mailbox(ctx, address, args.json)
    return EXIT_OK


async def cmd_forget(ctx: Context, args: argparse.Namespace) -> int:
    """Forget a saved mailbox on this computer (the server keeps it until it expires)."""
    address = args.target.strip().lower()
    if address not in ctx.core.store:
        raise HeadlessError(EXIT_NOT_FOUND, f"no saved mailbox {sanitize_line(address)}")
    ctx.core.forget(address)
    await ctx.core.keeper.flush()
    _saved_or_fail(ctx)
    if is_tty():
        say(f"forgot {sanitize_line(address)}")
    return EXIT_OK


LABEL_COLUMN = 24  # cells of the label column on a terminal


def _ls_line(mailbox: SavedMailbox, *, default: bool, tty: bool, now: datetime, label_width: int = 0) -> str:
    address = sanitize_line(mailbox.address)
    server = sanitize_line(mailbox.server, 200)
    if not tty:  # tab-separated: address, expires, default, server, label (added last: columns stay put)
        return "\t".join((address, schema.iso(mailbox.expires_at) or "", "*" if default else "", server,
                          sanitize_line(mailbox.label, 1000) if mailbox.label else ""))
    if mailbox.expires_at is None:
        expiry = ""
    elif mailbox.expires_at <= now:
        expiry = "session expired (reopened on next use)"
    else:
        expiry = f"session until {mailbox.expires_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
    label = ""
    if label_width:
        text = sanitize_line(mailbox.label, label_width) if mailbox.label else ""
        label = text + " " * (label_width - cell_len(text) + 1)
    return f"{'*' if default else ' '} {address:<40} {label}{expiry:<40} {server}".rstrip()


async def cmd_ls(ctx: Context, args: argparse.Namespace) -> int:
    saved = ctx.saved()
    if args.json:
        emit_json(schema.mailboxes(saved))
        return EXIT_OK
    tty = is_tty()
    now = datetime.now(UTC)
    labels = [cell_len(sanitize_line(m.label, LABEL_COLUMN)) for m in saved if m.label]
    width = max(labels, default=0)
    for index, mailbox in enumerate(saved):
        say(_ls_line(mailbox, default=index == len(saved) - 1, tty=tty, now=now, label_width=width))
    if tty and not saved:
        warn("no saved mailbox: create one with `tmtui new`")
    if tty and ctx.core.keeper.elsewhere:
        warn(f"{ctx.core.keeper.elsewhere} more saved for other servers (--server URL shows them)")
    return EXIT_OK
