"""File-descriptor headroom: the connection caps must fit the process's descriptor limit.

Every connection is a descriptor; so are the database, its WAL, spool files
and the parser's pipes. At start the soft limit is raised (up to the hard
one) to hold ``http_max_connections + smtp_max_connections + fd_reserve``
beyond what is already open. If it cannot be, both caps shrink (SMTP keeps at
most a quarter of the room) so that neither protocol can starve the other or
the database of descriptors, and a warning says so.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass

from tmtui.server.config import ServerConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FdPlan:
    http: int  # HTTP connections in all
    smtp: int  # SMTP connections in all
    limit: int | None  # the descriptor limit it was planned for (None: unknown)


def _open_now() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 64  # a guess where /proc is missing


def _soft_limit(wanted: int) -> int | None:
    """The soft RLIMIT_NOFILE, raised towards ``wanted`` if the hard limit allows."""
    if sys.platform == "win32":  # no RLIMIT_NOFILE to read or raise
        return None
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return None if soft == resource.RLIM_INFINITY else soft
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (OSError, ValueError):
        return soft
    return target


def plan(config: ServerConfig) -> FdPlan:
    http, smtp = config.http_max_connections, config.smtp_max_connections
    in_use = _open_now()
    limit = _soft_limit(in_use + http + smtp + config.fd_reserve)
    if limit is None:
        return FdPlan(http, smtp, None)
    room = limit - in_use - config.fd_reserve
    if room >= http + smtp:
        return FdPlan(http, smtp, limit)
    room = max(room, 2)
    smtp_cap = max(1, min(smtp, room // 4))
    http_cap = max(1, room - smtp_cap)
    log.warning("file descriptor limit %d: serving at most %d HTTP and %d SMTP connections (asked for %d and %d)",
                limit, http_cap, smtp_cap, http, smtp)
    return FdPlan(http_cap, smtp_cap, limit)
