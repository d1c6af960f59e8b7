"""The legitimate client: a mailbox, a mail in over SMTP and out on its event stream, ``/health``.

It connects from 127.0.0.1; attackers come from other loopback addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import smtplib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Protocol, TypeVar

import httpx

from benchmarks.abusekit.server import LEGIT_IP

T = TypeVar("T")


class Target(Protocol):
    """Where the server listens (a ServerProcess, or the same three values handed to a child)."""

    base_url: str
    http_port: int
    smtp_port: int


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


@dataclass(frozen=True)
class Box:
    address: str
    sid: str
    token: str


def http_client(server: Target, ip: str = LEGIT_IP, timeout: float = 10.0) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=ip, retries=0)
    return httpx.AsyncClient(base_url=server.base_url, transport=transport, timeout=timeout)


async def new_boxes(server: Target, count: int, ip: str = LEGIT_IP) -> list[Box]:
    """``count`` new mailboxes, each with its session, created over the API from ``ip``."""
    boxes = []
    async with http_client(server, ip) as client:
        for _ in range(count):
            response = await client.post("/ajax.php", params={"f": "get_email_address"})
            response.raise_for_status()
            body = response.json()
            boxes.append(Box(body["email_addr"], body["sid_token"], body["mailbox_event_token"]))
    return boxes


async def new_box(server: Target, ip: str = LEGIT_IP) -> Box:
    return (await new_boxes(server, 1, ip))[0]


async def list_count(server: Target, box: Box) -> int:
    async with http_client(server) as client:
        response = await client.post("/ajax.php", params={"f": "get_email_list"}, data={"sid_token": box.sid})
        response.raise_for_status()
        return int(response.json()["count"])


def small_mail(to: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Legit <legit@example.org>", to, subject
    msg.set_content(f"Your code is {secrets.randbelow(900000) + 100000}.")
    return msg.as_bytes(policy=policy.SMTP)


def send_mail(server: Target, recipients: Sequence[str], raw: bytes, ip: str = LEGIT_IP,
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


async def deliver_and_see(server: Target, box: Box, timeout: float = 15.0) -> float:
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
    """While an attack runs: ``/health`` from 127.0.0.1 every ``interval`` s, each within ``timeout``."""

    server: Target
    timeout: float = 5.0
    interval: float = 0.1
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
                await asyncio.sleep(self.interval)

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
