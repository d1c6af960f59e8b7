"""``tmtui wait``: the first new matching mail, without a race against its arrival.

Order of work: (1) the mailbox is listed and its event stream opened; (2) when
the stream's ``state`` event comes, the ids listed so far are the baseline;
(3) every listing after a ``changed`` event is checked. Because the stream is
open before the baseline is taken, a mail stored after the listing always
brings a ``changed`` event. A mail stored between ``wait`` starting and the
listing is in the baseline, so "new" also covers *unread* mail whose server
timestamp is at or after the start of ``wait`` (to the second), minus
``--since`` seconds (default 2). The start is converted to the server's clock
with the ``state`` event's ``ts``, so a skewed local clock does not matter while
streaming; when only polling is possible the local clock is used. ``wait``
fetches every mail it reports, which marks it read on the server, so the next
``wait`` does not report it again.

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
from datetime import UTC, datetime, timedelta

from tmtui.api.errors import NotFound
from tmtui.api.models import MessageSummary
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
from tmtui.headless.session import Context, HeadlessError, warn
from tmtui.safety import sanitize_line, sender_view
from tmtui.store import Change, Mailbox, newest_first

WELCOME_SUFFIX = "tempmail mmo"


@dataclass(frozen=True, slots=True)
class Criteria:
    sender: re.Pattern[str] | None  # matched against the sender's address only
    subject: re.Pattern[str] | None
    form: str | None  # "otp" | "link" | "json" | None (an inbox line)
    sender_name: re.Pattern[str] | None = None  # matched against the display name

    def matches(self, message: MessageSummary) -> bool:
        if self.sender is None and self.subject is None and self.sender_name is None:
            return not message.subject.strip().lower().endswith(WELCOME_SUFFIX)
        view = sender_view(message.sender)
        return ((self.sender is None or (bool(view.address) and self.sender.search(view.address) is not None))
                and (self.sender_name is None or self.sender_name.search(view.name) is not None)
                and (self.subject is None or self.subject.search(message.subject) is not None))


def _regex(option: str, value: str | None) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise HeadlessError(EXIT_USAGE, f"wait: bad {option} regex: {exc}") from None


def criteria(args: argparse.Namespace) -> Criteria:
    return Criteria(_regex("--from", args.sender), _regex("--subject", args.subject), args.form,
                    _regex("--from-name", getattr(args, "sender_name", None)))


class Waiter:
    def __init__(self, ctx: Context, address: str, criteria: Criteria, *, started: float,
                 since: float) -> None:
        self.ctx = ctx
        self.address = address
        self.criteria = criteria
        self.started = started  # time.time() when the command started
        self.since = since
        self.baseline: set[str] | None = None
        self.cutoff: datetime | None = None
        self.examined: set[str] = set()
        self.without = 0  # matching mail that had no code / link

    async def run(self) -> str:
        """The text to print for the first match (cancelled by the caller's timeout)."""
        core = self.ctx.core
        core.focus(self.address)
        watcher = core.watch(self.address)
        changed = asyncio.Event()

        def on_change(change: Change) -> None:
            if change.address in (None, self.address):
                changed.set()

        unsubscribe = core.store.subscribe(on_change)
        keeper = asyncio.create_task(core.keeper.run())  # a recovered token is saved at once
        try:
            while True:
                await changed.wait()
                changed.clear()
                mailbox = self._mailbox()
                if self.baseline is None:
                    if mailbox.connection not in ("live", "polling") or not mailbox.listed:
                        continue
                    self.baseline = {m.id for m in mailbox.messages}
                    self._set_cutoff(watcher.server_offset)
                found = await self._check(mailbox.messages)
                if found is not None:
                    return found
        finally:
            unsubscribe()
            keeper.cancel()

    def _mailbox(self) -> Mailbox:
        mailbox = self.ctx.core.store.get(self.address)
        shown = sanitize_line(self.address)
        if mailbox is None:
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {shown} was forgotten meanwhile")
        if mailbox.problem == "takeover":
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {shown} was taken over by another session")
        if mailbox.problem == "gone":
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {shown} no longer exists on the server")
        return mailbox

    # -- what is new ------------------------------------------------------------------

    def _set_cutoff(self, server_offset: float | None) -> None:
        """The start on the server's clock (when the stream told it), minus ``--since``."""
        start = datetime.fromtimestamp(self.started, tz=UTC) + timedelta(seconds=server_offset or 0.0)
        # Mail times are whole seconds: round down, so nothing stored in the
        # second wait started is lost (mail from just before it may count too).
        self.cutoff = (start - timedelta(seconds=self.since)).replace(microsecond=0)

    def _is_new(self, message: MessageSummary) -> bool:
        if message.id in self.examined:
            return False
        assert self.baseline is not None and self.cutoff is not None
        return message.id not in self.baseline or (message.timestamp >= self.cutoff and not message.read)

    async def _check(self, messages: list[MessageSummary]) -> str | None:
        for message in reversed(newest_first([m for m in messages if self._is_new(m)])):
            self.examined.add(message.id)
            if self.criteria.matches(message):
                found = await self._evaluate(message)
                if found is not None:
                    return found
        return None

    async def _evaluate(self, summary: MessageSummary) -> str | None:
        core = self.ctx.core
        try:  # fetching also marks it read: a later wait will not report it again
            mail = await self.ctx.call(self.address, core.fetch(self.address, summary.id))
        except NotFound:
            return None  # deleted meanwhile
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
