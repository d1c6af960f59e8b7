"""Parent side: the reference server on a thread, its probes, SMTP delivery, child processes.

The orchestrating process hosts the reference server (``ServerThread``) so
that ``control.seed`` and two read-only probes are at hand; the app and the
load generators run in child processes (``python -m benchmarks.child``), so
they never share a GIL with the server and their CPU, memory and RSS figures
are their own. Timestamps cross processes as ``time.monotonic()``
(CLOCK_MONOTONIC, one clock for the whole machine).

Probes (installed once per process, on classes, before a server starts; no
server code is edited):

* ``accepted``: ``IntakeHandler.handle_DATA`` is wrapped to record, per mail
  subject, when the server answered DATA (mail stored, ``changed`` queued).
* ``list_calls``: the ``get_email_list`` action is wrapped to log each call
  that reaches the server (time and offset): request economy is counted on
  the wire, server side.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = re.compile(rb"^Subject: ?(.*?)\r?$", re.MULTILINE | re.IGNORECASE)
PYCACHE = Path(tempfile.gettempdir()) / f"tmtui-benchmarks-pycache-{os.getuid() if hasattr(os, 'getuid') else 0}"


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every child process.

    Bytecode: a user's install has .pyc files (pip compiles them; Python writes
    them on first import). A checkout run with PYTHONDONTWRITEBYTECODE=1 has
    none for tmtui, so each child would compile tmtui from source and start-up
    figures would be off by that. Children share a .pyc tree of their own
    (PYTHONPYCACHEPREFIX, a cache under the temp directory kept between runs);
    the repository is never written.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("TMTUI_SERVER", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


# -- probes ------------------------------------------------------------------------------

@dataclass
class Probe:
    accepted: dict[str, float] = field(default_factory=dict)
    list_calls: list[tuple[float, int, str]] = field(default_factory=list)  # (time, offset, sid)
    installed: bool = False

    def calls_between(self, start: float, end: float, sid: str | None = None) -> list[tuple[float, int, str]]:
        return [c for c in list(self.list_calls)
                if start <= c[0] <= end and (sid is None or c[2] == sid)]


PROBE = Probe()


def install_probes() -> Probe:
    if PROBE.installed:
        return PROBE
    from tmtui.server import actions
    from tmtui.server.smtp import IntakeHandler

    original_data = IntakeHandler.handle_DATA

    async def handle_data(self: Any, server: Any, session: Any, envelope: Any) -> str:
        status = await original_data(self, server, session, envelope)
        answered = time.monotonic()
        match = SUBJECT.search(envelope.original_content or b"")
        if match is not None:
            PROBE.accepted[match.group(1).decode("utf-8", "replace").strip()] = answered
        return status

    IntakeHandler.handle_DATA = handle_data  # type: ignore[method-assign]

    handler, methods = actions.ACTIONS["get_email_list"]

    def get_email_list(core: Any, params: Any, ip: str) -> Any:
        try:
            offset = int(params.get("offset") or 0)
        except ValueError:
            offset = -1
        PROBE.list_calls.append((time.monotonic(), offset, str(params.get("sid_token") or "")))
        return handler(core, params, ip)

    actions.ACTIONS["get_email_list"] = (get_email_list, methods)
    PROBE.installed = True
    return PROBE


# -- the server ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MailboxInfo:
    """A mailbox with a live session, as children need it (plain JSON values)."""

    address: str
    sid: str
    expires_at: float | None
    event_token: str | None

    def as_json(self) -> dict[str, Any]:
        return {"address": self.address, "sid": self.sid, "expires_at": self.expires_at,
                "event_token": self.event_token}


class BenchServer:
    """A ServerThread with benchmark settings: per-IP limits off, loopback only."""

    def __init__(self, thread: Any, data_dir: Path) -> None:
        self.thread = thread
        self.data_dir = data_dir

    @property
    def base_url(self) -> str:
        return str(self.thread.base_url)

    @property
    def smtp_port(self) -> int:
        return int(self.thread.smtp_port)

    @property
    def control(self) -> Any:
        return self.thread.control

    def new_mailbox(self) -> MailboxInfo:
        """A new random mailbox and its session, created over the API like a client would."""
        from tmtui.api.client import TempMailClient

        async def create() -> MailboxInfo:
            async with TempMailClient(self.base_url) as client:
                session = await client.get_email_address()
            expires = session.meta.expires_at.timestamp() if session.meta.expires_at else None
            token = session.meta.event_token.reveal() if session.meta.event_token else None
            return MailboxInfo(session.address.lower(), session.sid_token.reveal(), expires, token)

        return asyncio.run(create())


@contextlib.contextmanager
def server(**overrides: Any) -> Iterator[BenchServer]:
    """The reference server on loopback. Rate limits that apply per IP are off:
    every client here shares 127.0.0.1, and the figures are about speed, not policy."""
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ServerThread

    install_probes()
    options: dict[str, Any] = {
        "host": "127.0.0.1", "welcome_mail": False, "requests_per_minute": 0,
        "creations_per_minute": 0, "sessions_per_ip": 0, "sse_per_ip": 1000, "sse_capacity": 2000,
    }
    options.update(overrides)
    with tempfile.TemporaryDirectory(prefix="tmtui-bench-") as scratch:
        config = ServerConfig(data_dir=Path(scratch) / "server", **options)
        thread = ServerThread(config).start()
        try:
            yield BenchServer(thread, Path(scratch))
        finally:
            thread.stop()


# -- mail -------------------------------------------------------------------------------------

def build_mail(to: str, subject: str, *, html: str | None = None, text: str | None = None,
               attachments: Sequence[tuple[str, bytes, str]] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Bench <bench@example.org>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="example.org")
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(text or f"Your code is {zlib.crc32(subject.encode()) % 1000000:06d}.")
    for name, data, ctype in attachments:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP)


class Sender:
    """An SMTP connection to the reference server, reused across mails (real SMTP DATA).

    Connects on first use and once more if the server dropped an idle
    connection (aiosmtpd closes them after 60 s)."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.port, self.host = port, host
        self.smtp: smtplib.SMTP | None = None

    def send(self, to: str, raw: bytes) -> float:
        """Deliver; returns the monotonic time the DATA reply arrived here."""
        for attempt in (1, 2):
            if self.smtp is None:
                self.smtp = smtplib.SMTP(self.host, self.port, timeout=60)
            try:
                self.smtp.sendmail("bench@example.org", [to], raw)
                return time.monotonic()
            except smtplib.SMTPServerDisconnected:
                self.smtp = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.quit()
            self.smtp = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- child processes ------------------------------------------------------------------------------

