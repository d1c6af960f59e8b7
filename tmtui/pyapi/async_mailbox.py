"""AsyncMailbox: one disposable mailbox for asyncio code, on the client core the TUI uses.

    async with await AsyncMailbox.create(server=url) as box:
        await sign_up(box.address)
        code = await box.wait_for_code(timeout=60)

Each AsyncMailbox owns a :class:`tmtui.sync.SyncWorker` (the API client, the
mailbox's watcher: event stream with polling fallback, session renewal and
recovery) from ``create`` / ``open`` until ``aclose``. The watcher starts at
once and stays up across calls, so mail that arrives between two calls, or
before the first ``wait``, is not missed (see :mod:`tmtui.sync.arrivals`).
"""

from __future__ import annotations

import asyncio
import re
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from tmtui.api.models import Attachment as ApiAttachment
from tmtui.api.rules import domain_problem, user_problem
from tmtui.config import Config
from tmtui.files import Sink, save_atomically
from tmtui.pyapi.message import Message, Summary, message_of, summary_of
from tmtui.render import html_to_text
from tmtui.sync import SyncWorker
from tmtui.sync.arrivals import Arrivals, MailFilter

T = TypeVar("T")
Pattern = str | re.Pattern[str] | None
MessageRef = Message | Summary | str  # a message, a row of the inbox, or an id

DEFAULT_TIMEOUT = 60.0


def _core(server: str | None, config: Config | None, persist: bool) -> SyncWorker:
    """A client core on ``server`` (else ``config.server``, else the default server)."""
    settings = config or Config()
    if server is not None:
        settings = replace(settings, server=server)
    if not settings.server.startswith(("http://", "https://")):
        raise ValueError(f"server must be an http:// or https:// URL, not {settings.server!r}")
    core = SyncWorker.from_config(settings, persist=persist, on_warning=_warn)
    if persist:
        problem = core.load_saved()  # the merge base; a saved session of the address is reused
        if problem:
            _warn(problem)
    return core


def _warn(text: str) -> None:
    """The state file could not be read or written: the mailbox works, but is not kept."""
    warnings.warn(text, RuntimeWarning, stacklevel=2)


def _pattern(value: Pattern) -> re.Pattern[str] | None:
    if value is None or isinstance(value, re.Pattern):
        return value
    return re.compile(value, re.IGNORECASE)


def _id(message: MessageRef) -> str:
    return message if isinstance(message, str) else message.id


