"""Named fakes for faults the reference server cannot make by itself.

``FaultyTransport`` is an httpx transport that forwards every request to the
real server over loopback (``httpx.AsyncHTTPTransport``) unless a rule for its
route says otherwise. The app's ``TempMailClient`` is built on it, so REST
calls and the SSE stream both pass through::

    faulty = FaultyTransport()
    faulty.inject("fetch_email", reply(401, {"error": "Missing or invalid sid_token"}))
    faulty.inject("/events/mailbox", cut_mid_event(b"event: changed"), times=None)
    client = TempMailClient(server.base_url, transport=faulty)

Routes are the ``f=`` action of ``/ajax.php`` or a path (``/events/mailbox``).
A rule fires ``times`` times (None: until removed). Faults:

- ``reply(status, body, ...)``: answer without asking the server (401, 429
  with Retry-After, an HTML error page, garbage JSON...).
- ``raise_(httpx.ReadTimeout)``: the request fails as httpx would fail it
  (headers slower than the timeout, without waiting 12 s).
- ``cut_after(n)``: forward, then break the body with ``httpx.ReadError``
  after ``n`` bytes (connection reset mid-attachment).
- ``cut_mid_event(marker)``: forward an SSE stream and break it in the middle
  of the first event that contains ``marker``.
- ``rewrite(fn)``: forward and let ``fn`` change the decoded JSON body.

``FakeFullDisk`` makes writes to files in one directory fail with ENOSPC, and
``FakeReadOnlyDir`` makes creating files in one directory fail with EACCES (a
real chmod does not stop root, which the tests may run as).
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

Fault = Callable[["FaultyTransport", httpx.Request], Awaitable[httpx.Response]]


def route_of(request: httpx.Request) -> str:
    if request.url.path.endswith("/ajax.php"):
        return request.url.params.get("f", "")
    return request.url.path


@dataclass
class Rule:
    route: str
    fault: Fault
    times: int | None
    fired: int = 0

    @property
    def live(self) -> bool:
        return self.times is None or self.fired < self.times


@dataclass
class FaultyTransport(httpx.AsyncBaseTransport):
    """Forward to the real server; inject the faults of matching rules."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    rules: list[Rule] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # the route of every request, in order
    times: list[tuple[str, float]] = field(default_factory=list)  # (route, monotonic time)
    injected: list[str] = field(default_factory=list)

    def inject(self, route: str, fault: Fault, *, times: int | None = 1) -> Rule:
        rule = Rule(route, fault, times)
        self.rules.append(rule)
        return rule

    def clear(self, route: str | None = None) -> None:
        self.rules = [r for r in self.rules if route is not None and r.route != route]

    def count(self, route: str) -> int:
        return self.seen.count(route)

    async def forward(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = route_of(request)
        self.seen.append(route)
        self.times.append((route, time.monotonic()))
        for rule in self.rules:
            if rule.route == route and rule.live:
                rule.fired += 1
                self.injected.append(route)
                return await rule.fault(self, request)
        return await self.forward(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


# Faults -------------------------------------------------------------------------------


def reply(status: int, body: Any = None, *, content_type: str | None = None,
          headers: dict[str, str] | None = None) -> Fault:
    """Answer ``status`` with ``body`` (a dict/list is JSON; bytes/str are sent as they are)."""
    if isinstance(body, (dict, list)):
        content, kind = json.dumps(body).encode(), "application/json"
    elif isinstance(body, str):
        content, kind = body.encode(), "text/plain; charset=utf-8"
    else:
        content, kind = body or b"", "application/octet-stream"

    async def fault(_transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return httpx.Response(status, content=content, request=request,
                              headers={"content-type": content_type or kind, **(headers or {})})

    return fault


def raise_(error: type[httpx.TransportError]) -> Fault:
    async def fault(_transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        raise error("injected by FaultyTransport", request=request)

    return fault


class _BrokenStream(httpx.AsyncByteStream):
    """The upstream body, broken by ``stop(seen_so_far, chunk)``: it returns how
    much of ``chunk`` still goes out before ``httpx.ReadError``, or None."""

    def __init__(self, upstream: httpx.Response,
                 stop: Callable[[int, bytes], int | None]) -> None:
        self.upstream = upstream
        self.stop = stop

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        async for chunk in self.upstream.aiter_raw():
            keep = self.stop(sent, chunk)
            if keep is not None:
                if keep:
                    yield chunk[:keep]
                raise httpx.ReadError("connection reset (injected by FaultyTransport)")
            sent += len(chunk)
            yield chunk

    async def aclose(self) -> None:
        await self.upstream.aclose()


def _wrap(request: httpx.Request, upstream: httpx.Response,
          stop: Callable[[int, bytes], int | None]) -> httpx.Response:
    return httpx.Response(upstream.status_code, headers=upstream.headers,
                          stream=_BrokenStream(upstream, stop), request=request,
                          extensions=upstream.extensions)


def cut_after(limit: int) -> Fault:
    """Forward, then reset the connection once ``limit`` body bytes went out."""

    async def fault(transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        upstream = await transport.forward(request)

        def stop(sent: int, chunk: bytes) -> int | None:
            return max(0, limit - sent) if sent + len(chunk) > limit else None

        return _wrap(request, upstream, stop)

    return fault


def cut_mid_event(marker: bytes) -> Fault:
    """Forward an SSE stream; cut it in the middle of the event holding ``marker``."""

    async def fault(transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        upstream = await transport.forward(request)

        def stop(_sent: int, chunk: bytes) -> int | None:
            at = chunk.find(marker)
            return None if at < 0 else at + len(marker) + 8  # into the data line

        return _wrap(request, upstream, stop)

    return fault


def rewrite(change: Callable[[Any], Any]) -> Fault:
    """Forward and pass the decoded JSON body through ``change``."""

    async def fault(transport: FaultyTransport, request: httpx.Request) -> httpx.Response:
        upstream = await transport.forward(request)
        body = await upstream.aread()
        await upstream.aclose()
        headers = {k: v for k, v in upstream.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")}
        try:
            data = json.loads(body)
        except ValueError:
            return httpx.Response(upstream.status_code, headers=headers, content=body, request=request)
        return httpx.Response(upstream.status_code, headers=headers, request=request,
                              content=json.dumps(change(data)).encode())

    return fault


# The disk -------------------------------------------------------------------------------


class FakeFullDisk:
    """Writes to files opened inside ``directory`` fail with ENOSPC (a full disk).

    Patches ``os.fdopen`` (how tmtui.files opens its temporary file) so the
    returned file object's ``write`` raises; everything else is untouched.
    Use as a context manager.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = str(directory)
        self.refused = 0
        self._saved: Any = None

    def __enter__(self) -> FakeFullDisk:
        real_fdopen = os.fdopen
        fake = self

        class FullFile:
            def __init__(self, handle: Any) -> None:
                self._handle = handle

            def write(self, data: bytes) -> int:
                fake.refused += 1
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __getattr__(self, name: str) -> Any:
                return getattr(self._handle, name)

        def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
            handle = real_fdopen(fd, *args, **kwargs)
            name = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else ""
            return FullFile(handle) if name.startswith(fake.directory) else handle

        self._saved = real_fdopen
        os.fdopen = fdopen  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        os.fdopen = self._saved  # type: ignore[assignment]


class FakeReadOnlyDir:
    """``tempfile.mkstemp`` in ``directory`` fails with EACCES, as on a read-only
    directory. A context manager."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.refused = 0
        self._saved: Any = None

    def __enter__(self) -> FakeReadOnlyDir:
        real = tempfile.mkstemp
        fake = self

        def mkstemp(*args: Any, **kwargs: Any) -> Any:
            if Path(kwargs.get("dir") or "") == fake.directory:
                fake.refused += 1
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(fake.directory))
            return real(*args, **kwargs)

        self._saved = real
        tempfile.mkstemp = mkstemp  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        tempfile.mkstemp = self._saved  # type: ignore[assignment]


__all__ = ["FakeFullDisk", "FakeReadOnlyDir", "FaultyTransport", "cut_after", "cut_mid_event",
           "raise_", "reply", "rewrite", "route_of"]
