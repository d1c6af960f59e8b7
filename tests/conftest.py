"""Shared fixtures for the reference server (tmtui.server).

- ``server_config``: a ServerConfig on a temporary data dir, free ports, no welcome mail.
- ``server``: a running ReferenceServer on that config (function scope).
- ``start_server``: start more servers with overrides, e.g.
  ``srv = await start_server(ttl_minutes=0.01)``; all are stopped after the test.
- ``core``: the client core (SyncWorker) running on ``server``, with the test's state file.
- ``server_client``: an httpx.AsyncClient whose base_url is the ``server``'s.

Server imports happen inside the fixtures, so client-only test runs do not
need the server extra. Helpers (mail, SSE, waiting, scenes) live in
``tests/support``: import them as ``tests.support.mail`` and so on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import httpx

    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ReferenceServer
    from tmtui.sync import SyncWorker

# pytester runs a pytest session inside a test: tests/pyapi/test_plugin.py checks tmtui's
# pytest plugin as a user's suite sees it. (tmtui's own plugin is on through addopts.)
pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reads or writes the user's saved mailboxes, config or clipboard."""
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    for session in ("TMUX", "DISPLAY", "WAYLAND_DISPLAY"):  # copies stay in the app (and OSC 52)
        monkeypatch.delenv(session, raising=False)


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


@pytest.fixture
def server_config(tmp_path: Path) -> ServerConfig:
    from tmtui.server.config import ServerConfig

    return ServerConfig(data_dir=tmp_path / "server", welcome_mail=False)


@pytest.fixture
async def server(server_config: ServerConfig) -> AsyncIterator[ReferenceServer]:
    from tmtui.server.runner import ReferenceServer

    async with ReferenceServer(server_config) as srv:
        yield srv


@pytest.fixture
async def start_server(tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[ReferenceServer]]]:
    from tmtui.server.config import ServerConfig
    from tmtui.server.runner import ReferenceServer

    started: list[ReferenceServer] = []

    async def start(**overrides: Any) -> ReferenceServer:
        options: dict[str, Any] = {"data_dir": tmp_path / f"server-{len(started)}", "welcome_mail": False}
        options.update(overrides)
        srv = ReferenceServer(ServerConfig(**options))
        await srv.start()
        started.append(srv)
        return srv

    yield start
    for srv in reversed(started):
        await srv.stop()


@pytest.fixture
async def server_client(server: ReferenceServer) -> AsyncIterator[httpx.AsyncClient]:
    import httpx

    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
async def core(server: ReferenceServer) -> AsyncIterator[SyncWorker]:
    """The client core running on ``server`` as the TUI runs it: watchers, and the state
    file of the test's own state dir (read at start, written as the TUI writes it)."""
    from tmtui.config import Config
    from tmtui.sync import SyncWorker

    worker = SyncWorker.from_config(Config(server=server.base_url))
    worker.load_saved()
    task = asyncio.create_task(worker.run())
    yield worker
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
