"""Streamed attachment download: chunks go to a sink, the body is never held whole.

Limits are checked as early as the information allows: a Content-Length (or a
declared size) over ``max_bytes`` fails before the first byte is read; a body
that grows past ``max_bytes`` or past the size the server declared fails on the
chunk that crosses the line (decoded bytes count, so a compressed bomb is cut
off too); a body shorter than its Content-Length, or than the declared size,
fails at the end. On any error the sink may already hold part of the file: the
caller discards it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING

from tmtui.api.errors import (
    ProtocolError,
    RequestTimeout,
    SizeMismatch,
    TooLarge,
    TransportError,
)
from tmtui.api.lazy import httpx_module
from tmtui.api.meta import meta_from_headers
from tmtui.api.secret import Secret
from tmtui.api.transport import ApiTransport

if TYPE_CHECKING:
    import httpx
else:
    httpx = httpx_module()  # imported at the first request: tmtui.api.lazy

# Called with each chunk; a result that is awaitable is awaited (an async sink),
# any other is ignored (so a file's write() will do).
Sink = Callable[[bytes], object]
Progress = Callable[[int, int | None], None]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
LABEL = "fetch_attachment"


def _content_length(response: httpx.Response) -> int | None:
    raw = response.headers.get("content-length")
    if raw is None:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        return None  # h11 rejects these on real connections; ignore elsewhere
    return value if value >= 0 else None


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _check_declared(length: int | None, expected_size: int | None, max_bytes: int) -> None:
    if length is not None and length > max_bytes:
        raise TooLarge(f"The attachment is larger than the {_mb(max_bytes)} limit")
    if length is not None and expected_size is not None and length > expected_size:
        raise SizeMismatch("The server is sending more bytes than the attachment's declared size")


def _check_received(received: int, max_bytes: int, expected_size: int | None,
                    length: int | None) -> None:
    """After each chunk: ``length`` is the Content-Length of an unencoded body, else None."""
    if received > max_bytes:
        raise TooLarge(f"The attachment is larger than the {_mb(max_bytes)} limit")
    if expected_size is not None and received > expected_size:
        raise SizeMismatch("The attachment is larger than its declared size")
    if length is not None and received > length:
        raise SizeMismatch("The attachment is longer than its Content-Length")


def _check_complete(response: httpx.Response, length: int | None, received: int,
                    expected_size: int | None) -> None:
    """Compare what came over the wire with what the server promised."""
    if length is not None and response.num_bytes_downloaded < length:
        raise SizeMismatch(f"The download ended after {response.num_bytes_downloaded} of "
                           f"{length} bytes")
    if expected_size is not None and received < expected_size:
        # A complete response that is shorter than the attachment's listed size:
        # the file is not the one the mail announced.
        raise SizeMismatch(f"The attachment has {received} bytes, not the {expected_size} "
                           "its mail declared")


async def _pump(response: httpx.Response, sink: Sink, check: Callable[[int], None],
                on_progress: Progress | None, total: int | None) -> int:
    """Every chunk of the body into ``sink``, checked first; httpx errors become typed ones."""
    received = 0
    try:
        async for chunk in response.aiter_bytes():
            received += len(chunk)
            check(received)
            result = sink(chunk)
            if inspect.isawaitable(result):
                await result
            if on_progress is not None:
                on_progress(received, total)
    except httpx.TimeoutException:
        raise RequestTimeout(f"{LABEL}: the download stalled") from None
    except httpx.DecodingError:
        raise ProtocolError(f"{LABEL}: the download could not be decoded") from None
    except httpx.HTTPError as exc:
        raise TransportError(f"{LABEL}: the connection broke during the download "
                             f"({type(exc).__name__})") from exc
    return received


async def download_attachment(transport: ApiTransport, sid_token: Secret, email_id: str,
                              file_name: str, sink: Sink, *, expected_size: int | None = None,
                              max_bytes: int = DEFAULT_MAX_BYTES,
                              on_progress: Progress | None = None) -> int:
    """Stream one attachment into ``sink``; returns the number of bytes written."""
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    if expected_size is not None and expected_size < 0:
        raise ValueError("expected_size must not be negative")
    data = {"sid_token": sid_token.reveal(), "email_id": email_id, "file_name": file_name}
    async with transport.stream("POST", "/ajax.php", label=LABEL, params={"f": LABEL},
                                data=data, idempotent=True, meta_sid=sid_token) as response:
        # Binary responses carry session meta only in headers.
        transport.meta.update(sid_token, meta_from_headers(response.headers))
        length = _content_length(response)
        identity = response.headers.get("content-encoding", "identity").lower() == "identity"
        _check_declared(length, expected_size, max_bytes)
        # Decoded bytes are counted, so Content-Length bounds them only for an unencoded body.
        plain_length = length if identity else None
        received = await _pump(
            response, sink, lambda n: _check_received(n, max_bytes, expected_size, plain_length),
            on_progress, plain_length if plain_length is not None else expected_size)
        _check_complete(response, length, received, expected_size)
        return received
