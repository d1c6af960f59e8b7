"""The ``run`` action: a program started without a shell, fed the mail, bounded in time.

The argv list is used as given (``~`` in the program is expanded), so nothing
in a mail can become a shell word. The mail's JSON document arrives on stdin;
``TMTUI_ADDRESS``, ``TMTUI_LABEL``, ``TMTUI_FROM``, ``TMTUI_FROM_ADDRESS``,
``TMTUI_SUBJECT``, ``TMTUI_CODE``, ``TMTUI_LINK``, ``TMTUI_MESSAGE_ID`` and
``TMTUI_RULE`` in its environment, each sanitised to one line (no control
character, no escape sequence), "" when there is none. It runs in a session
of its own: when it outlives its timeout, or tmtui stops, its whole process
group is killed. Of its output only the first few KB are kept, for the first
line that is shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tmtui.safety import sanitize_line

KEPT_OUTPUT = 8192  # bytes of each output stream kept for the first line
ENV_CELLS = 2000  # a variable's value is cut here (a URL may be long)


@dataclass(frozen=True, slots=True)
class CommandResult:
    status: int | None  # None: killed after the timeout
    first_line: str

    @property
    def ok(self) -> bool:
        return self.status == 0


def environment(values: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment plus ``values``, each made one safe line."""
    env = dict(os.environ)
    for name, value in values.items():
        env[name] = sanitize_line(value or "", ENV_CELLS)
    return env


def _program(argv: Sequence[str]) -> list[str]:
    program = argv[0]
    return [str(Path(program).expanduser()) if program.startswith("~") else program, *argv[1:]]


async def _feed(process: asyncio.subprocess.Process, data: bytes) -> None:
    stdin = process.stdin
    assert stdin is not None
    try:
        stdin.write(data)
        await stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the program does not read its input: its choice
    finally:
        with contextlib.suppress(OSError):
            stdin.close()


async def _head(stream: asyncio.StreamReader | None) -> bytes:
    """The first KEPT_OUTPUT bytes; the rest is read and dropped (the program must not block)."""
    kept = bytearray()
    if stream is None:
        return b""
    while chunk := await stream.read(65536):
        if len(kept) < KEPT_OUTPUT:
            kept += chunk[:KEPT_OUTPUT - len(kept)]
    return bytes(kept)


def _first_line(*outputs: bytes) -> str:
    for output in outputs:
        for raw in output.decode("utf-8", errors="replace").splitlines():
            shown = sanitize_line(raw, 200)
            if shown:
                return shown
    return ""


def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)  # its children too
        else:
            process.kill()


async def run_command(argv: Sequence[str], stdin: bytes, env: Mapping[str, str], *,
                      timeout: float) -> CommandResult:
    """Run ``argv``; OSError when it cannot start (e.g. no such program)."""
    process = await asyncio.create_subprocess_exec(
        *_program(argv), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=dict(env), start_new_session=True)
    work = asyncio.gather(_feed(process, stdin), _head(process.stdout), _head(process.stderr),
                          process.wait())
    try:
        async with asyncio.timeout(timeout):
            _, out, err, status = await work
    except TimeoutError:
        _kill(process)
        await asyncio.gather(work, return_exceptions=True)
        await process.wait()  # killed: reaped at once
        return CommandResult(None, "")
    except BaseException:  # cancelled (tmtui stops): leave nothing running
        _kill(process)
        with contextlib.suppress(BaseException):
            await asyncio.shield(process.wait())
        raise
    return CommandResult(status, _first_line(out, err))
