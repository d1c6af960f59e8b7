"""Test and fault controls of a running server: a plain Python API, never HTTP.

``server.control`` offers these (all synchronous except ``wait_streams``):

- ``create_mailbox(address)``, ``delete_mailbox(address)``: make a mailbox exist
  (no session) or remove it with its mail (its sessions end with session_lost).
- ``deliver(to, raw)`` / ``deliver_many(to, raws)``: store raw RFC 5322 mail as if
  it came over SMTP (parsed the same way); returns mail ids. ``seed(to, count)``
  inserts ``count`` small synthetic mails in one transaction, for big-mailbox tests.
- ``invalidate_session(address)``: end the mailbox's live sessions now (next call
  401, streams get session_lost).
- ``advance_clock(seconds)``: move the server's clock (expiry, rate windows) and
  sweep at once: expired sessions, expired messages, idle empty mailboxes.
- ``refuse_sse(status | None)``: make /events/mailbox answer that status (401,
  429, 503, ...) until reset with None.
- ``drop_streams(address=None)``: cut open streams without session_lost.
- ``set_domains(domains)``: change the served domain catalog.
- ``stream_count(address=None)`` and ``await wait_streams(n, address=None)``.

Methods are safe from any thread: called off the server loop (ServerThread),
they run on it and wait for the result. On the loop's own thread (ReferenceServer
tests) they block it while the database writer works: fine for tests, which is
what this is for. ``wait_streams`` is a coroutine for the server loop only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from tmtui.server.core import ServerCore
from tmtui.server.events import EventHub
from tmtui.server.mailparse import ParsedMail, parse_message
from tmtui.server.retention import Retention
from tmtui.server.storage import Mailbox

T = TypeVar("T")


class ServerControl:
    def __init__(self, core: ServerCore, loop: asyncio.AbstractEventLoop, retention: Retention) -> None:
        self._core = core
        self._loop = loop
        self._retention = retention
        self._thread_id = threading.get_ident()  # built on the loop's thread

    def _call(self, fn: Callable[[], T]) -> T:
        if threading.get_ident() == self._thread_id:
            return fn()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self._loop.call_soon_threadsafe(run)
        return future.result(timeout=60)

    def _mailbox(self, address: str) -> Mailbox:
        mailbox = self._core.storage.mailbox_by_address(address.strip().lower())
        if mailbox is None:
            raise LookupError(f"no mailbox {address}")
        return mailbox

    def _mailbox_id(self, address: str | None) -> int | None:
        return None if address is None else self._mailbox(address).id

    # -- mailboxes and mail -------------------------------------------------------
    def create_mailbox(self, address: str) -> str:
        def run() -> str:
            local, _, domain = address.strip().lower().partition("@")
            return self._core.create_mailbox_blocking(local, domain).address
        return self._call(run)

    def delete_mailbox(self, address: str) -> None:
        def run() -> None:
            mailbox = self._mailbox(address)
            for session in self._core.storage.sessions_of_mailbox(mailbox.id):
                self._core.sessions.end_blocking(session)
            self._core.db.write_blocking(lambda s: s.delete_mailbox(mailbox.id))
        self._call(run)

    def deliver(self, to: str, raw: bytes) -> str:
        return self.deliver_many(to, [raw])[0]

    def deliver_many(self, to: str, raws: Iterable[bytes]) -> list[str]:
        mails = [(parse_message(raw), len(raw)) for raw in raws]  # parse on the caller's thread
        return self._call(lambda: self._core.store_many_blocking(self._mailbox(to), mails))

    def seed(self, to: str, count: int, subject: str = "Seeded message {n}",
             sender: str = "Seeder <seed@example.org>") -> list[str]:
        mails = [
            (ParsedMail(mail_from=sender, subject=subject.format(n=n), body_html=f"<p>Body of message {n}</p>",
                        excerpt=f"Body of message {n}"), 100)
            for n in range(1, count + 1)
        ]
        return self._call(lambda: self._core.store_many_blocking(self._mailbox(to), mails))

    # -- sessions, time, domains -------------------------------------------------------
    def invalidate_session(self, address: str) -> int:
        def run() -> int:
            sessions = self._core.storage.sessions_of_mailbox(self._mailbox(address).id)
            for session in sessions:
                self._core.sessions.end_blocking(session)
            return len(sessions)
        return self._call(run)

    def advance_clock(self, seconds: float) -> None:
        def run() -> None:
            self._core.clock_offset += seconds
            self._core.sessions.sweep_blocking()
            self._retention.sweep_blocking()
        self._call(run)

    def set_domains(self, domains: Iterable[str]) -> None:
        values = tuple(d.strip().lower() for d in domains if d.strip())
        if not values:
            raise ValueError("at least one domain is needed")
        self._call(lambda: self._core.set_domains(values))

    # -- event streams -------------------------------------------------------------
    def refuse_sse(self, status: int | None) -> None:
        def run() -> None:
            self._core.refuse_sse = status
        self._call(run)

    def drop_streams(self, address: str | None = None) -> int:
        return self._call(lambda: self._core.hub.close(self._mailbox_id(address)))

    def stream_count(self, address: str | None = None) -> int:
        def run() -> int:
            mailbox_id = self._mailbox_id(address)
            hub = self._core.hub
            return hub.total if mailbox_id is None else hub.count_for_mailbox(mailbox_id)
        return self._call(run)

    async def wait_streams(self, count: int, address: str | None = None, timeout: float = 5.0) -> None:
        """Wait until exactly ``count`` streams are open (on ``address``, or in all)."""
        mailbox_id = self._mailbox_id(address)

        def reached(hub: EventHub) -> bool:
            return (hub.total if mailbox_id is None else hub.count_for_mailbox(mailbox_id)) == count

        await self._core.hub.wait_until(reached, timeout)
