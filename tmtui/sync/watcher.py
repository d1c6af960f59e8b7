"""One mailbox kept current: SSE when allowed, polling otherwise, never both.

States it reports to the store: ``connecting`` -> ``live`` on the stream's
``state`` event; ``reconnecting`` while a dropped stream is retried after the
server's ``retry`` hint with capped, jittered exponential backoff; ``polling``
after three failed attempts or a 429/503 (get_email_list every 15-30 s, trying
the stream again each round); ``offline`` when even polling fails; ``lost``
when the session cannot be restored without the user (taken over elsewhere,
or the mailbox is gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from tmtui import clock
from tmtui.api.client import TempMailClient
from tmtui.api.errors import (
    ApiError,
    InvalidSession,
    RateLimited,
    TransportError,
    Unavailable,
)
from tmtui.api.secret import Secret
from tmtui.config import Config
from tmtui.store import ConnectionState, Mailbox, Problem, SessionStore
from tmtui.sync.backoff import FAILURES_BEFORE_POLLING, backoff, poll_delay
from tmtui.sync.coalesce import Coalescer
from tmtui.sync.policy import StreamPolicy
from tmtui.sync.sessions import SessionKeeper, one_line

log = logging.getLogger("tmtui.sync")

RENEW_MARGIN = 120.0  # renew a session this many seconds before it expires


class SessionLost(Exception):
    """The stream said ``session_lost``: the token no longer matches the mailbox."""


class MailboxWatcher:
    """Keeps one mailbox of the store current. It gets what it needs, not its owner."""

    def __init__(self, address: str, *, client: TempMailClient, store: SessionStore, config: Config,
                 policy: StreamPolicy, sessions: SessionKeeper) -> None:
        self.address = address
        self.client = client
        self.store = store
        self.config = config
        self.policy = policy
        self.sessions = sessions
        self.server_offset: float | None = None  # server clock minus ours, from the stream's ts
        self.retry_hint = 2.0
        self.failures = 0
        self.page_size: int | None = None  # learned from a listing that needed a second page
        self._wake = asyncio.Event()
        self._listed = False
        self._lock = asyncio.Lock()
        self._quiet_failures = 0
        self._restream = False  # set by recover(): the open stream uses an old session
        self._recovering = asyncio.Lock()
        self.coalescer = Coalescer(self._reconcile_quietly, wanted=self._listing_is_stale)
        # What the stream announced since the last listing began: the newest
        # total, and whether every event was an arrival (see _listing_is_stale).
        self._announced: int | None = None
        self._arrivals_only = True

    @property
    def mailbox(self) -> Mailbox | None:
        return self.store.get(self.address)

    def wake(self) -> None:
        self._wake.set()

    def _state(self, state: ConnectionState, detail: str = "", problem: Problem | None = None, *,
               retry_in: float | None = None) -> None:
        """``retry_in``: offline, the next try is this many seconds away (the UI counts down)."""
        retry_at = clock.now() + timedelta(seconds=retry_in) if retry_in is not None else None
        self.store.set_connection(self.address, state, detail, problem, retry_at)

    def session_replaced(self) -> None:
        """The mailbox has a new session (a recovery, another process): list and stream anew."""
        self._state("connecting")
        self._listed = False
        # A stream may be open with the old session: reopen it with the newest
        # token (it reports "live" again when its first event comes).
        self._restream = True
        self.wake()

    # Main loop -------------------------------------------------------------

    async def run(self) -> None:
        fetcher = asyncio.create_task(self.coalescer.run(
            idle_timeout=self._seconds_to_renewal, on_idle=self._renew_if_due))
        try:
            while self.mailbox is not None:
                try:
                    await self._step()
                except Exception as exc:  # a surprise must not end the watch
                    # Type only: a library's message may quote the stream URL and its token.
                    log.warning("watcher: unexpected %s; retrying", type(exc).__name__)
                    self.failures += 1
                    delay = backoff(self.failures, self.retry_hint)
                    self._state("offline", "unexpected error", retry_in=delay)
                    await self._sleep(delay)
        finally:
            fetcher.cancel()

    async def _step(self) -> None:
        mailbox = self.mailbox
        if mailbox is None:
            return
        if mailbox.problem is not None:
            await self._sleep(None)  # until the user decides (takeover or forget)
            return
        used = mailbox.sid_token
        try:
            if mailbox.sid_token is None or (mailbox.connection == "connecting" and not self._listed):
                await self._ensure_session()
            if not self._listed:
                await self.reconcile(full=True)
            if self.policy.may_stream(self.address):
                await self._stream_round()
            else:
                await self._poll_round(slow=not self.policy.is_focused(self.address))
        except (InvalidSession, SessionLost):
            await self.recover(failed=used)
        except ApiError as exc:  # unreachable, or an answer we cannot use: back off, retry
            self.failures += 1
            delay = backoff(self.failures, self.retry_hint)
            told = exc.retry_after if isinstance(exc, RateLimited) else None
            if told:  # the server said how long to wait: never sooner
                delay = max(delay, told)
                self._state("offline", "rate limited by the server", retry_in=delay)
            else:
                self._state("offline", one_line(exc), retry_in=delay)
            await self._sleep(delay)

    async def _ensure_session(self) -> None:
        """A saved mailbox: reopen it with its saved token (the server resumes a live session)."""
        mailbox = self.mailbox
        if mailbox is None or (mailbox.sid_token is not None and await self._token_works()):
            return
        await self.recover()

    async def _token_works(self) -> bool:
        try:
            await self.reconcile(full=True)
        except InvalidSession:
            return False
        return True

    async def _stream_round(self) -> None:
        mailbox = self.mailbox
        if mailbox is None or mailbox.event_token is None:
            await self.reconcile()  # a listing hands out a fresh event token
            mailbox = self.mailbox
            if mailbox is None or mailbox.event_token is None:
                raise TransportError("The server gave no event token")
        self._restream = False
        stream = asyncio.create_task(self._stream(mailbox))
        waker = asyncio.create_task(self._wake.wait())
        try:
            while True:
                done, _ = await asyncio.wait({stream, waker}, return_when=asyncio.FIRST_COMPLETED)
                if stream in done:
                    break
                self._wake.clear()
                if not self.policy.may_stream(self.address) or self._restream:
                    stream.cancel()
                    await asyncio.gather(stream, return_exceptions=True)
                    return
                waker = asyncio.create_task(self._wake.wait())
        finally:
            waker.cancel()
            if not stream.done():  # we are being cancelled: take the stream down with us
                stream.cancel()
                await asyncio.gather(stream, return_exceptions=True)
        try:
            stream.result()
        except (RateLimited, Unavailable) as exc:
            wait = getattr(exc, "retry_after", None)
            reason = "rate limited" if isinstance(exc, RateLimited) else "unavailable"
            await self._poll_round(slow=False, wait=wait, detail=f"stream {reason}" + (
                f", retrying in {wait:.0f} s" if wait else ""))
            return
        except TransportError:
            self.failures += 1
            if self.failures >= FAILURES_BEFORE_POLLING:
                await self._poll_round(slow=False)
            else:
                self._state("reconnecting", f"stream dropped, retry {self.failures}")
                await self._sleep(backoff(self.failures, self.retry_hint))
            return
        # The server ended the stream cleanly: reconnect after its hint.
        self._state("reconnecting", "stream closed by server")
        await self._sleep(self.retry_hint)

    async def _stream(self, mailbox: Mailbox) -> None:
        assert mailbox.event_token is not None
        async with self.client.events(mailbox.event_token) as stream:
            async for event in stream:
                if event.retry_ms:
                    self.retry_hint = max(0.1, event.retry_ms / 1000)
                if event.kind == "state":
                    self.failures = 0
                    if event.ts is not None:
                        self.server_offset = (event.ts - clock.now()).total_seconds()
                    self._state("live")
                    self.coalescer.poke()
                elif event.kind == "changed":
                    self._announced = event.total_count
                    self._arrivals_only = self._arrivals_only and event.reason == "new_mail"
                    self.coalescer.poke()
                elif event.kind == "session_lost":
                    raise SessionLost()

    async def _poll_round(self, *, slow: bool, wait: float | None = None, detail: str = "") -> None:
        config = self.config
        delay = max(poll_delay(config.poll_min_seconds, config.poll_max_seconds, slow=slow), wait or 0.0)
        try:
            await self.reconcile()
            self._state("polling", detail)
        except TransportError as exc:
            self._state("offline", one_line(exc), retry_in=delay)
        await self._sleep(delay)

    async def _sleep(self, seconds: float | None) -> None:
        """Sleep, but wake early for a refresh, a focus change, a decision or renewal."""
        renewal = self._seconds_to_renewal()
        if seconds is None or (renewal is not None and renewal < seconds):
            seconds = renewal
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    # Listing -----------------------------------------------------------------

    async def _reconcile_quietly(self) -> None:
        """The listing after stream events. The change it was for is not shown
        until it succeeds, so a failure is tried again: after the server's
        Retry-After when it sent one, else with backoff."""
        try:
            await self.reconcile()
        except InvalidSession:
            self.wake()  # the main loop recovers the session
            return
        except Exception as exc:  # the coalescer must outlive any failure
            self._quiet_failures += 1
            told = exc.retry_after if isinstance(exc, RateLimited) else None
            delay = max(told or 0.0, backoff(self._quiet_failures, self.retry_hint))
            log.debug("reconcile failed: %s; again in %.1f s", type(exc).__name__, delay)
            mailbox = self.mailbox
            if told and mailbox is not None:
                self._state(mailbox.connection, f"rate limited by the server, waiting {told:.0f} s",
                            mailbox.problem)
            await asyncio.sleep(delay)
            self.coalescer.poke()
            return
        self._quiet_failures = 0
        mailbox = self.mailbox
        if mailbox is not None and mailbox.detail.startswith("rate limited"):
            self._state(mailbox.connection, "", mailbox.problem)

    def _listing_is_stale(self) -> bool:
        """False when the last listing already holds every mail the stream announced since.

        A burst's events pile up while a listing runs; when that listing came back
        with as many messages as the newest event counted, and every event was an
        arrival (a delete and an arrival could cancel out in the count), another
        call would fetch the same page again.
        """
        mailbox = self.mailbox
        if self._announced is None or not self._arrivals_only or mailbox is None or not mailbox.complete:
            return True
        return len(mailbox.messages) != self._announced

    async def reconcile(self, *, full: bool = False) -> None:
        """Fetch the newest page (or everything) and merge it into the store.

        After a deletion the stream announced, everything is listed: the newest
        page alone cannot tell that a row older than its oldest one is gone.
        """
        full = full or not self._arrivals_only
        self._arrivals_only = True  # events from here on are judged against this listing
        async with self._lock:
            mailbox = self.mailbox
            if mailbox is None or mailbox.sid_token is None:
                return
            sid = mailbox.sid_token
            client, store = self.client, self.store
            first = await client.get_email_list(sid)
            whole = first.count == 0 or (self.page_size is not None and first.count < self.page_size)
            with store.batch():  # one arriving mail, one store change
                if first.catalog is not None:
                    store.set_catalog(first.catalog)  # listings carry the live domain catalog
                store.merge_page(self.address, first, whole=whole)
            if full or (not whole and not mailbox.complete):
                # The rest pages in behind the first page, which is already shown.
                messages = list(first.messages)
                seen = {m.id for m in messages}
                offset = first.count
                while first.count:
                    page = await client.get_email_list(sid, offset=offset)
                    fresh = [m for m in page.messages if m.id not in seen]
                    if not fresh:
                        break
                    self.page_size = max(self.page_size or 0, first.count)
                    seen.update(m.id for m in fresh)
                    messages.extend(fresh)
                    offset += page.count
                store.replace_messages(self.address, messages)
            self._listed = True

    # Renewal and recovery --------------------------------------------------------

    async def _renew_if_due(self) -> None:
        """Any listing renews the session; an idle live mailbox lists only when expiry nears."""
        mailbox = self.mailbox
        if mailbox is not None and mailbox.expires_at is not None:
            left = (mailbox.expires_at - clock.now()).total_seconds()
            if left <= RENEW_MARGIN:
                await self._reconcile_quietly()

    def _seconds_to_renewal(self) -> float | None:
        mailbox = self.mailbox
        if mailbox is None or mailbox.expires_at is None:
            return 60.0
        left = (mailbox.expires_at - clock.now()).total_seconds() - RENEW_MARGIN
        # Wake at least each minute so a jumping clock is noticed soon.
        return max(1.0, min(left, 60.0))

    async def recover(self, failed: Secret | None = None) -> bool:
        """Reopen the same address with the saved token; True when the mailbox is back."""
        recovered = await self.sessions.recover(self.address, failed)
        mailbox = self.mailbox
        if not recovered and mailbox is not None and mailbox.connection == "offline":
            delay = backoff(max(1, self.failures), self.retry_hint)
            self._state("offline", mailbox.detail, retry_in=delay)
            await self._sleep(delay)
        return recovered
