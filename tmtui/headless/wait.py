"""``tmtui wait``: the first new matching mail, without a race against its arrival.

Order of work: (1) subscribe to the mailbox's event stream and wait for its
``state`` event; (2) list the mailbox: the ids listed are the baseline;
(3) list again on every ``changed`` (and ``ping``) event. Because the stream
is open before the baseline is taken, a mail stored after the listing always
brings a ``changed`` event. A mail stored between ``wait`` starting and the
listing is in the baseline, so "new" also covers *unread* mail whose server
timestamp is at or after the start of ``wait`` (to the second), minus
``--since`` seconds (default 2). The start is converted to the server's clock
with the ``state`` event's ``ts``, so a skewed local clock does not matter while
streaming; when only polling is possible the local clock is used. ``wait``
fetches every mail it reports, which marks it read on the server, so the next
``wait`` does not report it again.

Among new mail, oldest first, the first one whose sender and subject match
``--from`` / ``--subject`` wins. The service's own welcome mail (subject ending
in "TempMail MMO") never matches unless ``--from`` or ``--subject`` is given.
With ``--otp`` / ``--link`` a match without a code / link is reported on
stderr and skipped.

Stream trouble: a refused stream (429 / 503) polls at once; a dropped or failed
stream is retried after the server's ``retry`` hint with jittered backoff, and
after three failures in a row a polling round (15-30 s, from the config) runs
before the next try. ``session_lost`` or a 401 reopens the mailbox (exit 4 when
the mailbox keeps being taken over).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tmtui.api.errors import (
    ApiError,
    NotFound,
    RateLimited,
    TransportError,
    Unavailable,
)
from tmtui.api.models import MailboxEvent, MessageSummary
from tmtui.api.secret import Secret
from tmtui.extract import best_link, find_code
from tmtui.headless import (
    EXIT_NOT_FOUND,
    EXIT_NOTHING_FOUND,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    schema,
)
from tmtui.headless.commands import oldest_first, render
from tmtui.headless.output import is_tty, message_line, say
from tmtui.headless.session import Box, Context, HeadlessError, warn
from tmtui.safety import sanitize_line

FAILURES_BEFORE_POLLING = 3
MAX_LOST = 3
MAX_BACKOFF = 30.0
WELCOME_SUFFIX = "tempmail mmo"


class _SessionLost(Exception):
    """The stream said ``session_lost``."""


@dataclass(frozen=True, slots=True)
class Criteria:
    sender: re.Pattern[str] | None
    subject: re.Pattern[str] | None
    form: str | None  # "otp" | "link" | "json" | None (an inbox line)

    def matches(self, message: MessageSummary) -> bool:
        if self.sender is None and self.subject is None:
            return not message.subject.strip().lower().endswith(WELCOME_SUFFIX)
        return ((self.sender is None or self.sender.search(message.sender) is not None)
                and (self.subject is None or self.subject.search(message.subject) is not None))


def _regex(option: str, value: str | None) -> re.Pattern[str] | None:
    if value is None:
        return None
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise HeadlessError(EXIT_USAGE, f"wait: bad {option} regex: {exc}") from None


def criteria(args: argparse.Namespace) -> Criteria:
    return Criteria(_regex("--from", args.sender), _regex("--subject", args.subject), args.form)


def _backoff(attempt: int, hint: float) -> float:
    ceiling = min(MAX_BACKOFF, hint * (2 ** max(0, attempt - 1)))
    return random.uniform(min(hint, ceiling) / 2, ceiling)


class Waiter:
    def __init__(self, ctx: Context, box: Box, criteria: Criteria, *, started: float,
                 since: float) -> None:
        self.ctx = ctx
        self.box = box
        self.criteria = criteria
        self.started_wall = started  # time.time() when the command started
        self.started_mono = time.monotonic() - max(0.0, time.time() - started)
        self.since = since
        self.baseline: set[str] | None = None
        self.cutoff: datetime | None = None
        self.examined: set[str] = set()
        self.without = 0  # matching mail that had no code / link
        self.failures = 0
        self.lost = 0  # session_lost in a row
        self.retry = 2.0

    # -- the loop -------------------------------------------------------------------

    async def run(self) -> str:
        """The text to print for the first match (cancelled by the caller's timeout)."""
        while True:
            if self.ctx.config.sse:
                found = await self._stream_round()
            else:
                found = await self._poll_round()
            if found is not None:
                return found

    async def _stream_round(self) -> str | None:
        try:
            token = await self._token()
            async with self.ctx.client.events(token) as stream:
                async for event in stream:
                    found = await self._on_event(event)
                    if found is not None:
                        return found
            await asyncio.sleep(self.retry)  # closed cleanly: reconnect after the hint
        except _SessionLost:
            self.lost += 1
            if self.lost > MAX_LOST:
                raise HeadlessError(EXIT_NOT_FOUND, f"the session of {sanitize_line(self.box.address)} "
                                                    "keeps being taken over elsewhere") from None
            await self.ctx.recover(self.box)
        except (RateLimited, Unavailable) as exc:
            return await self._poll_round(wait=getattr(exc, "retry_after", None))
        except ApiError:
            # Also InvalidSession: the stream refused the event token. The next
            # round lists again, which renews the token (or reopens the session).
            self.failures += 1
            if self.failures >= FAILURES_BEFORE_POLLING:
                self.failures = 0
                return await self._poll_round()
            await asyncio.sleep(_backoff(self.failures, self.retry))
        return None

    async def _on_event(self, event: MailboxEvent) -> str | None:
        if event.retry_ms:
            self.retry = max(0.1, event.retry_ms / 1000)
        if event.kind == "session_lost":
            raise _SessionLost()
        if event.kind == "state":
            self.failures = 0
            return await self._check(server_now=event.ts)
        self.lost = 0  # the stream lived past its state event
        return await self._check()  # changed, ping

    async def _poll_round(self, wait: float | None = None) -> str | None:
        found = await self._check()
        if found is None:
            config = self.ctx.config
            delay = random.uniform(config.poll_min_seconds, config.poll_max_seconds)
            await asyncio.sleep(max(delay, wait or 0.0))
        return found

    async def _token(self) -> Secret:
        """A fresh event token: a listing (which also renews the session) hands one out."""
        await self.ctx.call(self.box, lambda sid: self.ctx.client.get_email_list(sid))
        token = self.ctx.event_token(self.box)
        if token is None:
            raise TransportError("the server gave no event token")
        return token

    # -- what is new ------------------------------------------------------------------

    def _set_cutoff(self, server_now: datetime | None) -> None:
        elapsed = time.monotonic() - self.started_mono
        if server_now is not None:
            start = server_now - timedelta(seconds=elapsed)  # the start on the server's clock
        else:
            start = datetime.fromtimestamp(self.started_wall, tz=timezone.utc)
        # Mail times are whole seconds: round down, so nothing stored in the
        # second wait started is lost (mail from just before it may count too).
        self.cutoff = (start - timedelta(seconds=self.since)).replace(microsecond=0)

    def _is_new(self, message: MessageSummary) -> bool:
        if message.id in self.examined:
            return False
        assert self.baseline is not None and self.cutoff is not None
        return message.id not in self.baseline or (message.timestamp >= self.cutoff and not message.read)

    async def _check(self, server_now: datetime | None = None) -> str | None:
        messages = await self.ctx.call(self.box, self.ctx.client.get_all_messages)
        if self.baseline is None:
            self.baseline = {m.id for m in messages}
            self._set_cutoff(server_now)
        for message in oldest_first([m for m in messages if self._is_new(m)]):
            self.examined.add(message.id)
            if self.criteria.matches(message):
                found = await self._evaluate(message)
                if found is not None:
                    return found
        return None

    async def _evaluate(self, summary: MessageSummary) -> str | None:
        client = self.ctx.client
        try:  # fetching also marks it read: a later wait will not report it again
            mail = await self.ctx.call(self.box, lambda sid: client.fetch_email(sid, summary.id))
        except NotFound:
            return None  # deleted meanwhile
        form = self.criteria.form
        if form is None:
            return message_line(summary, tty=is_tty())
        rendered = await render(mail)
        if form == "json":
            return schema.dumps(schema.message(self.box.address, mail, rendered), pretty=is_tty())
        if form == "otp":
            code = find_code(mail.subject, rendered.text)
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
    try:
        async with asyncio.timeout(args.timeout or None) as scope:
            box = await ctx.mailbox(address)
            waiter = Waiter(ctx, box, wanted, started=started, since=args.since)
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
