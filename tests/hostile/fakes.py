"""FakeUnscrubbingServer: the reference server, minus its own header scrubbing.

The reference server flattens control characters in subjects, senders and
file names; another server (NOTES.md: "the client must survive both") may
pass them on. This transport forwards everything to the real server and, in
the JSON of ``get_email_list`` and ``fetch_email``, swaps every ``⟦n⟧``
marker (tests/hostile/corpus.py ``raw()``) for its raw value, declares the
lying sizes of ``lying()`` attachments, and maps raw file names back to their
markers when the app asks for an attachment.

FakeHostileServer: the same, telling one more lie outside any mail
(``corpus.SERVER_CASES``): a mailbox address, a domain list, an error text or a
header that no honest server sends.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import httpx

from tests.faults.fakes import Fault, FaultyTransport, reply, rewrite

from .corpus import LIES, RAW, ServerCase

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


def with_header(name: str, value: str) -> Fault:
    """Forward, then answer with one more (or a changed) response header."""

    async def fault(transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        upstream = await transport.forward(request)
        body = await upstream.aread()
        await upstream.aclose()
        headers = [(k, v) for k, v in upstream.headers.multi_items()
                   if k.lower() not in ("content-length", "content-encoding", name.lower())]
        return httpx.Response(upstream.status_code, headers=[*headers, (name, value)], content=body,
                              request=request)

    return fault


class FakeHostileServer(FakeUnscrubbingServer):
    def __init__(self, lie: ServerCase) -> None:
        super().__init__()
        self.lie = lie
        if lie.header is not None:
            fault = with_header(*lie.header)
        elif lie.status is not None:
            fault = reply(lie.status, lie.body)
        else:
            assert lie.change is not None
            fault = rewrite(lie.change)
        self.inject(lie.route, fault, times=None)
