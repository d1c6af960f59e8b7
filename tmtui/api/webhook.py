"""POST a JSON document to a user's webhook: what a rule's ``webhook`` action sends.

Here because only the API layer speaks HTTP. One short-lived client per
call (webhooks are rare), a timeout on every phase, redirects never followed
(a 3xx is reported, not obeyed: the mail must not be sent somewhere the user
did not name), the response body never read. A failure to connect, a timeout,
a 429 or a 5xx is tried once more after ``RETRY_DELAY`` seconds; any other
answer is final. Errors are one line that names the host, never the whole
URL (it may carry a secret).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

import tmtui

ATTEMPTS = 2  # the first try and one retry
RETRY_DELAY = 1.0


class WebhookError(Exception):
    """The webhook did not take the document; the message is one line."""


@dataclass(frozen=True, slots=True)
class WebhookReply:
    status: int
    attempts: int


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.hostname or "the webhook"


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


async def post_json(url: str, document: object, *, timeout: float = 10.0, attempts: int = ATTEMPTS,
                    retry_delay: float | None = None,
                    transport: httpx.AsyncBaseTransport | None = None) -> WebhookReply:
    """POST ``document`` as JSON; the 2xx reply, else :class:`WebhookError`."""
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": f"tmtui/{tmtui.__version__}"}
    host = _host(url)
    problem = ""
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, transport=transport) as client:
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                await asyncio.sleep(RETRY_DELAY if retry_delay is None else retry_delay)
            try:
                async with client.stream("POST", url, content=body, headers=headers) as response:
                    status = response.status_code
            except httpx.TimeoutException:
                problem = f"{host} did not answer within {timeout:g} s"
                continue
            except httpx.HTTPError as exc:
                problem = f"cannot reach {host}: {type(exc).__name__}"
                continue
            if 200 <= status < 300:
                return WebhookReply(status, attempt)
            if 300 <= status < 400:
                raise WebhookError(f"{host} answered {status}, a redirect (not followed)")
            problem = f"{host} answered {status}"
            if not _retryable(status):
                raise WebhookError(problem)
    raise WebhookError(f"{problem} ({attempts} attempts)" if attempts > 1 else problem)
