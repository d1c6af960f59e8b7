"""Loopback aliases: per-IP limits are tested from a second source address, 127.0.0.2."""

from __future__ import annotations

import socket

import pytest


def _alias_works() -> bool:
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False


needs_alias = pytest.mark.skipif(not _alias_works(), reason="needs 127.0.0.2 as a source address")
