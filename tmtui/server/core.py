"""ServerCore: the state one server instance shares between HTTP, SSE, SMTP and control.

It owns the clock (config clock plus a test offset), the domain catalog, the
rate limiters, the event hub, the database, and mail intake (store a parsed
mail once for all its recipients, then tell their streams). It runs on the
server loop's thread; database writes go to the writer thread (database.py).

``storage`` is the loop's read-only view; writes go through ``db.write``.
Actions that decide on ownership (who holds a mailbox, which mailbox exists)
hold ``mutations`` from their first read to their last write, so two of them
never interleave between a check and the act it allows.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tmtui.server.config import ServerConfig
from tmtui.server.database import Database
from tmtui.server.errors import too_many
from tmtui.server.events import EventHub, Frame, encode
from tmtui.server.limits import SlidingWindow
from tmtui.server.mailparse import ParsedMail, parse_message
from tmtui.server.names import local_part
from tmtui.server.sessions import SessionService
from tmtui.server.storage import FOLDERS, Delivered, Mailbox, Storage
from tmtui.server.welcome import welcome_message

_DOMAINS_KEY = "domains"
_DOMAINS_AT_KEY = "domains_updated_at"


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def mail_id(folder: str, message_id: int) -> str:
    """The contract's id string: "123" in the inbox, "Junk:123" in Junk."""
    return str(message_id) if folder == "INBOX" else f"{folder}:{message_id}"


def parse_mail_id(value: str) -> tuple[str, int] | None:
    """Inverse of mail_id. Strict about the folder: "123" never finds a Junk mail."""
    folder, sep, number = value.strip().rpartition(":")
    if not sep:
        folder = "INBOX"
    canonical = {f.lower(): f for f in FOLDERS}.get(folder.lower())
    if canonical is None or not number.isascii() or not number.isdigit() or len(number) > 18:
        return None  # 18 digits keeps the value inside SQLite's 64-bit integers
    return canonical, int(number)


def folder_of(mail: ParsedMail) -> str:
    return "Junk" if mail.spam else "INBOX"