class ChildError(RuntimeError):
    pass


VERBOSE = os.environ.get("BENCHMARKS_VERBOSE") == "1"
_STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr with BENCHMARKS_VERBOSE=1 (where the time goes)."""
    if VERBOSE:
        print(f"  [{time.monotonic() - _STARTED:7.2f} s] {message}", file=sys.stderr, flush=True)


class Child:
    """``python -m benchmarks.child SCENARIO``: params on stdin, JSON lines back on stdout."""

    def __init__(self, scenario: str, params: dict[str, Any], *, env: dict[str, str] | None = None) -> None:
        self.scenario = scenario
        log(f"{scenario}: start")
        self.scratch = tempfile.TemporaryDirectory(prefix="tmtui-bench-child-")
        environment = child_env(TMTUI_STATE_DIR=str(Path(self.scratch.name) / "state"),
                                TMTUI_CONFIG=str(Path(self.scratch.name) / "config.toml"), **(env or {}))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.child", scenario], cwd=ROOT, env=environment,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.received: dict[str, list[dict[str, Any]]] = {}
        self._stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.send(scratch=self.scratch.name, **params)

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    self.messages.put(json.loads(line))
        self.messages.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-60]

    def send(self, **message: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def _pump(self, deadline: float) -> None:
        """File the next message under its kind (or raise on an error, an exit or the deadline)."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        try:
            message = self.messages.get(timeout=left)
        except queue.Empty:
            raise TimeoutError from None
        if message is None:
            self.messages.put(None)  # keep reporting the exit
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
            raise ChildError(f"{self.scenario}: exited ({self.proc.returncode}){self._tail()}")
        if message.get("kind") == "error":
            raise ChildError(f"{self.scenario}: {message.get('error')}{self._tail()}")
        if message.get("kind") != "seen":
            log(f"{self.scenario}: {message.get('kind')}")
        self.received.setdefault(str(message.get("kind")), []).append(message)

    def expect(self, kind: str, timeout: float = 30.0) -> dict[str, Any]:
        """The oldest unread message of ``kind``."""
        deadline = time.monotonic() + timeout
        while not self.received.get(kind):
            try:
                self._pump(deadline)
            except TimeoutError:
                raise ChildError(f"{self.scenario}: no {kind!r} within {timeout:g} s{self._tail()}") from None
        return self.received[kind].pop(0)

    def collect(self, kind: str, field_name: str, keys: Iterable[str], timeout: float) -> dict[str, dict[str, Any]]:
        """Messages of ``kind`` whose ``field_name`` covers ``keys``; waits for all of them."""
        wanted = set(keys)
        deadline = time.monotonic() + timeout
        while True:
            have = {str(m.get(field_name)): m for m in self.received.get(kind, [])}
            if wanted <= have.keys():
                return {k: have[k] for k in wanted}
            try:
                self._pump(deadline)
            except TimeoutError:
                missing = sorted(wanted - have.keys())
                raise ChildError(f"{self.scenario}: {len(missing)} {kind!r} missing after {timeout:g} s "
                                 f"(first: {missing[:3]}){self._tail()}") from None

    def _tail(self) -> str:
        tail = "".join(self._stderr[-15:]).strip()
        return f"\n--- child stderr ---\n{tail}" if tail else ""

    def finish(self, timeout: float = 30.0) -> dict[str, Any]:
        """Tell the child to stop; returns its ``result`` message."""
        self.send(kind="stop")
        result = self.expect("result", timeout)
        self.close()
        return result

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.scratch.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_command(argv: Sequence[str], *, env: dict[str, str] | None = None,
                timeout: float = 60.0) -> float:
    """Wall seconds for a whole process (start to exit)."""
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=timeout, check=True)
    return time.perf_counter() - start
