"""Retry pacing shared by every watcher and by ``tmtui wait``."""

from __future__ import annotations

import random

MAX_BACKOFF = 30.0  # seconds: never wait longer than this between two tries
FAILURES_BEFORE_POLLING = 3  # a stream that failed this often in a row gives way to polling


def backoff(attempt: int, hint: float) -> float:
    """Full jitter over an exponential ceiling that starts at the server's retry hint.

    Jitter keeps many clients that lost the same server from returning in step.
    """
    ceiling = min(MAX_BACKOFF, hint * (2 ** max(0, attempt - 1)))
    return random.uniform(min(hint, ceiling) / 2, ceiling)


def poll_delay(low: float, high: float, *, slow: bool = False, factor: float = 4.0) -> float:
    """A polling interval in ``[low, high]``; mailboxes nobody looks at poll ``factor`` slower."""
    delay = random.uniform(low, high)
    return delay * factor if slow else delay
