"""Database: one writer thread for every write, a read-only connection for the event loop.

Before issue 13 every query ran on the event loop; storing one 24 MiB mail for
100 recipients froze ``/health`` and every stream for 17.8 s. Now writes go to
a single thread that owns the writable connection (SQLite has one writer at a
time anyway, and sqlite3 releases the GIL while it works), so the loop only
waits for them when a caller awaits the result. Reads stay on the loop's
thread: they are small, indexed, and in WAL mode never wait for the writer;
a write committed before its future resolves is visible to the next read.

``write`` is for coroutines; ``write_blocking`` is for synchronous callers
(start-up, the test controls, shutdown) and must not be used by request
handlers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tmtui.server.schema import open_database, open_reader
from tmtui.server.storage import Storage

T = TypeVar("T")


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = Storage(open_database(path))
        try:
            self.read = Storage(open_reader(path))
        except BaseException:
            self._writer.close()
            raise
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tmtui-db-writer")
        self._closed = False

    async def write(self, fn: Callable[[Storage], T]) -> T:
        """Run ``fn(storage)`` on the writer thread; the loop keeps serving meanwhile."""
        return await asyncio.wrap_future(self._thread.submit(fn, self._writer))

    def write_blocking(self, fn: Callable[[Storage], T]) -> T:
        """The same, waiting on this thread (start-up, test controls, shutdown only)."""
        return self._thread.submit(fn, self._writer).result()

    def close(self) -> None:
        """Finish queued writes, checkpoint, close both connections. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self.read.close()
            self._thread.submit(self._writer.close, True).result()
        finally:
            self._thread.shutdown(wait=True)
