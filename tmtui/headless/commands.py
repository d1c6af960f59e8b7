"""``tmtui inbox``, ``read``, ``save`` and ``rm``: the messages of one mailbox."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from tmtui import maildoc
from tmtui.api.errors import NotFound
from tmtui.api.models import Attachment, Message
from tmtui.extract import mail_code, rank_links
from tmtui.files import Sink, save_atomically
from tmtui.headless import EXIT_LOCAL, EXIT_NOT_FOUND, EXIT_OK, schema
from tmtui.headless.output import attachments_line, emit_json, is_tty, message_line, say
from tmtui.headless.session import Context, HeadlessError, warn
from tmtui.humanize import relative_time
from tmtui.render import Rendered, html_to_text
from tmtui.safety import sanitize_line, sanitize_text, sender_view
from tmtui.safety.addresses import sender_line


def _address(args: argparse.Namespace) -> str | None:
    return getattr(args, "mailbox", None) or getattr(args, "address", None)


async def render(mail: Message) -> Rendered:
    """html2text off the event loop: a big body takes a while."""
    return await asyncio.to_thread(html_to_text, mail.html)


def listed_excerpt(ctx: Context, address: str, message_id: str) -> str:
    """The server's excerpt of a mail when this run has listed it ("" if not): with
    it, the code of the text part and of the HTML part can be compared."""
    mailbox = ctx.core.store.get(address)
    index = mailbox.index_of(message_id) if mailbox is not None else None
    return mailbox.messages[index].excerpt if mailbox is not None and index is not None else ""


async def fetch(ctx: Context, address: str, message_id: str) -> Message:
    try:
        return await ctx.call(address, ctx.core.fetch(address, message_id))
    except NotFound:
        raise HeadlessError(EXIT_NOT_FOUND, f"no message {sanitize_line(message_id, 60)} in "
                                            f"{sanitize_line(address)}") from None


async def cmd_inbox(ctx: Context, args: argparse.Namespace) -> int:
    address = await ctx.mailbox(_address(args))
    messages = await ctx.call(address, ctx.core.messages(address))  # newest first
    if args.json:
        emit_json(schema.inbox(address, messages))
        return EXIT_OK
    tty = is_tty()
    for message in messages:
        say(message_line(message, tty=tty))
    if tty and not messages:
        warn(f"{sanitize_line(address)} has no messages")
    return EXIT_OK


async def cmd_read(ctx: Context, args: argparse.Namespace) -> int:
    address = await ctx.mailbox(_address(args))
    mail = await fetch(ctx, address, args.id)
    form = args.form or "text"
    if form == "html":
        say(sanitize_text(mail.html))
        return EXIT_OK
    rendered = await render(mail)
    if form == "json":
        emit_json(schema.message(address, mail, rendered, listed_excerpt(ctx, address, mail.id)))
        return EXIT_OK
    if form == "markdown":  # the document the reader's `s` saves as .md
        say(maildoc.markdown(maildoc.fields(address, mail, rendered, listed_excerpt(ctx, address, mail.id)),
                             rendered).rstrip("\n"))
        return EXIT_OK
    when = schema.iso(mail.timestamp) or ""
    if is_tty() and mail.timestamp is not None:
        when += f" ({relative_time(mail.timestamp, datetime.now(UTC))})"
    sender = sender_view(mail.sender)
    say(f"From: {sender_line(mail.sender, 500, full=True)}"
        + (f"  ({sanitize_line(sender.warning, 200)})" if sender.flagged else ""))
    say(f"Subject: {sanitize_line(mail.subject, 500)}")
    say(f"Date: {when}")
    if mail.attachments:
        say(f"Attachments: {attachments_line(mail.attachments)}")
    code = mail_code(mail.subject, listed_excerpt(ctx, address, mail.id), rendered.text)
    if code is not None:
        doubt = f" (uncertain: another part shows {sanitize_line(code.other, 20) or 'no code'})" \
            if code.uncertain else ""
        say(f"Code: {sanitize_line(code.value, 40)}{doubt}")
    ranked = rank_links(rendered.links, text=rendered.text)
    if ranked and ranked[0].kind == "action":
        say(f"Link: {schema.url(ranked[0].url)}")
    say()
    say(rendered.text)  # html_to_text output is sanitised
    return EXIT_OK


def _downloader(ctx: Context, address: str, mail_id: str,
                attachment: Attachment) -> Callable[[Sink], Awaitable[int]]:
    async def write(sink: Sink) -> int:
        return await ctx.call(address, ctx.core.download(
            address, mail_id, attachment.name, sink, expected_size=attachment.size))

    return write


async def cmd_save(ctx: Context, args: argparse.Namespace) -> int:
    address = await ctx.mailbox(_address(args))
    mail = await fetch(ctx, address, args.id)
    directory: Path = args.dir or ctx.config.downloads
    if not mail.attachments:
        warn(f"message {sanitize_line(args.id, 60)} has no attachments")
        return EXIT_OK
    for attachment in mail.attachments:
        try:
            path = await save_atomically(directory, attachment.name,
                                         _downloader(ctx, address, mail.id, attachment))
        except OSError as exc:
            raise HeadlessError(EXIT_LOCAL, f"cannot save {sanitize_line(attachment.name, 120)} in "
                                            f"{directory}: {exc.strerror or exc}") from None
        say(str(path.absolute()))  # one absolute path a line; the name never starts with "-"
    return EXIT_OK


async def cmd_rm(ctx: Context, args: argparse.Namespace) -> int:
    """Delete the ids that exist; exit 4 naming those that do not (the others are still gone)."""
    address = await ctx.mailbox(_address(args))
    ids = list(dict.fromkeys(args.ids))
    listed = {m.id for m in await ctx.call(address, ctx.core.messages(address))}
    present = [i for i in ids if i in listed]
    missing = [i for i in ids if i not in listed]
    deleted = await ctx.call(address, ctx.core.delete(address, present)) if present else 0
    if present or not missing:
        say(f"deleted {deleted}")
    if missing:
        shown = ", ".join(sanitize_line(i, 60) for i in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise HeadlessError(EXIT_NOT_FOUND, f"no message {shown}{more} in {sanitize_line(address)}")
    return EXIT_OK
