"""ServerCore: the state one server instance shares between HTTP, SSE, SMTP and control.

It owns the clock (config clock plus a test offset), the domain catalog, the
rate limiters, the event hub, storage, and mail intake (store a parsed mail,
then tell the mailbox's streams). Everything runs on the server loop's thread.
"""

from __future__ import annotations

import json
from typing import Any

from tmtui.server.config import ServerConfig
from tmtui.server.errors import too_many
from tmtui.server.events import EventHub, Frame, encode
from tmtui.server.limits import SlidingWindow
from tmtui.server.mailparse import ParsedMail, parse_message
from tmtui.server.names import random_local_part
from tmtui.server.sessions import SessionService
from tmtui.server.storage import FOLDERS, Mailbox, Storage
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


class ServerCore:
    def __init__(self, config: ServerConfig, storage: Storage) -> None:
        self.config = config
        self.storage = storage
        self.hub = EventHub()
        self.clock_offset = 0.0
        self.requests = SlidingWindow(config.requests_per_minute)
        self.creations = SlidingWindow(config.creations_per_minute)
        self.refuse_sse: int | None = None  # set by control.refuse_sse
        self.sessions = SessionService(config, storage, self.hub, self.now)
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
            self.storage.meta_set(_DOMAINS_KEY, json.dumps(list(self.domains)))
            self.storage.meta_set(_DOMAINS_AT_KEY, str(self.domains_updated_at))
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

    def create_mailbox(self, local: str, domain: str) -> Mailbox:
        """A new, empty mailbox (plus the welcome mail when configured)."""
        mailbox = self.storage.create_mailbox(local, domain, self.now())
        if self.config.welcome_mail:
            self.store_mail(mailbox, parse_message(welcome_message(mailbox.address, self.now())))
        return mailbox

    def random_mailbox(self, domain: str) -> Mailbox:
        """A new mailbox with a human-looking local part nobody has used on ``domain``."""
        while True:
            local = random_local_part()
            if self.storage.mailbox_by_address(f"{local}@{domain}") is None:
                return self.create_mailbox(local, domain)

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

    def publish_changed(self, mailbox: Mailbox, reason: str, folder: str, delta: int) -> None:
        """Tell a mailbox's streams its ``folder`` count moved by ``delta``."""
        if not self.hub.count_for_mailbox(mailbox.id):
            return  # nobody listens: skip the count query
        counts = self.storage.folder_counts(mailbox.id)
        payload = {
            "email": mailbox.address,
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
        self.hub.publish(mailbox.id, Frame(encode("changed", payload)))

    # -- mail intake ----------------------------------------------------------------
    def store_mail(self, mailbox: Mailbox, mail: ParsedMail) -> str:
        """Store one parsed mail (spam goes to Junk) and notify; returns its mail_id."""
        folder = "Junk" if mail.spam else "INBOX"
        message_id = self.storage.add_message(mailbox.id, folder, int(self.now()), mail)
        self.publish_changed(mailbox, "new_mail", folder, 1)
        return mail_id(folder, message_id)

    def store_many(self, mailbox: Mailbox, mails: list[ParsedMail]) -> list[str]:
        """Bulk variant for seeding: one transaction, one ``changed`` per folder."""
        now = int(self.now())
        items = [("Junk" if m.spam else "INBOX", now, m) for m in mails]
        ids = self.storage.add_messages(mailbox.id, items)
        for folder in FOLDERS:
            added = sum(1 for f, _, _ in items if f == folder)
            if added:
                self.publish_changed(mailbox, "new_mail", folder, added)
        return [mail_id(f, i) for (f, _, _), i in zip(items, ids, strict=True)]
