"""New mail of one mailbox from a moment on, without a race against its arrival.

What ``tmtui wait`` and the Python API's ``wait`` share (one implementation).

Order of work: (1) the mailbox's watcher lists it and opens its event stream;
(2) when the watcher first reports the mailbox ``live`` (the stream's ``state``
event came) or ``polling``, the ids listed so far are the baseline; (3) every
listing after that is checked. Because the stream is open before the baseline
is taken, a mail stored after the listing always brings a ``changed`` event
(or the next poll). A mail stored between the start and the listing is in the
baseline, so "new" also covers *unread* mail whose server timestamp is at or
after the start (to the second), minus ``since`` seconds (default 2). The
start is converted to the server's clock with the ``state`` event's ``ts``, so
a skewed local clock does not matter while streaming; when only polling is
possible the local clock is used. A mail once judged new stays new (reading it
later does not hide it from a later wait).

The mailbox is kept current by the client core's watcher, exactly as in the
TUI (:mod:`tmtui.sync.watcher`): a refused stream (429 / 503) polls at once; a
dropped stream is retried with jittered backoff, and after three failures in a
row polling takes over, trying the stream again each round. ``session_lost`` or
a 401 reopens the mailbox; :class:`MailboxLost` when it was forgotten, taken
over elsewhere or is gone.

    arrivals = Arrivals(core, address, started=time.time()).start()
    seen: set[str] = set()
    summary, mail = await arrivals.next_fetched(seen, MailFilter(subject=re.compile("verify")).matches)
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Literal

from tmtui.api.errors import MailboxNotFound, NotFound
from tmtui.api.models import Message, MessageSummary
from tmtui.safety import sender_view
from tmtui.store import Change, Mailbox, newest_first
from tmtui.sync.watcher import MailboxWatcher
from tmtui.sync.worker import SyncWorker

WELCOME_SUFFIX = "tempmail mmo"  # the service's own welcome mail ends its subject so
DEFAULT_SINCE = 2.0

LostReason = Literal["forgotten", "takeover", "gone"]
_LOST: dict[LostReason, str] = {
    "forgotten": "was forgotten meanwhile",
    "takeover": "was taken over by another session",
    "gone": "no longer exists on the server",
}


class MailboxLost(Exception):
    """The mailbox cannot be waited on any more: forgotten, taken over elsewhere, or gone."""

    def __init__(self, address: str, reason: LostReason) -> None:
        self.address = address
        self.reason: LostReason = reason
        self.what = _LOST[reason]
        super().__init__(f"mailbox {address} {self.what}")


@dataclass(frozen=True, slots=True)
class MailFilter:
    """Which mail a wait wants: ``sender`` and ``subject`` are searched (``re.search``).

    With neither, any mail but the service's welcome mail (subject ending in
    "TempMail MMO"): waiting for "the next mail" should not stop at the greeting.
    """

    sender: re.Pattern[str] | None = None  # searched in the sender's ADDRESS only
    subject: re.Pattern[str] | None = None
    sender_name: re.Pattern[str] | None = None  # the display name, only when asked for

    def matches(self, message: MessageSummary) -> bool:
        """A display name is the sender's to write (``"noreply@github.com" <attacker@evil.test>``),
        so ``sender`` never sees it."""
        if self.sender is None and self.subject is None and self.sender_name is None:
            return not message.subject.strip().lower().endswith(WELCOME_SUFFIX)
        view = sender_view(message.sender)
        return ((self.sender is None or (bool(view.address) and self.sender.search(view.address) is not None))
                and (self.sender_name is None or self.sender_name.search(view.name) is not None)
                and (self.subject is None or self.subject.search(message.subject) is not None))


class Arrivals:
    """The mail that reaches one mailbox of ``core`` from ``started`` (``time.time()``) on."""

    def __init__(self, core: SyncWorker, address: str, *, started: float,
                 since: float = DEFAULT_SINCE) -> None:
        self.core = core
        self.address = address.lower()
        self.started = started
        self.since = since
        self.baseline: set[str] | None = None
        self.cutoff: datetime | None = None
        self._fresh: set[str] = set()  # judged new once: stays new
        self._wakers: set[asyncio.Event] = set()
        self._watcher: MailboxWatcher | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._closed = False

    def start(self) -> Arrivals:
        """Watch the mailbox (stream first) and follow its listings; returns self."""
        self.core.focus(self.address)
        self._watcher = self.core.watch(self.address)
        self._unsubscribe = self.core.store.subscribe(self._on_change)
        self._update()
        return self

    def close(self) -> None:
        """Stop following; a pending :meth:`next` raises RuntimeError."""
        self._closed = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for waker in self._wakers:
            waker.set()

    def __enter__(self) -> Arrivals:
        return self.start() if self._unsubscribe is None else self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # What is new -----------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        if change.address in (None, self.address):
            self._update()
            for waker in self._wakers:
                waker.set()

    def _update(self) -> None:
        """Take the baseline once the mailbox is live or polling; judge what is new."""
        mailbox = self.core.store.get(self.address)
        if mailbox is None:
            return
        if self.baseline is None:
            if mailbox.connection not in ("live", "polling") or not mailbox.listed:
                return
            self.baseline = {m.id for m in mailbox.messages}
            self.cutoff = self._cutoff()
        for message in mailbox.messages:
            if message.id not in self._fresh and self._is_new(message):
                self._fresh.add(message.id)

    def _cutoff(self) -> datetime:
        """The start on the server's clock (when the stream told it), minus ``since``."""
        offset = self._watcher.server_offset if self._watcher is not None else None
        start = datetime.fromtimestamp(self.started, tz=UTC) + timedelta(seconds=offset or 0.0)
        # Mail times are whole seconds: round down, so nothing stored in the
        # second the wait started is lost (mail from just before it may count too).
        return (start - timedelta(seconds=self.since)).replace(microsecond=0)

    def _is_new(self, message: MessageSummary) -> bool:
        assert self.baseline is not None and self.cutoff is not None
        return message.id not in self.baseline or (message.timestamp >= self.cutoff and not message.read)

    def _mailbox(self) -> Mailbox:
        if self._closed:
            raise RuntimeError("no longer following this mailbox")
        mailbox = self.core.store.get(self.address)
        if mailbox is None:
            raise MailboxLost(self.address, "forgotten")
        if mailbox.problem is not None:
            raise MailboxLost(self.address, mailbox.problem)
        return mailbox

    # Waiting -----------------------------------------------------------------------

    async def next(self, seen: set[str]) -> MessageSummary:
        """The oldest new message whose id is not in ``seen`` (then added to it).

        Waits for one to arrive; cancel it (``asyncio.timeout``) to stop
        waiting. Each caller keeps its own ``seen``, so several can wait at once.
        """
        waker = asyncio.Event()
        self._wakers.add(waker)  # before looking: no change can slip in between
        try:
            while True:
                mailbox = self._mailbox()
                waiting = [m for m in mailbox.messages if m.id in self._fresh and m.id not in seen]
                if waiting:
                    oldest = newest_first(waiting)[-1]
                    seen.add(oldest.id)
                    return oldest
                await waker.wait()
                waker.clear()
        finally:
            self._wakers.discard(waker)

    async def next_fetched(self, seen: set[str],
                           accept: Callable[[MessageSummary], bool]) -> tuple[MessageSummary, Message]:
        """The oldest new message ``accept`` takes, fetched (which marks it read on the server).

        A message deleted before it could be fetched is skipped.
        """
        while True:
            summary = await self.next(seen)
            if not accept(summary):
                continue
            try:
                mail = await self.core.fetch(self.address, summary.id)
            except MailboxNotFound:
                raise
            except NotFound:
                continue  # deleted meanwhile
            return summary, mail
