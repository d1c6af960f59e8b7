"""Child side: ``python -m benchmarks.child MODULE.FUNCTION`` runs one scenario.

``FUNCTION`` is an ``async def scenario(channel, params)`` in
``benchmarks/MODULE.py``. The first stdin line is its parameters (JSON); later
lines are commands from the parent. Answers are JSON lines on the original
stdout (file descriptor 1 is moved to stderr first, so nothing else can write
into the protocol).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import sys
import threading
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TextIO


class Channel:
    """Lines to and from the parent."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._inbox: asyncio.Queue[dict[str, Any]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: list[dict[str, Any]] = []

    def emit(self, kind: str, **data: Any) -> None:
        self._out.write(json.dumps({"kind": kind, **data}) + "\n")
        self._out.flush()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._inbox = asyncio.Queue()
        for message in self._pending:
            self._inbox.put_nowait(message)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in sys.stdin:
            line = line.strip()
            if line and self._loop is not None and self._inbox is not None:
                self._loop.call_soon_threadsafe(self._inbox.put_nowait, json.loads(line))
        if self._loop is not None and self._inbox is not None:
            self._loop.call_soon_threadsafe(self._inbox.put_nowait, {"kind": "stop"})

    async def receive(self) -> dict[str, Any]:
        assert self._inbox is not None
        return await self._inbox.get()

    async def wait_for(self, kind: str) -> dict[str, Any]:
        while True:
            message = await self.receive()
            if message.get("kind") in (kind, "stop"):
                return message


Scenario = Callable[[Channel, dict[str, Any]], Awaitable[None]]


def find(name: str) -> Scenario:
    module_name, _, function = name.rpartition(".")
    module = importlib.import_module(f"benchmarks.{module_name}")
    scenario: Scenario = getattr(module, function)
    return scenario


def main() -> None:
    out = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol
    sys.stdout = sys.stderr
    channel = Channel(out)
    try:
        params = json.loads(sys.stdin.readline())
        scenario = find(sys.argv[1])

        async def run() -> None:
            channel.start(asyncio.get_running_loop())
            await scenario(channel, params)

        asyncio.run(run())
    except BaseException as exc:  # report, never hang the parent
        traceback.print_exc()
        channel.emit("error", error=f"{type(exc).__name__}: {exc}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
