"""The mailbox a headless command works on, through the shared client core.

A :class:`Context` holds the core (:class:`tmtui.sync.SyncWorker`) for the
command's lifetime: the saved mailboxes are read once, a saved ``sid_token``
is reused, a 401 reopens the mailbox with that token (the core's session
restore, as in the TUI), and every new token or expiry goes back to the state
file through the core's read-merge-write, so a TUI running at the same time
loses nothing. This module only turns the core's errors into exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tmtui.api.errors import AddressInUse, InvalidSession, MailboxNotFound
from tmtui.headless import EXIT_NOT_FOUND
from tmtui.safety import sanitize_line
from tmtui.state import SavedMailbox
from tmtui.sync import SyncWorker

T = TypeVar("T")


class HeadlessError(Exception):
    """Ends the command with ``code`` and one line on stderr."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def warn(message: str) -> None:
    print(f"tmtui: {message}", file=sys.stderr)


@contextmanager
def about(address: str) -> Iterator[None]:
    """Session trouble with ``address`` becomes one line and exit 4."""
    shown = sanitize_line(address)
    try:
        yield
    except MailboxNotFound:
        raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {shown} no longer exists on the server") from None
    except AddressInUse:
        raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {shown} was taken over by another session") from None
    except InvalidSession:
        raise HeadlessError(EXIT_NOT_FOUND, f"the session of {shown} was lost and could not be "
                                            "restored") from None


class Context:
    def __init__(self, core: SyncWorker) -> None:
        self.core = core
        self.config = core.config
        warning = core.load_saved()
        if warning:
            warn(warning)

    def saved(self) -> list[SavedMailbox]:
        """The saved mailboxes, oldest first: the last one is the default."""
        server = self.core.keeper.server
        return [SavedMailbox(m.address, m.sid_token, m.expires_at, server, m.label, m.note)
                for m in self.core.store.mailboxes]

    async def mailbox(self, address: str | None) -> str:
        """The saved mailbox ``address`` (default: the last saved one of this server).

        An address that is not saved is an error, not an implicit open: opening
        someone's address is a decision (``tmtui open``), not a side effect of a typo.
        """
        if address is None:
            saved = self.core.store.mailboxes
            if not saved:
                raise HeadlessError(EXIT_NOT_FOUND, "no saved mailbox: create one with `tmtui new`")
            return saved[-1].address
        wanted = address.strip().lower()
        if wanted not in self.core.store:
            raise HeadlessError(EXIT_NOT_FOUND, f"no saved mailbox {sanitize_line(wanted)}; open it with "
                                                "`o` in the picker or `tmtui open ADDRESS`")
        return wanted

    async def call(self, address: str, work: Awaitable[T]) -> T:
        """Await a core command on ``address`` with its session errors as exit codes."""
        with about(address):
            return await work

    async def close(self) -> None:
        """Save renewed expiry times; a failure here only warns (the work is done)."""
        await self.core.close()
