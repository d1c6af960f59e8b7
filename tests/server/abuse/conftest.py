"""Fixtures of the abuse suite: a server subprocess per test, stopped (and its logs kept) after it.

The attacks, the legitimate client and the server process come from
``benchmarks/abusekit``, which the ``abuse`` benchmark shares.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.abusekit import ServerProcess, loopback_aliases_work

StartServer = Callable[..., ServerProcess]


@pytest.fixture(autouse=True)
def _abuse_suite_can_run() -> None:
    pytest.importorskip("aiosmtpd", reason="the abuse suite needs the server extra")
    if not sys.platform.startswith("linux") or not loopback_aliases_work():
        pytest.skip("the abuse suite needs Linux /proc and loopback source addresses (127.0.0.2)")


@pytest.fixture
def start_abuse_server(tmp_path: Path) -> Iterator[StartServer]:
    """``start_abuse_server("--opt", "value", ..., nofile=512)``: a running server subprocess."""
    started: list[ServerProcess] = []

    def start(*options: str, **kwargs: Any) -> ServerProcess:
        server = ServerProcess(tmp_path / f"server-{len(started)}", options, **kwargs)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
