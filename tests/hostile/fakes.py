"""FakeUnscrubbingServer: the reference server, minus its own header scrubbing.

The reference server flattens control characters in subjects, senders and
file names; another server (NOTES.md: "the client must survive both") may
pass them on. This transport forwards everything to the real server and, in
the JSON of ``get_email_list`` and ``fetch_email``, swaps every ``⟦n⟧``
marker (tests/hostile/corpus.py ``raw()``) for its raw value, declares the
lying sizes of ``lying()`` attachments, and maps raw file names back to their
markers when the app asks for an attachment.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.faults.fakes import FaultyTransport, rewrite

from .corpus import LIES, RAW

_MARKER = re.compile("\u27e6\\d+\u27e7")


def _swap(value: Any) -> Any:
    if isinstance(value, str):
        return _MARKER.sub(lambda m: RAW.get(m.group(), m.group()), value) if "\u27e6" in value else value
    if isinstance(value, list):
        return [_swap(v) for v in value]
    if isinstance(value, dict):
        if isinstance(value.get("name"), str) and value["name"] in LIES:
            value = {**value, "size": LIES[value["name"]]}
        return {k: _swap(v) for k, v in value.items()}
    return value


class FakeUnscrubbingServer(FaultyTransport):
    def __init__(self) -> None:
        super().__init__()
        self.inject("get_email_list", rewrite(_swap), times=None)
        self.inject("fetch_email", rewrite(_swap), times=None)
        self.requested_names: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("f") == "fetch_attachment":
            request = await self._unswap(request)
        return await super().handle_async_request(request)

    async def _unswap(self, request: httpx.Request) -> httpx.Request:
        form = {k: v[0] for k, v in parse_qs((await request.aread()).decode(), keep_blank_values=True).items()}
        name = form.get("file_name", "")
        self.requested_names.append(name)
        back = {v: k for k, v in RAW.items()}  # raw file names are whole markers, and unique
        if name in back:
            form["file_name"] = back[name]
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        return httpx.Request(request.method, request.url, headers=headers, data=form)
