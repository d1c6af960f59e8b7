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
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import replace

from tmtui.server.config import ServerConfig
from tmtui.server.errors import INVALID_SID, ApiError
from tmtui.server.events import EventHub
from tmtui.server.storage import Mailbox, Session, Storage

SID = re.compile(r"^[0-9a-f]{48}$")
LANGS = ("en", "vi")


def new_sid() -> str:
    return secrets.token_hex(24)


def new_event_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_lang(lang: str | None) -> str:
    lang = (lang or "").strip().lower()
    return lang if lang in LANGS else "en"


class SessionService:
    # Given the parts it uses rather than the ServerCore that owns it: no import cycle.
    def __init__(self, config: ServerConfig, storage: Storage, hub: EventHub,
                 now: Callable[[], float]) -> None:
        self._config = config
        self._storage = storage
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
        session = self._storage.session(sid)
        if session is None or session.expires_at <= self._now():
            return None
        return session

    def authenticate(self, sid: str | None) -> tuple[Session, Mailbox]:
        session = self.live(sid)
        mailbox = None if session is None else self._storage.mailbox_by_id(session.mailbox_id)
        if session is None or mailbox is None:
            raise ApiError(401, INVALID_SID)
        return session, mailbox

    def by_event_token(self, token: str) -> tuple[Session, Mailbox] | None:
        if not token or len(token) > 200:
            return None
        session = self._storage.session_by_token(token)
        if session is None or session.expires_at <= self._now():
            return None
        mailbox = self._storage.mailbox_by_id(session.mailbox_id)
        return None if mailbox is None else (session, mailbox)

    def owner(self, mailbox_id: int) -> Session | None:
        now = self._now()
        for session in self._storage.sessions_of_mailbox(mailbox_id):
            if session.expires_at > now:
                return session
        return None

    def create(self, mailbox: Mailbox, ip: str, lang: str | None) -> Session:
        """A new session on ``mailbox``; the IP's oldest sessions past the cap are evicted."""
        now = self._now()
        session = Session(sid=new_sid(), mailbox_id=mailbox.id, event_token=new_event_token(),
                          started_at=now, expires_at=now + self._ttl, ip=ip, lang=normalise_lang(lang))
        self._storage.save_session(session)
        cap = self._config.sessions_per_ip
        if cap > 0:
            live = self._storage.live_sessions_of_ip(ip, now)
            for old in live[: max(0, len(live) - cap)]:
                if old.sid != session.sid:
                    self.end(old)
        return session

    def renew(self, session: Session) -> Session:
        token = session.event_token
        if self._config.event_token_rotation == "on_renewal":
            token = new_event_token()
        renewed = replace(session, expires_at=self._now() + self._ttl, event_token=token)
        self._storage.save_session(renewed)
        return renewed

    def move(self, session: Session, mailbox: Mailbox) -> Session:
        """Point a session at another mailbox; streams of the old one get session_lost."""
        moved = replace(session, mailbox_id=mailbox.id, event_token=new_event_token())
        self._storage.save_session(moved)
        self._hub.session_lost(session.sid, self._ts())
        return moved

    def end(self, session: Session) -> None:
        """Forget a session: 401 from now on, session_lost on its streams."""
        self._storage.delete_session(session.sid)
        self._hub.session_lost(session.sid, self._ts())

    def sweep(self) -> int:
        """End every expired session (so its streams hear session_lost); returns how many."""
        expired = self._storage.expired_sessions(self._now())
        for session in expired:
            self.end(session)
        return len(expired)

    def _ts(self) -> int:
        return int(self._now() * 1000)
