"""Session restore: reopen a mailbox with its saved token, one recovery at a time.

A stream's ``session_lost`` and a command's 401 often arrive together; a second
reopen would find the mailbox held by the first one's new session (409: a
takeover that never happened). So recovery is single-flight per mailbox: the
caller names the token that failed, and if the mailbox already holds another
one, that earlier recovery is used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tmtui.api.client import TempMailClient
from tmtui.api.errors import AddressInUse, ApiError, InvalidSession, MailboxNotFound, TransportError
from tmtui.api.models import Session
from tmtui.api.secret import Secret
from tmtui.humanize import describe
from tmtui.store import SessionStore

T = TypeVar("T")

Adopt = Callable[[Session, "str | None"], str]


class NoSession(ApiError):
    """The mailbox has no session and none could be restored."""


def one_line(exc: BaseException) -> str:
    """What failed, in words for a status line ("cannot reach the server"): never the
    name of an API action or of an exception class."""
    text = describe(exc)
    return text[:1].lower() + text[1:]


class SessionKeeper:
    def __init__(self, client: TempMailClient, store: SessionStore, *, lang: str | None,
                 adopt: Adopt) -> None:
        self._client = client
        self._store = store
        self._lang = lang
        self._adopt = adopt  # records the session (store, state file, watcher)
        self._locks: dict[str, asyncio.Lock] = {}
        self._failures: dict[str, ApiError] = {}  # why the latest recovery failed

    def sid(self, address: str) -> Secret:
        mailbox = self._store.get(address)
        if mailbox is None or mailbox.sid_token is None:
            raise NoSession("That mailbox has no session yet")
        return mailbox.sid_token

    async def recover(self, address: str, failed: Secret | None = None) -> bool:
        """Reopen ``address`` with its saved token; True when the mailbox is back.

        Failures are recorded in the store as the mailbox's connection state:
        ``lost`` (taken over, gone: the user decides) or ``offline``.
        """
        key = address.lower()
        async with self._locks.setdefault(key, asyncio.Lock()):
            mailbox = self._store.get(key)
            if mailbox is None:
                return False
            if failed is not None and mailbox.sid_token != failed:
                return mailbox.problem is None  # another caller recovered it meanwhile
            self._store.set_connection(key, "reconnecting", "session ended, reopening the mailbox")
            try:
                session = await self._client.open_email_address(
                    key, sid_token=mailbox.sid_token, lang=self._lang)
            except AddressInUse as exc:
                self._failures[key] = exc
                self._store.set_connection(key, "lost", "taken over elsewhere", "takeover")
                return False
            except MailboxNotFound as exc:
                self._failures[key] = exc
                self._store.set_connection(key, "lost", "the mailbox no longer exists on the server", "gone")
                return False
            except TransportError as exc:
                self._failures[key] = exc
                self._store.set_connection(key, "offline", one_line(exc))
                return False
            self._failures.pop(key, None)
            self._adopt(session, key)
            return True

    async def call(self, address: str, action: Callable[[Secret], Awaitable[T]]) -> T:
        """Run a mailbox call; on 401 reopen the same address once and try again.

        When the mailbox cannot be reopened, the reason is raised (taken over,
        gone, unreachable), not the 401 that started it.
        """
        key = address.lower()
        mailbox = self._store.get(key)
        if mailbox is not None and mailbox.sid_token is None:
            await self._recover_or_raise(key, None, None)
        sid = self.sid(key)
        try:
            return await action(sid)
        except InvalidSession as exc:
            await self._recover_or_raise(key, sid, exc)
        return await action(self.sid(key))

    async def _recover_or_raise(self, key: str, failed: Secret | None, cause: ApiError | None) -> None:
        if not await self.recover(key, failed):
            raise self._failures.pop(key, None) or cause or NoSession("The mailbox could not be reopened")