class AsyncMailbox:
    """A disposable mailbox: wait for mail, read it, save its attachments, delete it.

    Make one with :meth:`create` or :meth:`open`; close it with :meth:`aclose`
    or ``async with``. Closing stops watching; the mailbox stays on the server
    until its session expires.

    ``persist`` (default False, right for tests): when True the mailbox is
    saved in the user's state file like ``tmtui new`` does, so the TUI and the
    headless commands see it, and a saved session of an opened address is
    reused. ``label`` names the mailbox ("github sign-up"): with ``persist`` it
    is saved with it (``tmtui ls`` and the picker show it; opening a saved
    mailbox without a label gives the saved one), else it stays on the object
    for your own bookkeeping. ``config`` sets the client's knobs (timeouts, ``sse``, polling
    interval); by default the built-in defaults are used, not the user's
    config file, so a test behaves the same on every machine.
    """

    def __init__(self, core: SyncWorker, address: str, *, label: str | None = None,
                 started: float | None = None) -> None:
        """Use :meth:`create` or :meth:`open`. Must be called on the event loop that will use it."""
        self._core = core
        self._address = address
        self.label = label
        self._arrivals = Arrivals(core, address, started=time.time() if started is None else started).start()
        self._taken: set[str] = set()  # returned by a wait: never returned again
        # With persistence, a recovered session's token is saved at once (as `tmtui wait` does).
        self._keeper = asyncio.get_running_loop().create_task(core.keeper.run()) if core.persist else None
        self._closed = False

    # Making one --------------------------------------------------------------------

    @classmethod
    async def create(cls, *, server: str | None = None, domain: str | None = None, name: str | None = None,
                     label: str | None = None, persist: bool = False,
                     config: Config | None = None) -> AsyncMailbox:
        """A new mailbox: a random address, or ``name@domain`` when ``name`` is given.

        ``server``: the API base URL (default ``config.server``, else
        https://tempmailmmo.com). ``domain`` must be one the server offers
        (ValueError otherwise: the server would silently use its default).
        ``name`` follows the API's rule (3-32 of ``a-z 0-9 . _ -``, ValueError
        otherwise); a name held by another session raises
        :class:`tmtui.api.errors.AddressInUse`.
        """
        if name is not None and (problem := user_problem(name)):
            raise ValueError(problem)
        started = time.time()
        core = _core(server, config, persist)
        try:
            if domain is not None and (problem := domain_problem(domain, (await core.catalog()).domains)):
                raise ValueError(problem)
            if name is not None:
                address = await core.create_custom(name, domain, label=label)
            else:
                address = await core.create(domain, label=label)
            return cls(core, address, label=label, started=started)
        except BaseException:
            await core.close()
            raise

    @classmethod
    async def open(cls, address: str, *, server: str | None = None, takeover: bool = False,
                   label: str | None = None, persist: bool = False,
                   config: Config | None = None) -> AsyncMailbox:
        """An existing address (its mail stays on the server after a session ends).

        Held by another session, it raises :class:`tmtui.api.errors.AddressInUse`
        unless ``takeover`` is True, which takes it (the other session ends).
        Unread mail that arrived up to 2 s before the call counts as new for
        :meth:`wait`; older mail does not.
        """
        started = time.time()
        core = _core(server, config, persist)
        try:
            opened = await core.reopen(address.strip().lower(), takeover=takeover)
            if label is not None:
                await core.label(opened, label)  # saved at once when persisting
            elif (saved := core.store.get(opened)) is not None and saved.label:
                label = saved.label  # only a saved mailbox has one (persist=True)
            return cls(core, opened, label=label, started=started)
        except BaseException:
            await core.close()
            raise

    async def aclose(self) -> None:
        """Stop watching and close the client (the state file is written first, if kept)."""
        if self._closed:
            return
        self._closed = True
        self._arrivals.close()
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        await self._core.close()

    async def __aenter__(self) -> AsyncMailbox:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncMailbox {self._address} on {self.server}>"

    @property
    def address(self) -> str:
        """The mailbox's address, ``user@domain``."""
        return self._address

    @property
    def server(self) -> str:
        """The API base URL this mailbox lives on."""
        return self._core.config.server

    # Waiting ---------------------------------------------------------------------

    async def wait(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
                   subject: Pattern = None) -> Message:
        """The first new mail whose sender and subject match, oldest first.

        ``sender`` / ``subject`` are regular expressions searched in the From
        header and the subject (a string is compiled case-insensitive). With
        neither, any mail but the service's welcome mail. New means: arrived
        after the mailbox was created or opened, including before this call,
        and not returned by an earlier wait of this object. Raises
        TimeoutError after ``timeout`` seconds (None: wait forever), and
        :class:`tmtui.sync.arrivals.MailboxLost` when the mailbox was taken
        over elsewhere or is gone. The mail is marked read on the server.
        """
        return await self._first(timeout, sender, subject, lambda message: message, "mail")

    async def wait_for_code(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
                            subject: Pattern = None) -> str:
        """The one-time code of the first new matching mail that has one (see :meth:`wait`).

        Matching mail without a code is passed over (a later :meth:`wait` may still return it).
        """
        return await self._first(timeout, sender, subject, lambda message: message.code, "mail with a code")

    async def wait_for_link(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
                            subject: Pattern = None) -> str:
        """The confirmation / sign-in / reset link of the first new matching mail that has one."""
        return await self._first(timeout, sender, subject, lambda message: message.link,
                                 "mail with a confirmation link")

    async def _first(self, timeout: float | None, sender: Pattern, subject: Pattern,
                     pick: Callable[[Message], T | None], what: str) -> T:
        wanted = MailFilter(_pattern(sender), _pattern(subject))

        def accept(summary_id: str) -> bool:
            return summary_id not in self._taken

        seen: set[str] = set()
        scope = asyncio.timeout(timeout)
        try:
            async with scope:
                while True:
                    _summary, mail = await self._arrivals.next_fetched(
                        seen, lambda summary: accept(summary.id) and wanted.matches(summary))
                    message = message_of(mail, await asyncio.to_thread(html_to_text, mail.html))
                    value = pick(message)
                    if value is not None and accept(message.id):
                        self._taken.add(message.id)
                        return value
        except TimeoutError:
            if not scope.expired():
                raise
            raise TimeoutError(f"no matching {what} in {self._address} within {timeout:g} s") from None

    # Reading and acting -----------------------------------------------------------------

    async def messages(self) -> list[Summary]:
        """Every message in the mailbox, newest first (listed now)."""
        return [summary_of(m) for m in await self._core.messages(self._address)]

    async def read(self, message: MessageRef) -> Message:
        """One message in full (marks it read). Raises :class:`tmtui.api.errors.NotFound`."""
        mail = await self._core.fetch(self._address, _id(message))
        return message_of(mail, await asyncio.to_thread(html_to_text, mail.html))

    async def save(self, message: MessageRef, directory: str | Path | None = None) -> list[Path]:
        """Write every attachment of ``message`` into ``directory`` (created if missing).

        Names are made safe (base name only, no control characters) and never
        overwrite: `` (1)`` is added. Each file appears complete or not at all.
        ``directory`` defaults to ``config.download_dir`` or the user's download folder.
        """
        target = Path(directory) if directory is not None else self._core.config.downloads
        mail = await self._core.fetch(self._address, _id(message))  # the names as the server knows them
        return [await save_atomically(target, attachment.name, self._writer(mail.id, attachment))
                for attachment in mail.attachments]

    def _writer(self, message_id: str, attachment: ApiAttachment) -> Callable[[Sink], Awaitable[int]]:
        async def write(sink: Sink) -> int:
            return await self._core.download(self._address, message_id, attachment.name, sink,
                                             expected_size=attachment.size)

        return write

    async def delete(self, message: MessageRef) -> bool:
        """Delete one message; False when it was not there."""
        return await self._core.delete(self._address, [_id(message)]) > 0
