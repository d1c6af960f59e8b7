"""Request body -> Params: form-encoded (the contract), JSON and multipart tolerated.

Every value becomes a clean str, whatever the client sent (numbers, booleans,
lists, lone surrogates in JSON escapes), so the actions never meet a type they
did not expect and SQLite never meets a string it cannot encode. Anything
unreadable is a 400, an oversized body a 413; never a 500.
"""

from __future__ import annotations

import asyncio
import json
from email import policy
from email.message import Message
from email.parser import BytesParser
from urllib.parse import parse_qsl

from starlette.requests import Request

from tmtui.server.errors import ApiError
from tmtui.server.mailparse import clean_text

MAX_FIELDS = 1000
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


class Params:
    """Ordered (name, value) pairs; a repeated name keeps every value."""

    def __init__(self, pairs: list[tuple[str, str]] | None = None) -> None:
        self.pairs = pairs or []

    def get(self, name: str) -> str | None:
        for key, value in self.pairs:
            if key == name:
                return value
        return None

    def getlist(self, *names: str) -> list[str]:
        return [value for key, value in self.pairs if key in names]

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").strip().lower() in TRUE_WORDS


def bad_format(what: str = "Invalid data format") -> ApiError:
    return ApiError(400, what)


async def read_body(request: Request, limit: int, seconds: float) -> bytes:
    """The whole body, or 413 past ``limit`` bytes, or 408 if it takes longer than ``seconds``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "Request body too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):  # a body sent a byte a minute must not hold the connection
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "Request body too large")
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(408, "Request body timeout", headers={"Connection": "close"}) from None
    return b"".join(chunks)


async def read_params(request: Request, limit: int, seconds: float = 30.0) -> Params:
    return _parse(request, await read_body(request, limit, seconds))


def _parse(request: Request, body: bytes) -> Params:
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        return _from_json(body)
    if kind == "multipart/form-data":
        return _from_multipart(content_type, body)
    try:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as exc:
        raise bad_format("Too many fields") from exc
    return Params([(clean_text(k), clean_text(v)) for k, v in pairs])


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return clean_text(str(value))
    raise bad_format()


def _from_json(body: bytes) -> Params:
    if not body.strip():
        return Params()
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # includes UnicodeDecodeError, huge ints
        raise bad_format("Invalid JSON body") from exc
    if not isinstance(data, dict):
        raise bad_format("Invalid JSON body")
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        pairs.extend((clean_text(key), _scalar(v)) for v in values if v is not None)
        if len(pairs) > MAX_FIELDS:
            raise bad_format("Too many fields")
    return Params(pairs)


def _from_multipart(content_type: str, body: bytes) -> Params:
    """multipart/form-data via the email parser (no python-multipart dependency)."""
    try:
        head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
        msg: Message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
        if not msg.is_multipart():
            raise bad_format()
        pairs: list[tuple[str, str]] = []
        for part in msg.get_payload():
            if not isinstance(part, Message):
                continue
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            pairs.append((clean_text(name), clean_text(value)))
            if len(pairs) > MAX_FIELDS:
                raise bad_format("Too many fields")
        return Params(pairs)
    except ApiError:
        raise
    except Exception as exc:
        raise bad_format() from exc
