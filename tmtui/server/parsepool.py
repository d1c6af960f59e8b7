"""Parsing big mail in a worker process, so the event loop never competes with it for the GIL.

The ``email`` package is pure Python: a 24 MiB mail takes seconds of CPU and
tens of MiB of memory to parse. In a thread it would hold the GIL most of
that time and every ``/health`` and stream would wait for it; in a process
the server's loop keeps its core. The worker (parseworker.py) reads the
spooled file itself (the raw bytes never cross a pipe) and sends back the
parsed mail over its stdout. One mail at a time: memory stays bounded.

It is a plain child process on asyncio pipes, not a multiprocessing pool: no
resource-tracker process, no re-import of the parent's ``__main__``. It
starts on the first big mail (small ones parse inline, faster than a process
hop), is replaced after ``RECYCLE_AFTER`` mails, and if it dies the mail at
hand gets a temporary error (its sender retries) and the next one a new worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from pathlib import Path

import tmtui
from tmtui.server.mailparse import ParsedMail, TooManyParts
from tmtui.server.parseworker import HEADER, frame

log = logging.getLogger(__name__)

RECYCLE_AFTER = 200


class ParserUnavailable(RuntimeError):
    """The worker process failed; the mail can be retried."""


def _worker_env() -> dict[str, str]:
    # The worker must import the same tmtui as this process, however this one found it.
    package_root = str(Path(tmtui.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


class ParserPool:
    def __init__(self, max_parts: int) -> None:
        self._max_parts = max_parts
        self._proc: asyncio.subprocess.Process | None = None
        self._served = 0
        self._lock = asyncio.Lock()

    async def _worker(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tmtui.server.parseworker", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, env=_worker_env())
            self._served = 0
        return self._proc

    async def parse(self, source: Path | bytes, envelope_from: str | None) -> ParsedMail:
        """Parse a spooled mail (or raw bytes) in the worker. Raises TooManyParts or ParserUnavailable."""
        async with self._lock:
            try:
                kind, value = await self._ask(source, envelope_from)
            except (OSError, EOFError, asyncio.IncompleteReadError, pickle.UnpicklingError) as exc:
                log.error("the mail parser process failed (%s); the sender will be asked to retry", exc)
                await self.close()
                raise ParserUnavailable("the mail parser is not available") from None
            self._served += 1
            if self._served >= RECYCLE_AFTER:
                await self.close()
        if kind == "too_many" and isinstance(value, int):
            raise TooManyParts(value)
        if kind != "ok" or not isinstance(value, ParsedMail):
            log.error("the mail parser could not read a spooled mail: %s", value)
            raise ParserUnavailable(str(value))
        return value

    async def _ask(self, source: Path | bytes, envelope_from: str | None) -> tuple[str, object]:
        worker = await self._worker()
        assert worker.stdin is not None and worker.stdout is not None
        request = source if isinstance(source, bytes) else str(source)
        worker.stdin.write(frame(pickle.dumps((request, envelope_from, self._max_parts))))
        await worker.stdin.drain()
        size = int.from_bytes(await worker.stdout.readexactly(HEADER), "big")
        kind, value = pickle.loads(await worker.stdout.readexactly(size))
        return str(kind), value

    async def close(self) -> None:
        """Stop the worker (it exits when its stdin closes; killed if it does not)."""
        proc, self._proc = self._proc, None
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 2)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
