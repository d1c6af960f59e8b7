"""``python -m tmtui.server.parseworker``: the mail parser process (see parsepool.py).

It reads requests from stdin and writes answers to stdout, each a pickled
tuple behind an 8-byte length: ``(source, envelope_from, max_parts)`` in (the
source is a spool file's path, or the raw bytes of a mail small enough to
have stayed in memory),
``("ok", ParsedMail)``, ``("too_many", limit)`` or ``("error", text)`` out.
It exits when stdin closes. After each mail it hands freed memory back to the
system, so between mails it is as small as when it started.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import pickle
import sys
from pathlib import Path
from typing import BinaryIO

from tmtui.server.mailparse import TooManyParts, parse_file, parse_message

HEADER = 8


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER)
    if len(header) < HEADER:
        return None
    size = int.from_bytes(header, "big")
    payload = stream.read(size)
    return payload if len(payload) == size else None


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER, "big") + payload


def give_memory_back() -> None:
    """glibc keeps freed heap otherwise, and the process would stay at its peak."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def answer(request: bytes) -> bytes:
    source, envelope_from, max_parts = pickle.loads(request)
    try:
        if isinstance(source, bytes):
            parsed = parse_message(source, envelope_from, max_parts=max_parts)
        else:
            parsed = parse_file(Path(source), envelope_from, max_parts=max_parts)
        result: tuple[str, object] = ("ok", parsed)
    except TooManyParts as exc:
        result = ("too_many", exc.limit)
    except Exception as exc:  # parse_file falls back on its own; this is an I/O error or worse
        result = ("error", f"{type(exc).__name__}: {exc}")
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def main() -> None:
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while (request := read_frame(source)) is not None:
        reply = answer(request)
        give_memory_back()
        sink.write(frame(reply))
        sink.flush()
        del reply


if __name__ == "__main__":
    main()
