"""Saving a streamed download without ever overwriting or leaving debris.

    path = await save_atomically(directory, attachment.name,
                                 lambda sink: sync.download(address, mail_id, attachment.name,
                                                            sink, expected_size=attachment.size))

or, when the caller wants the sink for longer::

    async with AtomicSave(directory, name) as save:
        await client.download_attachment(sid, mail_id, name, save.write)
    print(save.path)

Bytes go to a hidden ``.tmtui-*.part`` file in the target directory. On
success it is flushed, fsynced, made 0644 and *linked* to the first free name
of ``name``, ``name (1)``, ``name (2)``... ``os.link`` fails if the name exists,
so two saves racing for one name both succeed under different names and an
existing file is never replaced; where hard links are not supported an
``O_EXCL`` placeholder is created and then replaced by the file. On any error
or cancellation the temporary file is removed.

Chunks are written synchronously from the event loop: a buffered write of a
64 KB chunk to the page cache takes microseconds, while ``asyncio.to_thread``
per chunk costs more than the write. The slow steps (fsync, link) run in a
thread. The name is made safe with :func:`tmtui.safety.safe_filename`.

The fsync stays: it is what makes "no half-written file under the final name"
hold across a crash or power cut (the link makes the name point at data that
is already on disk; without it, ext4 and others may show the name with a
short or empty file after a crash). What made it cost (a fifth of a 5 MB save
on loopback) was waiting at the end for all 5 MB to reach the disk: every
``SYNC_EVERY`` bytes a ``fdatasync`` is started on a thread while the download
goes on, so the final fsync only waits for the tail. A background sync's error
is kept and raised at commit (the kernel reports a write-back error once per
open file, so the final fsync alone might not see it).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from tmtui.safety import numbered_name

__all__ = ["AtomicSave", "Sink", "save_atomically"]

Sink = Callable[[bytes], None]
MAX_NUMBER = 10_000
SYNC_EVERY = 1024 * 1024  # bytes written between two background fdatasyncs


def _fdatasync(fd: int) -> None:
    """Data and size, not times (macOS has only fsync)."""
    (getattr(os, "fdatasync", None) or os.fsync)(fd)
# errno values meaning "this file system has no hard links" (FAT, some shares).
_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS,
             getattr(errno, "ENOTSUP", errno.EPERM), getattr(errno, "EOPNOTSUPP", errno.EPERM)}


def _claim(temporary: str, directory: Path, name: str) -> Path:
    """Give ``temporary`` the first free numbered form of ``name``; never overwrite."""
    use_link = True
    for number in range(MAX_NUMBER):
        final = directory / numbered_name(name, number)
        if use_link:
            try:
                os.link(temporary, final)
            except FileExistsError:
                continue
            except (NotImplementedError, AttributeError):
                use_link = False
            except OSError as exc:
                if exc.errno not in _NO_LINKS:
                    raise
                use_link = False
            else:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                return final
        try:  # reserve the name, then move the file over the reservation
            os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            continue
        try:
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(final)
            raise
        return final
    raise FileExistsError(errno.EEXIST, f"no free name for {name!r}", str(directory))


class AtomicSave:
    """A temporary file in ``directory`` that becomes ``name`` (or ``name (n)``)
    on :meth:`commit`, or disappears on :meth:`discard`. As an async context
    manager it commits on success and discards on any exception."""

    def __init__(self, directory: Path | str, name: str) -> None:
        # Absolute, so every path shown or printed says where the file really is.
        self.directory = Path(directory).absolute()
        self.name = name
        self.size = 0
        self.path: Path | None = None
        self._file: IO[bytes] | None = None
        self._temporary: str | None = None
        self._unsynced = 0  # bytes written since the last background sync started
        self._syncing: asyncio.Future[None] | None = None
        self._sync_error: OSError | None = None

    def open(self) -> None:
        """Create the directory if needed and the temporary file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, self._temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmtui-",
                                               suffix=".part")
        self._file = os.fdopen(fd, "wb")

    def write(self, chunk: bytes) -> None:
        """The sink: append one chunk."""
        if self._file is None:
            raise ValueError("AtomicSave is not open")
        self._file.write(chunk)
        self.size += len(chunk)
        self._unsynced += len(chunk)
        if self._unsynced >= SYNC_EVERY and (self._syncing is None or self._syncing.done()):
            self._sync_soon()

    def _sync_soon(self) -> None:
        """Start writing what is in the page cache to disk, on a thread (see the module's notes)."""
        assert self._file is not None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # written outside a loop: the final fsync does it all
        self._unsynced = 0
        self._file.flush()
        fd = os.dup(self._file.fileno())  # its own descriptor: discard() may close the file meanwhile
        self._syncing = loop.run_in_executor(None, self._sync_and_close, fd)

    def _sync_and_close(self, fd: int) -> None:
        try:
            _fdatasync(fd)
        except OSError as exc:
            self._sync_error = exc
        finally:
            os.close(fd)

    async def commit(self) -> Path:
        """Flush, fsync, chmod 0644 and claim the final name (in a thread).

        Cancelled meanwhile, it lets the thread finish, then removes the file.
        """
        if self._syncing is not None:
            try:
                await asyncio.wait([self._syncing])  # waited for, never cancelled: it owns a descriptor
            except asyncio.CancelledError:
                self.discard()
                raise
        task = asyncio.ensure_future(asyncio.to_thread(self._finish))
        try:
            self.path = await asyncio.shield(task)
        except asyncio.CancelledError:
            while not task.done():
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.shield(task)
            if not task.cancelled() and task.exception() is None:
                with contextlib.suppress(OSError):
                    os.unlink(task.result())
            raise
        return self.path

    def discard(self) -> None:
        """Close and remove the temporary file; safe to call more than once."""
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None

    def _finish(self) -> Path:
        if self._file is None or self._temporary is None:
            raise ValueError("AtomicSave is not open")
        try:
            if self._sync_error is not None:
                raise self._sync_error
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            os.chmod(self._temporary, 0o644)
            final = _claim(self._temporary, self.directory, self.name)
        except BaseException:
            self.discard()
            raise
        self._temporary = None
        return final

    async def __aenter__(self) -> AtomicSave:
        self.open()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if exc_type is None:
            await self.commit()
        else:
            self.discard()


async def save_atomically(directory: Path | str, name: str,
                          write: Callable[[Sink], Awaitable[object]]) -> Path:
    """Run ``write(sink)`` (e.g. a download that feeds ``sink`` chunk by
    chunk) and save what it wrote as ``name`` in ``directory``, created if
    missing. Returns the final path; leaves nothing behind on failure."""
    async with AtomicSave(directory, name) as save:
        await write(save.write)
    assert save.path is not None
    return save.path
