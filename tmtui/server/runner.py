"""Run the reference server: ReferenceServer (on the current loop) and ServerThread (own thread).

    async with ReferenceServer(config) as srv:   # srv.base_url, srv.smtp_port, srv.control
    with ServerThread(config) as srv:            # same, for sync code (demo, tmux tests)

We bind the listening sockets ourselves (port 0 = a free port, no race
between picking and binding; a taken port is a one-line ServerStartError),
then drive uvicorn's Server by its parts (startup, main_loop, and a fast
shutdown of our own) instead of ``serve()``: no signal handlers are taken over
and a stop takes milliseconds rather than uvicorn's fixed 0.1 s polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import uvicorn

from tmtui.server import fdlimits
from tmtui.server.app import build_app
from tmtui.server.config import ServerConfig
from tmtui.server.control import ServerControl
from tmtui.server.core import ServerCore
from tmtui.server.database import Database
from tmtui.server.gate import ConnectionGate
from tmtui.server.httpguard import GuardedConfig
from tmtui.server.retention import Retention
from tmtui.server.smtp import SmtpServer

log = logging.getLogger(__name__)

DB_NAME = "tmtui-server.sqlite3"
STOP_GRACE_SECONDS = 2.0
# Connections waiting to be accepted; a burst past it drops SYNs, and then honest clients wait seconds.
LISTEN_BACKLOG = 4096


class ServerStartError(RuntimeError):
    """The server could not start; ``str(exc)`` is one line fit for a user."""


def _url_host(host: str) -> str:
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"[{host}]" if ":" in host else host


def bind(host: str, port: int, what: str) -> socket.socket:
    """A listening, non-blocking socket, or ServerStartError with one line."""
    sock: socket.socket | None = None
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        # Lets a restarted server take its port back from TIME_WAIT; on POSIX it
        # does not let two servers listen on one port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
        sock.setblocking(False)
        return sock
    except (OSError, OverflowError) as exc:
        if sock is not None:
            sock.close()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ServerStartError(f"cannot listen on {_url_host(host)}:{port} for {what}: {reason}") from None


class ReferenceServer:
    """HTTP + SSE (uvicorn) and SMTP (aiosmtpd) on the running event loop."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.http_port = 0
        self.smtp_port = 0
        self._core: ServerCore | None = None
        self._control: ServerControl | None = None
        self._db: Database | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._smtp: SmtpServer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._temp_dir: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.config.host)}:{self.http_port}{self.config.path_prefix}"

    @property
    def smtp_host(self) -> str:
        return _url_host(self.config.smtp_host or self.config.host).strip("[]")

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir or self._temp_dir or Path()

    @property
    def control(self) -> ServerControl:
        if self._control is None:
            raise RuntimeError("the server is not running")
        return self._control

    async def __aenter__(self) -> ReferenceServer:
        await self.start()
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._core is not None:
            raise RuntimeError("the server is already running")
        config = self.config
        http_sock = bind(config.host, config.port, "HTTP")
        try:
            smtp_sock = bind(config.smtp_host or config.host, config.smtp_port, "SMTP")
        except ServerStartError:
            http_sock.close()
            raise
        try:
            await self._start(http_sock, smtp_sock)
        except BaseException:
            http_sock.close()
            smtp_sock.close()
            await self.stop()
            raise

    async def _start(self, http_sock: socket.socket, smtp_sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        if self.config.data_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="tmtui-server-"))
        try:
            self._db = Database(self.data_dir / DB_NAME)
        except Exception as exc:  # sqlite3.Error, OSError: a bad or unwritable data dir
            raise ServerStartError(f"cannot open the data directory {self.data_dir}: {exc}") from None
        self._core = core = ServerCore(self.config, self._db)
        config = self.config
        fds = fdlimits.plan(config)
        settings = GuardedConfig(
            build_app(core), gate=ConnectionGate(fds.http, config.http_per_ip), head_seconds=config.http_head_seconds,
            log_config=None, log_level="warning", access_log=False, lifespan="off",
            ws="none", proxy_headers=False, server_header=False, timeout_graceful_shutdown=int(STOP_GRACE_SECONDS),
            # uvicorn's own limits; the gate refuses earlier, these are the backstop.
            limit_concurrency=fds.http + 1, timeout_keep_alive=config.http_keepalive_seconds,
            h11_max_incomplete_event_size=config.http_max_head_bytes,
        )
        settings.load()
        server = uvicorn.Server(settings)
        server.lifespan = settings.lifespan_class(settings)
        await server.startup(sockets=[http_sock])
        self._uvicorn = server
        self.http_port = http_sock.getsockname()[1]
        self._smtp = smtp = SmtpServer(core, self.data_dir, fds.smtp)
        await smtp.start(smtp_sock)
        self.smtp_port = smtp_sock.getsockname()[1]
        retention = Retention(core)
        # main_loop keeps uvicorn's Date header fresh; it ends when should_exit is set.
        self._tasks = [loop.create_task(server.main_loop()), loop.create_task(self._sweep(core, smtp)),
                       loop.create_task(self._retain(retention))]
        self._control = ServerControl(core, loop, retention)

    async def _sweep(self, core: ServerCore, smtp: SmtpServer) -> None:
        """Expire sessions on time, so their streams hear session_lost without a request."""
        while True:
            await asyncio.sleep(self.config.sweep_interval)
            try:
                await core.sessions.sweep()
                now = core.now()
                for window in (core.requests, core.creations, smtp.handler.unknown):
                    window.prune(now)
            except Exception:
                log.exception("session sweep failed")

    async def _retain(self, retention: Retention) -> None:
        """Expire messages and purge idle mailboxes, a small batch at a time (retention.py)."""
        while True:
            await asyncio.sleep(retention.interval)
            try:
                await retention.sweep()
            except Exception:
                log.exception("retention sweep failed")

    async def stop(self) -> None:
        """Close streams and connections, then storage. Safe to call twice."""
        if self._core is not None:
            self._core.hub.close()  # event generators end, their responses complete
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._smtp is not None:
            await self._smtp.stop()
            self._smtp = None
        if self._uvicorn is not None:
            await self._stop_http(self._uvicorn)
            self._uvicorn = None
        if self._db is not None:
            self._db.close()
            self._db = None
        self._core = None
        self._control = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    async def _stop_http(self, server: uvicorn.Server) -> None:
        server.should_exit = True
        for listener in server.servers:
            listener.close()
        state = server.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle ones close now, busy ones after their response
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE_SECONDS
        while (state.connections or state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel()
        for connection in list(state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.close()
        for listener in server.servers:
            await listener.wait_closed()


class ServerThread:
    """A ReferenceServer on its own thread and loop, for synchronous callers."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.server = ReferenceServer(config)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    base_url = property(lambda self: self.server.base_url)
    http_port = property(lambda self: self.server.http_port)
    smtp_port = property(lambda self: self.server.smtp_port)
    smtp_host = property(lambda self: self.server.smtp_host)
    control = property(lambda self: self.server.control)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> ServerThread:
        """Start and block until the server answers (or raise its start error)."""
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), name="tmtui-server",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise ServerStartError("the server did not start in time")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self.server.stop()

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may have ended already
                self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(timeout)
        self._thread = None
