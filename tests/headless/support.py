"""Helpers for the headless tests: run ``python -m tmtui`` as a real process."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROCESS_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Result:
    code: int
    out: str
    err: str


class Runner:
    def __init__(self, server_url: str | None) -> None:
        """``server_url`` None: no ``--server`` (the environment or config decides)."""
        self.server_url = server_url
        self.env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def argv(self, args: tuple[str, ...]) -> list[str]:
        server = ["--server", self.server_url] if self.server_url else []
        return [sys.executable, "-m", "tmtui", *server, *args]

    async def spawn(self, *args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *self.argv(args), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self.env)

    @staticmethod
    async def finish(process: asyncio.subprocess.Process, timeout: float = PROCESS_TIMEOUT) -> Result:
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        assert process.returncode is not None
        return Result(process.returncode, out.decode("utf-8"), err.decode("utf-8"))

    async def __call__(self, *args: str) -> Result:
        return await self.finish(await self.spawn(*args))


def write_config(path: Path, **values: object) -> None:
    # TOML's booleans are lower case; other values are written as Python literals (numbers, strings).
    lines = [f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value)}"
             for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
