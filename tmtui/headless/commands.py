"""``tmtui new``, ``ls``, ``inbox``, ``read``, ``save`` and ``rm``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path

from tmtui.api.errors import AddressInUse, NotFound
from tmtui.api.models import Attachment, Message, MessageSummary
from tmtui.extract import find_code, rank_links
from tmtui.files import Sink, save_atomically
from tmtui.headless import EXIT_LOCAL, EXIT_NOT_FOUND, EXIT_OK, schema
from tmtui.headless.output import attachments_line, emit_json, is_tty, message_line, say
from tmtui.headless.session import Box, Context, HeadlessError, warn
from tmtui.humanize import relative_time
from tmtui.render import Rendered, html_to_text
from tmtui.safety import sanitize_line, sanitize_text


def _address(args: argparse.Namespace) -> str | None:
    return getattr(args, "mailbox", None) or getattr(args, "address", None)


def _arrival(message: MessageSummary) -> tuple[datetime, int]:
    tail = message.id.rpartition(":")[2]
    return message.timestamp, int(tail) if tail.isdigit() else -1


def oldest_first(messages: list[MessageSummary], *, reverse: bool = False) -> list[MessageSummary]:
    """In order of arrival: server time, then the numeric id (ids grow)."""
    return sorted(messages, key=_arrival, reverse=reverse)


async def render(mail: Message) -> Rendered:
    """html2text off the event loop: a big body takes a while."""
    return await asyncio.to_thread(html_to_text, mail.html)


async def fetch(ctx: Context, box: Box, message_id: str) -> Message:
    try:
        return await ctx.call(box, lambda sid: ctx.client.fetch_email(sid, message_id))
    except NotFound:
        raise HeadlessError(EXIT_NOT_FOUND, f"no message {sanitize_line(message_id, 60)} in "
                                            f"{sanitize_line(box.address)}") from None


async def cmd_new(ctx: Context, args: argparse.Namespace) -> int:
    client, lang = ctx.client, ctx.config.lang
    session = await client.get_email_address(domain=args.domain, lang=lang)
    if args.name:
        try:
            session = await client.set_email_user(session.sid_token, args.name, domain=args.domain,
                                                  lang=lang)
        except AddressInUse:
            wanted = f"{args.name}@{args.domain}" if args.domain else args.name
            raise HeadlessError(EXIT_NOT_FOUND, f"{sanitize_line(wanted)} is in use by another "
                                                "session") from None
    ctx.adopt(session, make_default=True)
    if args.json:
        emit_json(schema.new_mailbox(session))
    else:
        say(sanitize_line(session.address))
    return EXIT_OK


async def cmd_ls(ctx: Context, args: argparse.Namespace) -> int:
    saved = ctx.saved()
    if args.json:
        emit_json(schema.mailboxes(saved))
        return EXIT_OK
    tty = is_tty()
    now = datetime.now(timezone.utc)
    for index, mailbox in enumerate(saved):
        address = sanitize_line(mailbox.address)
        if not tty:
            say(address)
            continue
        default = "*" if index == len(saved) - 1 else " "
        if mailbox.expires_at is None:
            expiry = ""
        elif mailbox.expires_at <= now:
            expiry = "session expired (reopened on next use)"
        else:
            expiry = f"session until {mailbox.expires_at.astimezone().strftime('%Y-%m-%d %H:%M')}"
        say(f"{default} {address:<40} {expiry}".rstrip())
    if tty and not saved:
        warn("no saved mailbox: create one with `tmtui new`")
    return EXIT_OK


async def cmd_inbox(ctx: Context, args: argparse.Namespace) -> int:
    box = await ctx.mailbox(_address(args))
    messages = oldest_first(await ctx.call(box, ctx.client.get_all_messages), reverse=True)
    if args.json:
        emit_json(schema.inbox(box.address, messages))
        return EXIT_OK
    tty = is_tty()
    for message in messages:
        say(message_line(message, tty=tty))
    if tty and not messages:
        warn(f"{sanitize_line(box.address)} has no messages")
    return EXIT_OK


async def cmd_read(ctx: Context, args: argparse.Namespace) -> int:
    box = await ctx.mailbox(_address(args))
    mail = await fetch(ctx, box, args.id)
    form = args.form or "text"
    if form == "html":
        say(sanitize_text(mail.html))
        return EXIT_OK
    rendered = await render(mail)
    if form == "json":
        emit_json(schema.message(box.address, mail, rendered))
        return EXIT_OK
    when = schema.iso(mail.timestamp) or ""
    if is_tty() and mail.timestamp is not None:
        when += f" ({relative_time(mail.timestamp, datetime.now(timezone.utc))})"
    say(f"From: {sanitize_line(mail.sender, 500)}")
    say(f"Subject: {sanitize_line(mail.subject, 500)}")
    say(f"Date: {when}")
    if mail.attachments:
        say(f"Attachments: {attachments_line(mail.attachments)}")
    code = find_code(mail.subject, rendered.text)
    if code is not None:
        say(f"Code: {sanitize_line(code.value, 40)}")
    ranked = rank_links(rendered.links, text=rendered.text)
    if ranked and ranked[0].kind == "action":
        say(f"Link: {schema.url(ranked[0].url)}")
    say()
    say(rendered.text)  # html_to_text output is sanitised
    return EXIT_OK


def _downloader(ctx: Context, box: Box, mail_id: str,
                attachment: Attachment) -> Callable[[Sink], Awaitable[int]]:
    async def write(sink: Sink) -> int:
        return await ctx.call(box, lambda sid: ctx.client.download_attachment(
            sid, mail_id, attachment.name, sink, expected_size=attachment.size))

    return write


async def cmd_save(ctx: Context, args: argparse.Namespace) -> int:
    box = await ctx.mailbox(_address(args))
    mail = await fetch(ctx, box, args.id)
    directory: Path = args.dir or ctx.config.downloads
    if not mail.attachments:
        warn(f"message {sanitize_line(args.id, 60)} has no attachments")
        return EXIT_OK
    for attachment in mail.attachments:
        try:
            path = await save_atomically(directory, attachment.name,
                                         _downloader(ctx, box, mail.id, attachment))
        except OSError as exc:
            raise HeadlessError(EXIT_LOCAL, f"cannot save {sanitize_line(attachment.name, 120)} in "
                                            f"{directory}: {exc.strerror or exc}") from None
        say(str(path))
    return EXIT_OK


async def cmd_rm(ctx: Context, args: argparse.Namespace) -> int:
    box = await ctx.mailbox(_address(args))
    ids = list(dict.fromkeys(args.ids))
    deleted = await ctx.call(box, lambda sid: ctx.client.delete_emails(sid, ids))
    if deleted == 0:
        raise HeadlessError(EXIT_NOT_FOUND, f"no such message in {sanitize_line(box.address)}")
    say(f"deleted {deleted}")
    return EXIT_OK
