"""Transfer: the DATA of one SMTP transaction on its way in, in bounded memory.

Lines collect in memory up to ``threshold`` bytes, then go to a file in the
spool directory (under the data directory), so a 25 MB message costs a few
kilobytes of memory while it arrives and is parsed from the file, a chunk at a
time, by the parser process. Bytes held are charged to the in-flight budget
(budget.py) as they are flushed; past it, or past the message size limit, the
rest of DATA is read and thrown away and the transaction is answered with an
error code once the client has finished sending (RFC 5321 4.2.5).
"""

from __future__ import annotations

import contextlib
import enum
import tempfile
from pathlib import Path
from typing import IO

from tmtui.server.budget import ByteBudget

FLUSH_BYTES = 64 * 1024


class Outcome(enum.Enum):
    OK = "ok"
    TOO_LONG = "too_long"  # a text line past 1,000 octets
    TOO_BIG = "too_big"  # the message past max_message_bytes
    NO_ROOM = "no_room"  # the in-flight budget is used up


def clear_spool(directory: Path) -> None:
    """Remove what a previous run left behind (a crash in the middle of DATA)."""
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("data-*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


class Transfer:
    def __init__(self, directory: Path, *, threshold: int, max_bytes: int, budget: ByteBudget, ip: str) -> None:
        self._directory = directory
        self._threshold = threshold
        self._max_bytes = max_bytes
        self._budget = budget
        self._ip = ip
        self._buffer = bytearray()
        self._file: IO[bytes] | None = None
        self._charged = 0
        self.size = 0
        self.outcome = Outcome.OK

    def add(self, line: bytes) -> Outcome:
        """Append one line (already un-stuffed); the outcome so far."""
        if self.outcome is not Outcome.OK:
            return self.outcome
        self.size += len(line)
        if self.size > self._max_bytes:
            return self.fail(Outcome.TOO_BIG)
        self._buffer += line
        if len(self._buffer) >= FLUSH_BYTES and (self._file is not None or self.size > self._threshold):
            self._flush()
        return self.outcome

    def finish(self) -> Outcome:
        """End of DATA: charge what is still only in memory."""
        if self.outcome is Outcome.OK:
            self._charge()
        return self.outcome

    def fail(self, outcome: Outcome) -> Outcome:
        """Keep reading but store nothing more: drop what is held and give the budget back."""
        self.outcome = outcome
        self._drop()
        return outcome

    def _charge(self) -> None:
        if self.size > self._charged:
            if not self._budget.take(self._ip, self.size - self._charged):
                self.fail(Outcome.NO_ROOM)
                return
            self._charged = self.size

    def _flush(self) -> None:
        self._charge()
        if self.outcome is not Outcome.OK:
            return
        if self._file is None:
            self._file = tempfile.NamedTemporaryFile(prefix="data-", dir=self._directory)  # noqa: SIM115 - kept open
        self._file.write(self._buffer)
        self._buffer.clear()

    @property
    def content(self) -> bytes | None:
        """The whole message if it stayed in memory, else None (read it from :attr:`path`)."""
        return bytes(self._buffer) if self._file is None and self.outcome is Outcome.OK else None

    @property
    def path(self) -> Path | None:
        """The spool file with every byte written to it, if the message went to disk."""
        if self._file is None:
            return None
        if self._buffer:
            self._file.write(self._buffer)
            self._buffer.clear()
        self._file.flush()
        return Path(self._file.name)

    def _drop(self) -> None:
        self._buffer = bytearray()
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()  # NamedTemporaryFile: the file goes with it
            self._file = None
        if self._charged:
            self._budget.give(self._ip, self._charged)
            self._charged = 0

    def close(self) -> None:
        """Release memory, the spool file and the budget. Safe to call twice."""
        self._drop()
