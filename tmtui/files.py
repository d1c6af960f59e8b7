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
short or empty file after a crash). It cost a fifth of a 5 MB save on
loopback, all of it waiting at the end for 5 MB to reach the disk: on Linux
the write-back of every ``SYNC_EVERY`` bytes is started as the download goes
on (``posix_fadvise``, which returns at once), so the final fsync mostly finds
the data written. Errors of that write-back are reported by the final fsync.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from tmtui.safety import numbered_name

__all__ = ["AtomicSave", "Sink", "save_atomically"]

Sink = Callable[[bytes], None]
MAX_NUMBER = 10_000
SYNC_EVERY = 512 * 1024  # bytes written between two starts of write-back


def _start_writeback(fd: int, offset: int, length: int) -> None:
    """Start writing a range of the file to disk and return at once (Linux: POSIX_FADV_DONTNEED
    on dirty pages starts their write-back; pages already clean leave the cache). Elsewhere
    nothing: the final fsync does it all."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None and sys.platform.startswith("linux"):
        advise(fd, offset, length, os.POSIX_FADV_DONTNEED)


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
        self._unsynced = 0  # bytes written since write-back was last started
        self._synced_to = 0  # write-back started for the bytes before this offset

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
        if self._unsynced >= SYNC_EVERY:
            self._start_writeback_so_far()

    def _start_writeback_so_far(self) -> None:
        """Have the kernel start writing the bytes since the last call to disk, without waiting."""
        assert self._file is not None
        start, self._synced_to = self._synced_to, self.size
        self._unsynced = 0
        self._file.flush()
        with contextlib.suppress(OSError):
            _start_writeback(self._file.fileno(), start, self.size - start)

    async def commit(self) -> Path:
        """Flush, fsync, chmod 0644 and claim the final name (in a thread).

        Cancelled meanwhile, it lets the thread finish, then removes the file.
        """
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
