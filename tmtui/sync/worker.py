"""SyncWorker: the client core. Keeps the SessionStore in step with the server.

The TUI and the headless commands both use it. It owns the API client for its
lifetime, one :class:`~tmtui.sync.watcher.MailboxWatcher` per known mailbox
(an SSE stream for the focused mailbox and up to ``max_streams`` in all, else
polling), session restore (:mod:`tmtui.sync.sessions`) and the state file
(:mod:`tmtui.sync.persistence`). It knows nothing of Textual: the app runs
:meth:`SyncWorker.run` as a long-lived worker; a script awaits the commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from types import TracebackType

from tmtui.api.client import TempMailClient
from tmtui.api.download import Sink
from tmtui.api.errors import AddressInUse, ApiError
from tmtui.api.lazy import preload as preload_http_stack
from tmtui.api.models import DomainCatalog, Message, MessageSummary, Session, SessionMeta
from tmtui.api.secret import Secret
from tmtui.config import Config
from tmtui.state import SavedMailbox, clean_label, clean_note
from tmtui.store import SessionStore
from tmtui.sync.deletes import HeldDeletes
from tmtui.sync.merge import Merge
from tmtui.sync.persistence import StateKeeper
from tmtui.sync.policy import StreamPolicy
from tmtui.sync.private import PRIVATE_TRIES, private_name
from tmtui.sync.sessions import SessionKeeper
from tmtui.sync.watcher import MailboxWatcher

log = logging.getLogger("tmtui.sync")


class SyncWorker:
    def __init__(self, client: TempMailClient, store: SessionStore, config: Config, *,
                 persist: bool = True, on_warning: Callable[[str], None] | None = None,
                 owns_client: bool = True) -> None:
        self.client = client
        self.store = store
        self.config = config
        self._owns_client = owns_client
        self.policy = StreamPolicy(lambda: [m.address for m in store.mailboxes],
                                   sse=config.sse, max_streams=config.max_streams)
        self.sessions = SessionKeeper(client, store, lang=config.lang, adopt=self.adopt)
        self.on_warning: Callable[[str], None] = on_warning or (lambda _text: None)
        # Told after the store took in another process's changes (the TUI says so).
        self.on_external: Callable[[Merge], None] = lambda _merge: None
        self.keeper = StateKeeper(store, server=config.server, enabled=persist, on_external=self._on_external,
                                  on_warning=lambda text: self.on_warning(text))
        self._watchers: dict[str, MailboxWatcher] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._running = False
        self._scratch: Session | None = None
        self._unsubscribe = client.subscribe_meta(self._on_meta)
        self._closed = False
        self.deletes = HeldDeletes(store, self.delete)
        """The TUI's deletes, held back a few seconds for an undo (scripts use :meth:`delete`)."""

    @classmethod
    def from_config(cls, config: Config, store: SessionStore | None = None, *,
                    persist: bool = True, on_warning: Callable[[str], None] | None = None) -> SyncWorker:
        client = TempMailClient(config.server, timeout=config.timeout, lang=config.lang)
        return cls(client, store or SessionStore(), config, persist=persist, on_warning=on_warning)

    async def __aenter__(self) -> SyncWorker:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    # Lifecycle ---------------------------------------------------------------

    @property
    def persist(self) -> bool:
        return self.keeper.enabled

    def load_saved(self, saved: Sequence[SavedMailbox] | None = None) -> str | None:
        """Put saved mailboxes in the store at once (the watchers restore their sessions).

        With no list, the state file is read; the result is a warning line or None.
        """
        warning = None
        if saved is None:
            saved, warning = self.keeper.load()
        for item in saved:
            self.store.add_mailbox(item.address, item.sid_token, item.expires_at, label=item.label, note=item.note)
        return warning

    async def run(self) -> None:
        """Watch every mailbox in the store, and keep the state file, until cancelled."""
        # The HTTP stack (httpx, httpcore, anyio: ~130 ms of CPU) imports on a thread:
        # the loop goes on drawing and taking keys, and the first request waits for it.
        preload_http_stack()
        self._running = True
        for mailbox in self.store.mailboxes:
            self._start(mailbox.address)
        try:
            await self.keeper.run()
            await asyncio.Event().wait()  # persistence off: just keep watching
        finally:
            self._running = False
            await self.close()

    async def close(self) -> None:
        """Stop watching, write what is pending, and close the client (if ours)."""
        if self._closed:
            return
        self._closed = True
        try:  # leaving the app sends the held deletes at once
            await asyncio.wait_for(self.deletes.commit(), timeout=self.config.timeout * 2)
        except TimeoutError:
            log.warning("held deletes not confirmed by the server before closing")
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._watchers.clear()
        self._unsubscribe()
        await self.keeper.flush()
        if self._owns_client:
            await self.client.aclose()

    def _start(self, address: str) -> None:
        if address in self._tasks or not self._running:
            return
        watcher = MailboxWatcher(address, client=self.client, store=self.store, config=self.config,
                                 policy=self.policy, sessions=self.sessions)
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

    def watch(self, address: str) -> MailboxWatcher:
        """Watch one mailbox now (for a script that waits on it)."""
        self._running = True
        self._start(address.lower())
        return self._watchers[address.lower()]

    def focus(self, address: str | None) -> None:
        """The UI opened this mailbox: it streams first and is polled fastest."""
        self.policy.focus(address)
        for watcher in self._watchers.values():
            watcher.wake()

    def focus_all(self) -> None:
        """The UI shows every mailbox's mail (All mailboxes): each is kept live, within ``max_streams``."""
        self.policy.focus_all()
        for watcher in self._watchers.values():
            watcher.wake()

    @property
    def focused(self) -> str | None:
        return self.policy.focused

    # Sessions ------------------------------------------------------------------

    def _on_meta(self, sid_token: Secret, meta: SessionMeta) -> None:
        for mailbox in self.store.mailboxes:
            if mailbox.sid_token == sid_token:
                before = mailbox.expires_at
                self.store.update_meta(mailbox.address, meta.expires_at, meta.event_token)
                if before != mailbox.expires_at:
                    self.keeper.expiry_changed()  # written later, off the mail path

    def adopt(self, session: Session, previous: str | None = None) -> str:
        """Record a new or renewed session, have it saved and make sure it is watched."""
        address = session.address.lower()
        if previous and previous.lower() != address:
            self._stop(previous.lower())
            self.keeper.forgotten(previous)
        old = self.store.get(address)
        renewed = old is None or old.sid_token != session.sid_token
        self.store.apply_session(session, previous_address=previous)
        if renewed:
            self.keeper.added(address)
        watcher = self.watcher(address)
        if watcher is not None and previous is not None:
            watcher.session_replaced()
        self._start(address)
        return address

    def _on_external(self, merge: Merge) -> None:
        """Another process changed the state file: show its mailboxes, drop its removals."""
        for address in merge.removed_elsewhere:
            self._stop(address)
            self.store.remove_mailbox(address)
        for entry in merge.added_elsewhere:
            self.store.add_mailbox(entry.address, entry.sid_token, entry.expires_at, label=entry.label,
                                   note=entry.note)
            self._start(entry.address.lower())
        for entry in merge.relabeled_elsewhere:
            self.store.set_label(entry.address, entry.label, entry.note)
        for entry in merge.retokened_elsewhere:
            self.store.set_token(entry.address, entry.sid_token, entry.expires_at)
            watcher = self.watcher(entry.address)
            if watcher is not None:
                watcher.session_replaced()
        self.on_external(merge)

    # Commands --------------------------------------------------------------------

    async def catalog(self) -> DomainCatalog:
        """The domain catalog: the latest any response carried, else asked for now."""
        if self.store.catalog is None:
            self.store.set_catalog(await self.client.get_domains())
        assert self.store.catalog is not None
        return self.store.catalog

    async def create(self, domain: str | None = None, *, label: str | None = None, note: str | None = None,
                     private: bool | None = None) -> str:
        """A new mailbox with a random address, saved at once (with its label and note, if given).

        ``private`` (default: the ``private_addresses`` setting) makes the name
        unguessable, 16 random characters of ``a-z0-9`` (about 82 bits), rather
        than the server's short random one: anyone who knows or guesses an
        address can open it and read its mail.
        """
        private = self.config.private_addresses if private is None else private
        if private:
            session = await self._claim_private(domain)
        else:
            session = await self.client.get_email_address(domain=domain, lang=self.config.lang)
        address = self.adopt(session)
        self._set_label(address, label, note)
        await self.keeper.flush()
        return address

    async def _claim_private(self, domain: str | None) -> Session:
        scratch = await self.client.get_email_address(domain=domain, lang=self.config.lang)

        async def claim() -> Session:
            return await self.client.set_email_user(scratch.sid_token, private_name(),
                                                    domain=domain or scratch.domain, lang=self.config.lang)

        for _ in range(PRIVATE_TRIES - 1):
            with contextlib.suppress(AddressInUse):  # 82 bits: never in practice, and never a takeover
                return await claim()
        return await claim()

    async def label(self, address: str, text: str, note: str | None = None) -> bool:
        """Give a saved mailbox a label (``""`` clears it) and, unless None, a note; saved at once.

        Returns whether anything changed; KeyError when the mailbox is not in the store.
        """
        if address not in self.store:
            raise KeyError(address)
        changed = self._set_label(address, text, note)
        await self.keeper.flush()
        return changed

    def _set_label(self, address: str, label: str | None, note: str | None) -> bool:
        """Store a label / note (None: keep it) and have it written, beating the file's."""
        mailbox = self.store.get(address)
        if mailbox is None or (label is None and note is None):
            return False
        label = mailbox.label if label is None else clean_label(label)
        changed = self.store.set_label(address, label, None if note is None else clean_note(note))
        if changed:
            self.keeper.relabeled(address)
        return changed

    async def create_custom(self, user: str, domain: str | None, *, takeover: bool = False,
                            label: str | None = None, note: str | None = None) -> str:
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
        address = self.adopt(session)
        self._set_label(address, label, note)
        await self.keeper.flush()
        return address

    async def reopen(self, address: str, *, takeover: bool = False) -> str:
        mailbox = self.store.get(address)
        session = await self.client.open_email_address(
            address, force_takeover=takeover,
            sid_token=mailbox.sid_token if mailbox else None, lang=self.config.lang)
        if mailbox is not None:
            self.store.set_connection(mailbox.address, "connecting")
        result = self.adopt(session, previous=address)
        await self.keeper.flush()
        return result

    def forget(self, address: str) -> None:
        self._stop(address.lower())
        self.store.remove_mailbox(address)
        self.keeper.forgotten(address)

    async def refresh(self, address: str) -> None:
        """A full listing now; on 401 the mailbox is reopened and listed (like every command)."""
        watcher = self.watcher(address)
        if watcher is not None:
            await self.sessions.call(address, lambda _sid: watcher.reconcile(full=True))

    async def messages(self, address: str) -> list[MessageSummary]:
        """Every message of a mailbox, newest first, listed now (and kept in the store)."""
        listing = await self.sessions.call(address, self.client.get_all_messages)
        self.store.replace_messages(address, listing)
        mailbox = self.store.get(address)
        return list(mailbox.messages) if mailbox else listing

    async def fetch(self, address: str, message_id: str) -> Message:
        message = await self.sessions.call(address, lambda sid: self.client.fetch_email(sid, message_id))
        self.store.mark_read(address, message_id)
        return message

    async def delete(self, address: str, ids: Sequence[str]) -> int:
        """Delete now (the TUI holds its deletes for an undo: :attr:`deletes`)."""
        deleted = await self.sessions.call(address, lambda sid: self.client.delete_emails(sid, list(ids)))
        self.store.remove_messages(address, ids)
        return deleted

    async def download(self, address: str, message_id: str, name: str,
                       sink: Sink, *, expected_size: int | None = None,
                       on_progress: Callable[[int, int | None], None] | None = None) -> int:
        return await self.sessions.call(
            address, lambda sid: self.client.download_attachment(
                sid, message_id, name, sink, expected_size=expected_size, on_progress=on_progress))
