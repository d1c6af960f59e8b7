"""A tiny HTTP server on 127.0.0.1 that records the requests a webhook sends, for tests.

    async with HookServer([500, 200]) as hook:     # answers, in order; the last repeats
        ... post to hook.url("/mail") ...
        await hook.received(2)
        assert hook.requests[0].json["subject"] == "Your code"

A 3xx answer carries ``Location: /moved`` (on this server), so a client that
followed redirects would show up as one more recorded request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

REASONS = {200: "OK", 204: "No Content", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class HookServer:
    def __init__(self, answers: Sequence[int] = (200,)) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self.port = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> HookServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def received(self, count: int, timeout: float = 10.0) -> None:
        """Until ``count`` requests have come."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.requests) >= count), timeout)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            async with self._changed:
                status = self.answers[min(len(self.requests), len(self.answers) - 1)]
                self.requests.append(Request(request_line[0], request_line[1], headers, body))
                self._changed.notify_all()
            extra = "Location: /moved\r\n" if 300 <= status < 400 else ""
            writer.write(f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}\r\n{extra}"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n".encode("latin-1"))
            await writer.drain()
        finally:
            writer.close()
