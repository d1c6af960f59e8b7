"""Mailbox: the blocking twin of :class:`~tmtui.pyapi.async_mailbox.AsyncMailbox`.

    with Mailbox.create(server=url) as box:
        sign_up(box.address)
        code = box.wait_for_code(timeout=60)

Each Mailbox runs an asyncio event loop on a daemon thread of its own, from
``create`` / ``open`` until ``close``, and every method runs the matching
AsyncMailbox coroutine there and blocks until it is done. The loop (and so the
mailbox's event stream and watcher) stays alive between calls: a mail that
arrives while your code is busy is waiting for the next ``wait``. (A fresh
``asyncio.run`` per call would close the stream after each call, and mail
stored while it was down would rely on the time cutoff alone.)

Safe to call from any thread, including from inside another event loop (the
call blocks that loop while it waits: in async code use AsyncMailbox).
Ctrl-C during a call cancels the call and leaves the mailbox usable.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from tmtui.config import Config
from tmtui.pyapi.async_mailbox import DEFAULT_TIMEOUT, AsyncMailbox, MessageRef, Pattern
from tmtui.pyapi.message import Message, Summary

T = TypeVar("T")


class _LoopThread:
    """An event loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="tmtui-mailbox", daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the loop and wait for its result (or its exception)."""
        if threading.current_thread() is self.thread:
            work.close()
            raise RuntimeError("a Mailbox cannot be used from its own loop: use AsyncMailbox there")
        future = asyncio.run_coroutine_threadsafe(work, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # Ctrl-C: the call stops, the mailbox stays usable
            raise

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.run(self._tidy())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


    async def _tidy(self) -> None:
        await self.loop.shutdown_asyncgens()
        await self.loop.shutdown_default_executor()


class Mailbox:
    """A disposable mailbox for synchronous code: the methods of AsyncMailbox, blocking.

    Make one with :meth:`create` or :meth:`open`; close it with :meth:`close`
    or ``with``. See :class:`~tmtui.pyapi.async_mailbox.AsyncMailbox` for what
    each method does and raises.
    """

    def __init__(self, box: AsyncMailbox, runner: _LoopThread) -> None:
        """Use :meth:`create` or :meth:`open`."""
        self._box = box
        self._runner = runner

    @classmethod
    def _start(cls, make: Coroutine[Any, Any, AsyncMailbox], runner: _LoopThread) -> Mailbox:
        try:
            return cls(runner.run(make), runner)
        except BaseException:
            runner.stop()
            raise

    @classmethod
    def create(cls, *, server: str | None = None, domain: str | None = None, name: str | None = None,
               label: str | None = None, persist: bool = False, config: Config | None = None) -> Mailbox:
        """A new mailbox (see :meth:`AsyncMailbox.create`)."""
        runner = _LoopThread()
        return cls._start(AsyncMailbox.create(server=server, domain=domain, name=name, label=label,
                                              persist=persist, config=config), runner)

    @classmethod
    def open(cls, address: str, *, server: str | None = None, takeover: bool = False,
             label: str | None = None, persist: bool = False, config: Config | None = None) -> Mailbox:
        """An existing address (see :meth:`AsyncMailbox.open`)."""
        runner = _LoopThread()
        return cls._start(AsyncMailbox.open(address, server=server, takeover=takeover, label=label,
                                            persist=persist, config=config), runner)

    def close(self) -> None:
        """Stop watching, close the client and end the loop's thread. Safe to call twice."""
        if self._runner.loop.is_closed():
            return
        try:
            self._runner.run(self._box.aclose())
        finally:
            self._runner.stop()

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Mailbox {self.address} on {self.server}>"

    @property
    def address(self) -> str:
        return self._box.address

    @property
    def server(self) -> str:
        return self._box.server

    @property
    def label(self) -> str | None:
        return self._box.label

    @property
    def async_mailbox(self) -> AsyncMailbox:
        """The AsyncMailbox behind this one (it lives on this Mailbox's own loop)."""
        return self._box

    def wait(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
             subject: Pattern = None) -> Message:
        """The first new matching mail; TimeoutError after ``timeout`` s (see :meth:`AsyncMailbox.wait`)."""
        return self._runner.run(self._box.wait(timeout, sender=sender, subject=subject))

    def wait_for_code(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
                      subject: Pattern = None) -> str:
        """The one-time code of the first new matching mail that has one; TimeoutError after ``timeout`` s."""
        return self._runner.run(self._box.wait_for_code(timeout, sender=sender, subject=subject))

    def wait_for_link(self, timeout: float | None = DEFAULT_TIMEOUT, *, sender: Pattern = None,
                      subject: Pattern = None) -> str:
        """The confirmation link of the first new matching mail that has one; TimeoutError after ``timeout`` s."""
        return self._runner.run(self._box.wait_for_link(timeout, sender=sender, subject=subject))

    def messages(self) -> list[Summary]:
        """Every message in the mailbox, newest first."""
        return self._runner.run(self._box.messages())

    def read(self, message: MessageRef) -> Message:
        """One message in full (marks it read)."""
        return self._runner.run(self._box.read(message))

    def save(self, message: MessageRef, directory: str | Path | None = None) -> list[Path]:
        """Write every attachment into ``directory``; returns the paths."""
        return self._runner.run(self._box.save(message, directory))

    def delete(self, message: MessageRef) -> bool:
        """Delete one message; False when it was not there."""
        return self._runner.run(self._box.delete(message))
