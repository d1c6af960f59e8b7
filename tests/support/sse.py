"""Read a Server-Sent Events stream with plain httpx (no client library in between).

    async with open_events(client, token) as stream:
        assert stream.status == 200
        state = await stream.next_event()          # SseEvent(event="state", data=..., retry=2000)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class SseEvent:
    event: str
    data: str
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SseStream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self._lines = response.aiter_lines()

    async def body_json(self) -> Any:
        """For a refused stream (4xx/5xx): its JSON error body."""
        return json.loads(await self.response.aread())

    async def next_event(self, timeout: float = 2.0) -> SseEvent:
        """The next dispatched event (AssertionError if the stream ends first)."""
        event = await asyncio.wait_for(self._read_event(), timeout)
        assert event is not None, "the event stream ended"
        return event

    async def ended(self, timeout: float = 2.0) -> bool:
        """True when the server ends the stream before sending another event."""
        return await asyncio.wait_for(self._read_event(), timeout) is None

    async def _read_event(self) -> SseEvent | None:
        event, retry = "message", None
        data: list[str] = []
        async for line in self._lines:
            if line == "":
                if data or retry is not None:
                    return SseEvent(event, "\n".join(data), retry)
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "retry":
                retry = int(value)
        return None


@asynccontextmanager
async def open_events(client: httpx.AsyncClient, token: str) -> AsyncIterator[SseStream]:
    async with client.stream("GET", "/events/mailbox", params={"token": token}) as response:
        yield SseStream(response)
