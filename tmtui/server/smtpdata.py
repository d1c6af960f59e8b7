"""Reading SMTP DATA a line at a time, with RFC 5321's limits, into a Transfer.

- A text line may hold 998 octets plus its line end (RFC 5321 4.5.3.1.6).
  The stream reader's own limit is a little above that, so a line without
  an end never sits in memory whole: past the limit it is read and dropped.
- Lines may end in CRLF or, as Python's ``smtplib.sendmail`` sends bytes built
  with the default email policy, a bare LF (real MTAs accept both). The end of
  data is only ``.`` CRLF after a CRLF, as before: a lone LF never ends it.
- A leading dot is removed from every line (transparency, RFC 5321 4.5.2),
  after CRLF and after a bare LF alike.
- Errors (line too long, message too big, budget used up) are reported after
  the final dot, once the client has stopped sending: the connection stays in
  step and the client reads one clear reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tmtui.server.spool import Outcome, Transfer

MAX_TEXT_OCTETS = 998  # per line, line end not counted
READER_LIMIT = 1024  # the stream reader's line limit (command lines are capped lower, at 512)
YIELD_BYTES = 64 * 1024  # let the event loop serve others this often during a big DATA


async def receive(reader: asyncio.StreamReader, transfer: Transfer, progress: Callable[[], None]) -> Outcome:
    """Read DATA up to the final dot into ``transfer``; the outcome (``OK`` or the first error)."""
    tail = b""  # the last two bytes read: did the previous line end in CRLF?
    inside_long_line = False  # the previous piece was the start of a line longer than the reader's limit
    since_yield = 0
    while True:
        try:
            piece = await reader.readuntil(b"\n")
            long_piece = False
        except asyncio.LimitOverrunError as exc:
            piece = await reader.read(exc.consumed)
            long_piece = True
        except asyncio.IncompleteReadError:
            raise ConnectionResetError("connection closed during DATA") from None
        if not piece:
            raise ConnectionResetError("connection closed during DATA")
        if piece == b".\r\n" and tail == b"\r\n" and not inside_long_line:
            return transfer.finish()
        if long_piece or inside_long_line:
            if transfer.outcome is Outcome.OK:
                transfer.fail(Outcome.TOO_LONG)
        else:
            _line(piece, transfer)
        inside_long_line = long_piece
        tail = (tail + piece)[-2:]
        since_yield += len(piece)
        if since_yield >= YIELD_BYTES:
            since_yield = 0
            progress()
            await asyncio.sleep(0)


def _line(piece: bytes, transfer: Transfer) -> None:
    if transfer.outcome is not Outcome.OK:
        return
    line = piece[1:] if piece.startswith(b".") else piece
    ending = 2 if line.endswith(b"\r\n") else 1
    if len(line) - ending > MAX_TEXT_OCTETS:
        transfer.fail(Outcome.TOO_LONG)
        return
    transfer.add(line)
