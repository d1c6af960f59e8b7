"""The abuse suite's kit: the reference server in a subprocess, a legitimate client, the attackers.

Everything stays on loopback. The server listens on 127.0.0.1; attackers
connect from other loopback addresses (127.0.0.2 and up: Linux routes all of
127.0.0.0/8 to ``lo``) so that per-IP limits see them as other clients, and
the legitimate client connects from 127.0.0.1.

The server runs as ``python -m tmtui.server`` so its memory (and its parser
process's) and its file descriptors are its own. ``TMTUI_ABUSE_SERVER_SRC=DIR``
runs the server from another source tree instead (e.g. ``git archive main
tmtui | tar -x -C DIR``), to check that each test fails against the old
server; options that server does not know are left out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import resource
import secrets
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[3]
SERVER_SRC_ENV = "TMTUI_ABUSE_SERVER_SRC"
LEGIT_IP = "127.0.0.1"
ATTACKER_IPS = tuple(f"127.0.0.{n}" for n in range(2, 12))
DB_NAME = "tmtui-server.sqlite3"
T = TypeVar("T")


def loopback_aliases_work() -> bool:
    """Can a socket use 127.0.0.2 as its source? (Linux: yes; some systems only have 127.0.0.1.)"""
    try:
        with socket.socket() as sock:
            sock.bind((ATTACKER_IPS[0], 0))
        return True
    except OSError:
        return False


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float, what: str) -> T:
    """Wait for ``check()`` to return something other than None (re-asked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.1)


# -- the server -------------------------------------------------------------------------------

