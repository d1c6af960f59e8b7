"""``tmtui wait``: the first new matching mail, without a race against its arrival.

What counts as new, and how the mailbox is kept current (stream, polling,
recovery), is the client core's (:mod:`tmtui.sync.arrivals`), shared with the
Python API: the baseline is taken once the watcher reports the mailbox
``live`` or ``polling``, and unread mail the server stored at or after the
start of ``wait`` (minus ``--since`` seconds, default 2) counts as new too.
``wait`` fetches every mail it reports, which marks it read on the server, so
the next ``wait`` does not report it again.

Among new mail, oldest first, the first one whose sender and subject match
``--from`` / ``--from-name`` / ``--subject`` wins. ``--from`` matches the
sender's *address* only: a display name is the sender's to write
(``"noreply@github.com" <attacker@evil.test>``), so it is matched only when
asked for with ``--from-name``. The service's own welcome mail (subject ending
in "TempMail MMO") never matches unless one of them is given. With ``--otp`` /
``--link`` a match without a code / link is reported on stderr and skipped,
and so is a code that the parts of the mail disagree on
(:mod:`tmtui.extract.pick`).

The mailbox is kept current by the client core's watcher, exactly as in the
TUI (:mod:`tmtui.sync.watcher`): a refused stream (429 / 503) polls at once; a
dropped stream is retried after the server's ``retry`` hint with jittered
backoff, and after three failures in a row polling (15-30 s, from the config)
takes over, trying the stream again each round. ``session_lost`` or a 401
reopens the mailbox; exit 4 when it was taken over elsewhere or is gone. The
baseline is taken when the watcher first reports the mailbox ``live`` (its
stream's ``state`` event came) or ``polling``.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from dataclasses import dataclass

from tmtui.api.models import Message, MessageSummary
from tmtui.extract import best_link, mail_code
from tmtui.headless import (
    EXIT_NOT_FOUND,
    EXIT_NOTHING_FOUND,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    schema,
)
from tmtui.headless.commands import render
from tmtui.headless.output import is_tty, message_line, say
from tmtui.headless.session import Context, HeadlessError, about, warn
from tmtui.safety import sanitize_line
from tmtui.sync.arrivals import Arrivals, MailboxLost, MailFilter


@dataclass(frozen=True, slots=True)
class Criteria:
    mail: MailFilter
    form: str | None  # "otp" | "link" | "json" | None (an inbox line)
    sender_name: re.Pattern[str] | None = None  # matched against the display name


def _regex(option: str, value: str | None) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise HeadlessError(EXIT_USAGE, f"wait: bad {option} regex: {exc}") from None


def criteria(args: argparse.Namespace) -> Criteria:
    return Criteria(MailFilter(_regex("--from", args.sender), _regex("--subject", args.subject),
                               _regex("--from-name", getattr(args, "sender_name", None))), args.form)


class Waiter:
    def __init__(self, ctx: Context, address: str, criteria: Criteria, *, started: float,
                 since: float) -> None:
        self.ctx = ctx
        self.address = address
        self.criteria = criteria
        self.arrivals = Arrivals(ctx.core, address, started=started, since=since)
        self.without = 0  # matching mail that had no code / link

    async def run(self) -> str:
        """The text to print for the first match (cancelled by the caller's timeout)."""
        keeper = asyncio.create_task(self.ctx.core.keeper.run())  # a recovered token is saved at once
        seen: set[str] = set()
        try:
            with self.arrivals:
                while True:
                    summary, mail = await self._next(seen)
                    found = await self._evaluate(summary, mail)
                    if found is not None:
                        return found
        finally:
            keeper.cancel()

    async def _next(self, seen: set[str]) -> tuple[MessageSummary, Message]:
        try:
            with about(self.address):
                return await self.arrivals.next_fetched(seen, self.criteria.mail.matches)
        except MailboxLost as exc:
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {sanitize_line(exc.address)} {exc.what}") from None

    async def _evaluate(self, summary: MessageSummary, mail: Message) -> str | None:
        form = self.criteria.form
        if form is None:
            return message_line(summary, tty=is_tty())
        rendered = await render(mail)
        if form == "json":
            return schema.dumps(schema.message(self.address, mail, rendered, summary.excerpt), pretty=is_tty())
        if form == "otp":
            code = mail_code(mail.subject, summary.excerpt, rendered.text)
            if code is not None and code.uncertain:
                self.without += 1
                warn(f"mail {sanitize_line(summary.id, 40)} shows different codes in its parts "
                     f"({sanitize_line(code.value, 20)}, {sanitize_line(code.other, 20) or 'none'}); "
                     "not printed, still waiting")
                return None
            if code is not None:
                return sanitize_line(code.value, 40)
        else:
            link = best_link(rendered.links, text=rendered.text)
            if link is not None:
                return schema.url(link.url)
        self.without += 1
        what = "code" if form == "otp" else "confirmation link"
        warn(f"mail {sanitize_line(summary.id, 40)} ({sanitize_line(summary.subject, 60)!r}) matched "
             f"but has no {what}; still waiting")
        return None


async def cmd_wait(ctx: Context, args: argparse.Namespace, *, started: float) -> int:
    wanted = criteria(args)
    address = getattr(args, "address", None)
    waiter: Waiter | None = None
    if sys.stderr.isatty():
        limit = f" for up to {args.timeout:g} s" if args.timeout else ""
        print(f"Waiting{limit} for new mail (Ctrl-C stops)…", file=sys.stderr, flush=True)
    scope = asyncio.timeout(args.timeout or None)
    try:
        async with scope:
            mailbox = await ctx.mailbox(address)
            waiter = Waiter(ctx, mailbox, wanted, started=started, since=args.since)
            found = await waiter.run()
    except TimeoutError:
        if not scope.expired():
            raise
        if waiter is not None and waiter.without:
            what = "a code" if wanted.form == "otp" else "a confirmation link"
            warn(f"no matching mail with {what} within {args.timeout:g} s "
                 f"({waiter.without} matching mail without one)")
            return EXIT_NOTHING_FOUND
        warn(f"no matching mail within {args.timeout:g} s")
        return EXIT_TIMEOUT
    say(found)
    return EXIT_OK
