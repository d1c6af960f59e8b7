"""SyncWorker: keeps the SessionStore in step with the server.

One :class:`~tmtui.watch.MailboxWatcher` per known mailbox holds an SSE stream
(for the focused mailbox and up to ``max_streams`` in all) or polls. This
module holds the commands the UI asks for (create, reopen, delete, fetch,
save) and the bookkeeping around sessions: every session change is written to
the state file so no mailbox is ever lost. It knows nothing of Textual; the app
runs :meth:`SyncWorker.run` as a long-lived worker.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from tmtui import state
from tmtui.api.client import TempMailClient
from tmtui.api.errors import AddressInUse, ApiError, InvalidSession
from tmtui.api.models import DomainCatalog, Message, Session, SessionMeta
from tmtui.api.secret import Secret
from tmtui.config import Config
from tmtui.store import SessionStore
from tmtui.watch import MailboxWatcher

log = logging.getLogger("tmtui.sync")

T = TypeVar("T")


class SyncWorker:
    def __init__(self, client: TempMailClient, store: SessionStore, config: Config, *,
                 persist: bool = True, on_warning: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.store = store
        self.config = config
        self.persist = persist
        self.on_warning = on_warning  # one line for the user, e.g. the state file cannot be saved
        self._last_warning: str | None = None
        self.focused: str | None = None
        self._watchers: dict[str, MailboxWatcher] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._scratch: Session | None = None
        self._unsubscribe = client.subscribe_meta(self._on_meta)

    # Lifecycle ---------------------------------------------------------------

    def load_saved(self, saved: Sequence[state.SavedMailbox]) -> None:
        """Put saved mailboxes in the store at once; their watchers restore the sessions."""
        for item in saved:
            self.store.add_mailbox(item.address, item.sid_token, item.expires_at)

    async def run(self) -> None:
        """Watch every mailbox in the store until cancelled."""
        for mailbox in self.store.mailboxes:
            self._start(mailbox.address)
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._watchers.clear()
        self._unsubscribe()

    def _start(self, address: str) -> None:
        if address in self._tasks:
            return
        watcher = MailboxWatcher(self, address)
        self._watchers[address] = watcher
        self._tasks[address] = asyncio.get_running_loop().create_task(
            watcher.run(), name=f"watch {address}")

    def _stop(self, address: str) -> None:
        task = self._tasks.pop(address, None)
        self._watchers.pop(address, None)
        if task is not None:
            task.cancel()

    def watcher(self, address: str) -> MailboxWatcher | None:
        return self._watchers.get(address.lower())

    # Which mailboxes stream ----------------------------------------------------

    def may_stream(self, address: str) -> bool:
        if not self.config.sse or self.config.max_streams <= 0:
            return False
        order = [m.address for m in self.store.mailboxes]
        if self.focused in order:
            order.remove(self.focused)
            order.insert(0, self.focused)
        return address in order[: self.config.max_streams]

    def focus(self, address: str | None) -> None:
        """The UI opened this mailbox: it streams first and is polled fastest."""
        self.focused = address.lower() if address else None
        for watcher in self._watchers.values():
            watcher.wake()

    # Sessions ------------------------------------------------------------------

    def _on_meta(self, sid_token: Secret, meta: SessionMeta) -> None:
        for mailbox in self.store.mailboxes:
            if mailbox.sid_token == sid_token:
                before = mailbox.expires_at
                self.store.update_meta(mailbox.address, meta.expires_at, meta.event_token)
                if before != mailbox.expires_at:
                    self.save_state()

    def adopt(self, session: Session, previous: str | None = None) -> str:
        """Record a new or renewed session, persist it and make sure it is watched."""
        if previous and previous.lower() != session.address.lower():
            self._stop(previous.lower())
        self.store.apply_session(session, previous_address=previous)
        address = session.address.lower()
        self.save_state()
        self._start(address)
        return address

    def save_state(self) -> None:
        if not self.persist:
            return
        saved = [state.SavedMailbox(m.address, m.sid_token, m.expires_at)
                 for m in self.store.mailboxes]
        try:
            state.save(saved)
        except state.StateError as exc:
            log.warning("%s", exc)
            # The user must know: these sessions would be gone at the next start.
            warning = f"{exc}; mailboxes will not be remembered after tmtui exits"
            if self.on_warning is not None and warning != self._last_warning:
                self.on_warning(warning)
            self._last_warning = warning
        else:
            self._last_warning = None

    # Commands from the UI --------------------------------------------------------

    async def catalog(self) -> DomainCatalog:
        """The domain catalog: the latest any response carried, else asked for now."""
        if self.store.catalog is None:
            self.store.set_catalog(await self.client.get_domains())
        assert self.store.catalog is not None
        return self.store.catalog

    async def create(self, domain: str | None = None) -> str:
        session = await self.client.get_email_address(domain=domain, lang=self.config.lang)
        return self.adopt(session)

    async def create_custom(self, user: str, domain: str | None, *, takeover: bool = False) -> str:
        """Claim ``user@domain``; on 409 the scratch session is kept for the takeover retry."""
        if self._scratch is None:
            self._scratch = await self.client.get_email_address(domain=domain, lang=self.config.lang)
        try:
            session = await self.client.set_email_user(
                self._scratch.sid_token, user, domain=domain, force_takeover=takeover,
                lang=self.config.lang)
        except ApiError as exc:
            if not isinstance(exc, AddressInUse):
                self._scratch = None  # keep the scratch session only for a takeover retry
            raise
        self._scratch = None
        return self.adopt(session)

    async def reopen(self, address: str, *, takeover: bool = False) -> str:
        mailbox = self.store.get(address)
        session = await self.client.open_email_address(
            address, force_takeover=takeover,
            sid_token=mailbox.sid_token if mailbox else None, lang=self.config.lang)
        if mailbox is not None:
            self.store.set_connection(mailbox.address, "connecting")
        result = self.adopt(session, previous=address)
        watcher = self.watcher(result)
        if watcher is not None:
            watcher.wake()
        return result

    def forget(self, address: str) -> None:
        self._stop(address.lower())
        self.store.remove_mailbox(address)
        self.save_state()

    async def refresh(self, address: str) -> None:
        """A full listing now; on 401 the mailbox is reopened and listed (like every command)."""
        watcher = self.watcher(address)
        if watcher is not None:
            await self._with_session(address, lambda _sid: watcher.reconcile(full=True))

    def _sid(self, address: str) -> Secret:
        mailbox = self.store.get(address)
        if mailbox is None or mailbox.sid_token is None:
            raise ApiError("That mailbox has no session yet")
        return mailbox.sid_token

    async def _with_session(self, address: str, call: Callable[[Secret], Awaitable[T]]) -> T:
        """Run a mailbox call; on 401 reopen the same address once and try again."""
        sid = self._sid(address)
        try:
            return await call(sid)
        except InvalidSession:
            watcher = self.watcher(address)
            if watcher is None or not await watcher.recover(failed=sid):
                raise
            return await call(self._sid(address))

    async def fetch(self, address: str, message_id: str) -> Message:
        message = await self._with_session(
            address, lambda sid: self.client.fetch_email(sid, message_id))
        self.store.mark_read(address, message_id)
        return message

    async def delete(self, address: str, ids: Sequence[str]) -> int:
        deleted = await self._with_session(
            address, lambda sid: self.client.delete_emails(sid, list(ids)))
        self.store.remove_messages(address, ids)
        return deleted

    async def download(self, address: str, message_id: str, name: str,
                       sink: Callable[[bytes], object], *, expected_size: int | None = None,
                       on_progress: Callable[[int, int | None], None] | None = None) -> int:
        return await self._with_session(
            address, lambda sid: self.client.download_attachment(
                sid, message_id, name, sink, expected_size=expected_size, on_progress=on_progress))