def _proc_status(pid: int, key: str) -> int:
    """A kB figure from /proc/PID/status (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found += [int(p) for p in (task / "children").read_text().split()]
    return found + [grand for child in found for grand in _children(child)]


class ServerProcess:
    """``python -m tmtui.server`` on free loopback ports, with the given options."""

    def __init__(self, data_dir: Path, options: Sequence[str] = (), *, nofile: int | None = None) -> None:
        self.data_dir = data_dir
        self.options = list(options)
        self.nofile = nofile
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.http_port = 0
        self.smtp_port = 0
        self.log = data_dir.parent / f"{data_dir.name}-stderr.log"

    @staticmethod
    def _source() -> Path:
        """Where the server's code comes from: this checkout, or TMTUI_ABUSE_SERVER_SRC."""
        return Path(os.environ.get(SERVER_SRC_ENV) or ROOT)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        # ``python -m`` puts the working directory (the source) first; nothing else of ours follows.
        env["PYTHONPATH"] = str(self._source())
        return env

    def _known(self, options: list[str]) -> list[str]:
        """Options the server to run knows (all of them, unless it is another source tree)."""
        if not os.environ.get(SERVER_SRC_ENV):
            return options
        usage = subprocess.run([sys.executable, "-m", "tmtui.server", "--help"], env=self._env(), text=True,
                               capture_output=True, check=True, timeout=60, cwd=self._source()).stdout
        known = set(re.findall(r"--[a-z][a-z-]+", usage))
        kept: list[str] = []
        for flag, value in zip(options[::2], options[1::2], strict=True):
            if flag in known:
                kept += [flag, value]
        return kept

    def _limit_fds(self) -> None:  # runs in the child, before exec
        if self.nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "tmtui.server", "--host", "127.0.0.1", "--port", "0", "--smtp-port", "0",
                "--data-dir", str(self.data_dir), "--domains", "a.test", "--no-welcome",
                *self._known(["--rate-limit", "0", "--creation-limit", "0", *self.options])]
        with self.log.open("w") as errors:
            self.proc = subprocess.Popen(argv, env=self._env(), stdout=subprocess.PIPE, stderr=errors, text=True,
                                         preexec_fn=self._limit_fds, cwd=self._source())
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the server prints its addresses once it listens
        match = re.search(r"(http://127\.0\.0\.1:(\d+)\S*)\s+SMTP 127\.0\.0\.1:(\d+)", line)
        if match is None:
            self.stop()
            raise RuntimeError(f"the server did not start: {line!r}\n{self.log.read_text()[-3000:]}")
        self.base_url, self.http_port, self.smtp_port = match.group(1), int(match.group(2)), int(match.group(3))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_mib(self) -> float:
        """Resident memory of the server and its children (the parser process), MiB."""
        return sum(_proc_status(pid, "VmRSS") for pid in (self.pid, *_children(self.pid))) / 1024

    def open_fds(self) -> int:
        try:
            return len(os.listdir(f"/proc/{self.pid}/fd"))
        except OSError:
            return 0

    def db_bytes(self) -> int:
        """Bytes the database holds now (pages in use, the WAL's included), read without the server's help."""
        with contextlib.closing(sqlite3.connect(f"{(self.data_dir / DB_NAME).as_uri()}?mode=ro", uri=True)) as db:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            free = db.execute("PRAGMA freelist_count").fetchone()[0]
            size = db.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class RssSampler:
    """The server's resident memory, sampled every 20 ms on a thread while attacks run."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.baseline = server.rss_mib()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.server.rss_mib())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.server.rss_mib())

    @property
    def growth(self) -> float:
        return self.peak - self.baseline


# -- the legitimate client ---------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    address: str
    sid: str
    token: str


def http_client(server: ServerProcess, ip: str = LEGIT_IP, timeout: float = 10.0) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=ip, retries=0)
    return httpx.AsyncClient(base_url=server.base_url, transport=transport, timeout=timeout)


async def new_box(server: ServerProcess, ip: str = LEGIT_IP) -> Box:
    async with http_client(server, ip) as client:
        response = await client.post("/ajax.php", params={"f": "get_email_address"})
        response.raise_for_status()
        body = response.json()
    return Box(body["email_addr"], body["sid_token"], body["mailbox_event_token"])


async def list_count(server: ServerProcess, box: Box) -> int:
    async with http_client(server) as client:
        response = await client.post("/ajax.php", params={"f": "get_email_list"}, data={"sid_token": box.sid})
        response.raise_for_status()
        return int(response.json()["count"])


def small_mail(to: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Legit <legit@example.org>", to, subject
    msg.set_content(f"Your code is {secrets.randbelow(900000) + 100000}.")
    return msg.as_bytes(policy=policy.SMTP)


def send_mail(server: ServerProcess, recipients: Sequence[str], raw: bytes, ip: str = LEGIT_IP,
              timeout: float = 30.0) -> int | str:
    """One SMTP transaction; the final reply code, or what went wrong ("dropped" if no reply came)."""
    try:
        with smtplib.SMTP("127.0.0.1", server.smtp_port, timeout=timeout, source_address=(ip, 0)) as smtp:
            refused = smtp.sendmail("sender@example.org", list(recipients), raw)
            return 250 if len(refused) < len(recipients) else 550
    except smtplib.SMTPRecipientsRefused as exc:
        return min(code for code, _ in exc.recipients.values())
    except smtplib.SMTPResponseException as exc:  # sender refused, data error, 421 at connect
        return exc.smtp_code
    except (smtplib.SMTPServerDisconnected, OSError):
        return "dropped"


async def deliver_and_see(server: ServerProcess, box: Box, timeout: float = 15.0) -> float:
    """Send a small mail to ``box`` over SMTP and wait for its ``changed`` event; seconds between the two."""
    subject = f"legit-{secrets.token_hex(4)}"
    async with http_client(server, timeout=timeout) as client, \
            client.stream("GET", "/events/mailbox", params={"token": box.token}) as stream:
        assert stream.status_code == 200, f"event stream refused: {stream.status_code}"
        lines = stream.aiter_lines()

        async def next_event() -> str:
            async for line in lines:
                if line.startswith("event:"):
                    return line.split(":", 1)[1].strip()
            raise AssertionError("the event stream ended")

        assert await asyncio.wait_for(next_event(), timeout) == "state"
        started = time.monotonic()
        code = await asyncio.to_thread(send_mail, server, [box.address], small_mail(box.address, subject))
        assert code == 250, f"legit delivery answered {code}"
        while await asyncio.wait_for(next_event(), timeout) != "changed":
            pass
        return time.monotonic() - started


@dataclass
class LegitProbe:
    """While an attack runs: ``/health`` from 127.0.0.1 every 100 ms, each within ``timeout``."""

    server: ServerProcess
    timeout: float = 5.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with http_client(self.server, timeout=self.timeout) as client:
            while True:
                started = time.monotonic()
                try:
                    response = await client.get("/health", headers={"Connection": "close"})
                    if response.status_code == 200:
                        self.latencies.append(time.monotonic() - started)
                    else:
                        self.failures.append(f"status {response.status_code}")
                except httpx.HTTPError as exc:
                    self.failures.append(type(exc).__name__)
                await asyncio.sleep(0.1)

    async def __aenter__(self) -> LegitProbe:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    def assert_healthy(self) -> None:
        assert not self.failures, f"/health failed during the attack: {self.failures[:5]}"
        assert self.latencies, "/health was never answered"


# -- attackers -------------------------------------------------------------------------------------

@dataclass
class Held:
    """Connections an attacker keeps open; what the server answered at once on each."""

    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    readers: list[asyncio.StreamReader] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)


async def _connect(server: ServerProcess, port: int, ip: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(ip, 0)), 10)


async def smtp_line_flood(server: ServerProcess, connections: int, size: int, ip: str) -> Held:
    """Many connections, each sending ``size`` bytes of ``HELO`` with no line end; left open."""
    held = Held()
    chunk = b"x" * 65536

    async def one() -> None:
        try:
            reader, writer = await _connect(server, server.smtp_port, ip)
        except (OSError, TimeoutError):
            held.outcomes.append("no connection")
            return
        held.writers.append(writer)
        try:
            greeting = await asyncio.wait_for(reader.readline(), 10)
            if not greeting.startswith(b"220"):
                held.outcomes.append(greeting[:3].decode() or "closed")
                return
            writer.write(b"HELO ")
            for _ in range(0, size, len(chunk)):
                writer.write(chunk)
                await asyncio.wait_for(writer.drain(), 10)
            held.outcomes.append("sent")
        except (OSError, TimeoutError):
            held.outcomes.append("cut")

    await asyncio.gather(*(one() for _ in range(connections)))
    return held


def mail_of_size(to: str, size: int, subject: str = "bulk") -> bytes:
    """A mail of about ``size`` bytes on the wire: half text, half a base64 attachment."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Bulk <bulk@example.org>", to, subject
    line = "The quick brown fox jumps over the lazy dog, again and again and again.\n"
    msg.set_content(line * (size // 2 // len(line)))
    msg.add_attachment(os.urandom(size * 3 // 8), maintype="application", subtype="octet-stream",
                       filename="data.bin")
    return msg.as_bytes(policy=policy.SMTP)


async def big_messages(server: ServerProcess, to: str, raws: Sequence[bytes], ip: str) -> list[int | str]:
    """One sender per message of ``raws``, all at once; the final reply of each."""
    return list(await asyncio.gather(*(asyncio.to_thread(send_mail, server, [to], raw, ip, 120) for raw in raws)))


async def slowloris(server: ServerProcess, connections: int, ips: Sequence[str]) -> Held:
    """Half-sent request heads, ``connections`` of them spread over ``ips``; left open."""
    held = Held()
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    async def one(ip: str) -> None:
        try:
            reader, writer = await _connect(server, server.http_port, ip)
        except (OSError, TimeoutError):
            held.outcomes.append("no connection")
            return
        held.writers.append(writer)
        held.readers.append(reader)
        try:
            writer.write(head)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(64), 0.5)  # an early refusal comes at once
            held.outcomes.append(answer[9:12].decode() if answer else "closed")
        except TimeoutError:
            held.outcomes.append("held")
        except OSError:
            held.outcomes.append("cut")

    await asyncio.gather(*(one(ips[n % len(ips)]) for n in range(connections)))
    return held


async def closed_by_server(held: Held, timeout: float) -> int:
    """How many held connections the server ends (EOF) within ``timeout``."""
    async def ended(reader: asyncio.StreamReader) -> bool:
        with contextlib.suppress(TimeoutError, OSError):
            async with asyncio.timeout(timeout):
                while await reader.read(4096):
                    pass
                return True
        return False

    results = await asyncio.gather(*(ended(r) for r, o in zip(held.readers, held.outcomes, strict=False)
                                     if o == "held"))
    return sum(results)


def parts_bomb(to: str, parts: int, name: str = "a") -> bytes:
    """A multipart mail of ``parts`` tiny attachments all called ``name``."""
    lines = [f"From: x@example.org\r\nTo: {to}\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
             'Content-Type: multipart/mixed; boundary="B"\r\n\r\n']
    part = (f'--B\r\nContent-Type: application/octet-stream\r\n'
            f'Content-Disposition: attachment; filename="{name}"\r\n\r\nx\r\n')
    lines += [part] * parts
    lines.append("--B--\r\n")
    return "".join(lines).encode()


async def stream_hog(server: ServerProcess, token: str, streams: int, ips: Sequence[str]) -> Held:
    """``streams`` event streams opened with one token from ``ips``; the status of each, left open."""
    held = Held()
    request = (f"GET /events/mailbox?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()

    async def one(ip: str) -> None:
        try:
            reader, writer = await _connect(server, server.http_port, ip)
        except (OSError, TimeoutError):
            held.outcomes.append("no connection")
            return
        held.writers.append(writer)
        held.readers.append(reader)
        try:
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            held.outcomes.append(head[9:12].decode())
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            held.outcomes.append("cut")

    for n in range(streams):  # one after the other: "the oldest" is well defined
        await one(ips[n % len(ips)])
    return held


async def guess_recipients(server: ServerProcess, guesses: Sequence[str], ip: str) -> tuple[list[int], bool]:
    """RCPT TO each guess on one connection; the reply codes, and whether the server hung up."""
    reader, writer = await _connect(server, server.smtp_port, ip)
    codes: list[int] = []

    async def command(line: str) -> int:
        writer.write(line.encode() + b"\r\n")
        while True:
            reply = await asyncio.wait_for(reader.readline(), 10)
            if not reply:
                raise ConnectionResetError
            if reply[3:4] != b"-":
                return int(reply[:3])

    try:
        if not (await asyncio.wait_for(reader.readline(), 10)).startswith(b"220"):
            return codes, True
        await command("EHLO guesser.example")
        await command("MAIL FROM:<guesser@example.org>")
        for guess in guesses:
            codes.append(await command(f"RCPT TO:<{guess}>"))
        await command("QUIT")
        return codes, False
    except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
        return codes, True
    finally:
        writer.close()
