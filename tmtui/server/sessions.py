"""Session lifecycle: create, authenticate, renew, move, end, expire.

A session is a 48-hex ``sid_token`` bound to one mailbox, with a TTL renewed by
get_email_list and del_email. At most one live session owns a mailbox (the
actions enforce it: 409 or takeover). A session that can no longer read its
mailbox (ended by takeover, eviction, invalidation, expiry, or moved to another
address) gets ``session_lost`` on its streams; an ended or expired session
answers 401, while its mailbox stays and can be reopened.

Event tokens (``mailbox_event_token``, url-safe random): a new one is issued
whenever a session gets a mailbox (creation, set_email_user, takeover), so a
stream opened for an old address cannot match the new one. With
``event_token_rotation="on_renewal"`` every renewal issues one too; the old
token then gets 401 on connect, while streams already open stay open.

Reads use the loop's read-only view; writes go to the writer thread. A renewal
or move of a session that ended meanwhile updates nothing and answers 401: a
session once ended never comes back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from tmtui.server.config import ServerConfig
from tmtui.server.database import Database
from tmtui.server.errors import INVALID_SID, ApiError
from tmtui.server.events import EventHub
from tmtui.server.storage import Mailbox, Session, Storage

SID = re.compile(r"^[0-9a-f]{48}$")
LANGS = ("en", "vi")
EXPIRE_BATCH = 500


def new_sid() -> str:
    return secrets.token_hex(24)


def new_event_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_lang(lang: str | None) -> str:
    lang = (lang or "").strip().lower()
    return lang if lang in LANGS else "en"


class SessionService:
    # Given the parts it uses rather than the ServerCore that owns it: no import cycle.
    def __init__(self, config: ServerConfig, db: Database, hub: EventHub, now: Callable[[], float]) -> None:
        self._config = config
        self._db = db
        self._read = db.read
        self._hub = hub
        self._now = now

    @property
    def _ttl(self) -> float:
        return self._config.ttl_minutes * 60

    def live(self, sid: str | None) -> Session | None:
        """The session for ``sid`` if it exists and has not expired."""
        if not sid:
            return None
        sid = sid.strip().lower()
        if not SID.match(sid):
            return None
        session = self._read.session(sid)
        if session is None or session.expires_at <= self._now():
            return None
        return session

    def authenticate(self, sid: str | None) -> tuple[Session, Mailbox]:
        session = self.live(sid)
        mailbox = None if session is None else self._read.mailbox_by_id(session.mailbox_id)
        if session is None or mailbox is None:
            raise ApiError(401, INVALID_SID)
        return session, mailbox

    def by_event_token(self, token: str) -> tuple[Session, Mailbox] | None:
        if not token or len(token) > 200:
            return None
        session = self._read.session_by_token(token)
        if session is None or session.expires_at <= self._now():
            return None
        mailbox = self._read.mailbox_by_id(session.mailbox_id)
        return None if mailbox is None else (session, mailbox)

    def owner(self, mailbox_id: int) -> Session | None:
        now = self._now()
        for session in self._read.sessions_of_mailbox(mailbox_id):
            if session.expires_at > now:
                return session
        return None

    async def create(self, mailbox: Mailbox, ip: str, lang: str | None) -> Session:
        """A new session on ``mailbox``; the IP's oldest sessions past the cap are evicted."""
        now = self._now()
        session = Session(sid=new_sid(), mailbox_id=mailbox.id, event_token=new_event_token(),
                          started_at=now, expires_at=now + self._ttl, ip=ip, lang=normalise_lang(lang))
        await self._db.write(lambda s: s.insert_session(session))
        cap = self._config.sessions_per_ip
        if cap > 0:
            live = self._read.live_sessions_of_ip(ip, now)
            for old in live[: max(0, len(live) - cap)]:
                if old.sid != session.sid:
                    await self.end(old)
        return session

    async def _save(self, session: Session) -> Session:
        if not await self._db.write(lambda s: s.update_session(session)):
            raise ApiError(401, INVALID_SID)  # ended while this request was under way
        return session

    async def renew(self, session: Session) -> Session:
        token = session.event_token
        if self._config.event_token_rotation == "on_renewal":
            token = new_event_token()
        return await self._save(replace(session, expires_at=self._now() + self._ttl, event_token=token))

    async def move(self, session: Session, mailbox: Mailbox) -> Session:
        """Point a session at another mailbox; streams of the old one get session_lost."""
        moved = await self._save(replace(session, mailbox_id=mailbox.id, event_token=new_event_token()))
        self._hub.session_lost(session.sid, self._ts())
        return moved

    async def end(self, session: Session) -> None:
        """Forget a session: 401 from now on, session_lost on its streams."""
        now = self._now()
        await self._db.write(lambda s: s.delete_session(session, now))
        self._hub.session_lost(session.sid, self._ts())

    def end_blocking(self, session: Session) -> None:
        """The same for the test controls."""
        now = self._now()
        self._db.write_blocking(lambda s: s.delete_session(session, now))
        self._hub.session_lost(session.sid, self._ts())

    async def sweep(self) -> int:
        """End every expired session (so its streams hear session_lost), in batches; returns how many."""
        total = 0
        while self._read.any_expired_session(self._now()):
            expired = await self._db.write(partial(Storage.expire_sessions, now=self._now(), limit=EXPIRE_BATCH))
            self._lost(expired)
            total += len(expired)
        return total

    def sweep_blocking(self) -> int:
        now = self._now()
        expired = self._db.write_blocking(lambda s: _expire_all(s, now))
        self._lost(expired)
        return len(expired)

    def _lost(self, sessions: list[Session]) -> None:
        ts = self._ts()
        for session in sessions:
            self._hub.session_lost(session.sid, ts)

    def _ts(self) -> int:
        return int(self._now() * 1000)


def _expire_all(storage: Storage, now: float) -> list[Session]:
    expired: list[Session] = []
    while batch := storage.expire_sessions(now, EXPIRE_BATCH):
        expired += batch
    return expired