class ServerCore:
    def __init__(self, config: ServerConfig, db: Database) -> None:
        self.config = config
        self.db = db
        self.storage: Storage = db.read
        self.hub = EventHub(config.sse_per_session)
        self.clock_offset = 0.0
        self.requests = SlidingWindow(config.requests_per_minute)
        self.creations = SlidingWindow(config.creations_per_minute)
        self.refuse_sse: int | None = None  # set by control.refuse_sse
        self.mutations = asyncio.Lock()
        self.sessions = SessionService(config, db, self.hub, self.now)
        self.domains: tuple[str, ...] = ()
        self.domains_updated_at = 0
        self.set_domains(config.domains)

    def now(self) -> float:
        return self.config.clock() + self.clock_offset

    # -- domain catalog -------------------------------------------------------
    def set_domains(self, domains: tuple[str, ...]) -> None:
        """Serve these domains; the catalog timestamp moves only when the list changes."""
        stored = self.storage.meta_get(_DOMAINS_KEY)
        stamp = self.storage.meta_get(_DOMAINS_AT_KEY)
        self.domains = tuple(domains)
        if stored is None or tuple(json.loads(stored)) != self.domains or stamp is None:
            self.domains_updated_at = ms(self.now())
            catalog, updated_at = json.dumps(list(self.domains)), str(self.domains_updated_at)

            def save(storage: Storage) -> None:
                storage.meta_set(_DOMAINS_KEY, catalog)
                storage.meta_set(_DOMAINS_AT_KEY, updated_at)

            self.db.write_blocking(save)
        else:
            self.domains_updated_at = int(stamp)

    @property
    def default_domain(self) -> str:
        return self.domains[0]

    def catalog(self) -> dict[str, Any]:
        return {
            "domains": list(self.domains),
            "defaultDomain": self.default_domain,
            "domains_updated_at": self.domains_updated_at,
        }

    def served_mailbox(self, address: str) -> Mailbox | None:
        """The mailbox at ``address`` if it exists on a domain still served."""
        mailbox = self.storage.mailbox_by_address(address.strip().lower())
        if mailbox is None or mailbox.domain not in self.domains:
            return None
        return mailbox

    # -- mailboxes --------------------------------------------------------------
    async def create_mailbox(self, local: str, domain: str) -> Mailbox:
        """A new, empty mailbox (plus the welcome mail when configured); an existing one is returned as is."""
        now = self.now()
        mailbox, created = await self.db.write(lambda s: s.create_mailbox(local, domain, now))
        if created and self.config.welcome_mail:
            raw = welcome_message(mailbox.address, now)
            await self.deliver([mailbox.id], parse_message(raw), len(raw))
        return mailbox

    def create_mailbox_blocking(self, local: str, domain: str) -> Mailbox:
        """The same for the test controls (on the loop's thread, waiting for the writer)."""
        now = self.now()
        mailbox, created = self.db.write_blocking(lambda s: s.create_mailbox(local, domain, now))
        if created and self.config.welcome_mail:
            raw = welcome_message(mailbox.address, now)
            self.store_many_blocking(mailbox, [(parse_message(raw), len(raw))])
        return mailbox

    async def random_mailbox(self, domain: str) -> Mailbox:
        """A new mailbox with a random local part nobody has used on ``domain``."""
        while True:
            local = local_part(self.config.names)
            if self.storage.mailbox_by_address(f"{local}@{domain}") is None:
                return await self.create_mailbox(local, domain)

    # -- limits -----------------------------------------------------------------
    def check_request_rate(self, ip: str) -> None:
        wait = self.requests.hit(ip, self.now())
        if wait is not None:
            raise too_many(wait)

    def check_creation_rate(self, ip: str) -> None:
        wait = self.creations.hit(ip, self.now())
        if wait is not None:
            raise too_many(wait)

    # -- event payloads -----------------------------------------------------------
    def state_payload(self, mailbox_id: int, email: str) -> dict[str, Any]:
        counts = self.storage.folder_counts(mailbox_id)
        return {
            "email": email,
            "connected": True,
            "count": counts["INBOX"],
            "total_count": sum(counts.values()),
            "connected_folders": list(FOLDERS),
            "watched_folders": list(FOLDERS),
            "folders": counts,
            "ts": ms(self.now()),
        }

    def publish_changed(self, mailbox: Mailbox | int, reason: str, folder: str, delta: int) -> None:
        """Tell a mailbox's streams its ``folder`` count moved by ``delta``."""
        mailbox_id = mailbox if isinstance(mailbox, int) else mailbox.id
        email = self.hub.email_of(mailbox_id)
        if email is None:
            return  # nobody listens: skip the count query
        counts = self.storage.folder_counts(mailbox_id)
        payload = {
            "email": email,
            "reason": reason,
            "connected": True,
            "count": counts[folder],
            "total_count": sum(counts.values()),
            "connected_folders": list(FOLDERS),
            "prevCount": counts[folder] - delta,
            "folder": folder,
            "path": folder,
            "ts": ms(self.now()),
        }
        self.hub.publish(mailbox_id, Frame(encode("changed", payload)))

    # -- mail intake ----------------------------------------------------------------
    async def deliver(self, mailbox_ids: list[int], mail: ParsedMail, size: int) -> list[Delivered]:
        """Store one mail once for all these mailboxes (spam goes to Junk), then notify each."""
        folder, received_at = folder_of(mail), int(self.now())
        delivered = await self.db.write(lambda s: s.deliver(mailbox_ids, folder, received_at, mail, size))
        for copy in delivered:
            self.publish_changed(copy.mailbox_id, "new_mail", copy.folder, 1)
        return delivered

    def store_many_blocking(self, mailbox: Mailbox, mails: list[tuple[ParsedMail, int]]) -> list[str]:
        """Seeding and test delivery: one transaction, one ``changed`` per folder; returns mail ids."""
        now = int(self.now())
        items = [(folder_of(m), now, m, size) for m, size in mails]
        ids = self.db.write_blocking(lambda s: s.add_messages(mailbox.id, items))
        for folder in FOLDERS:
            added = sum(1 for f, _, _, _ in items if f == folder)
            if added:
                self.publish_changed(mailbox, "new_mail", folder, added)
        return [mail_id(f, i) for (f, _, _, _), i in zip(items, ids, strict=True)]
