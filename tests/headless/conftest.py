"""Run the headless commands against the real reference server.

- ``tmtui``: ``await tmtui("wait", "--otp")`` runs ``python -m tmtui --server URL ...``
  as a real subprocess (awaited with asyncio, so the server on this loop keeps
  serving) and returns a :class:`Result`; ``tmtui.spawn(...)`` returns the
  running process for races.
- ``cli``: the same commands in-process (``tmtui.cli.main`` in a thread, output
  captured with capsys): cheaper, for everything that is not about processes.
- State, config and downloads live in the test's tmp dir (env vars), never the user's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .support import Result, Runner

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own state dir, config file and download dir; no server from the environment."""
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("TMTUI_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    monkeypatch.delenv("TMTUI_SERVER", raising=False)
    return tmp_path


@pytest.fixture
def tmtui(server: ReferenceServer) -> Runner:
    return Runner(server.base_url)


@pytest.fixture
def cli(server: ReferenceServer, capsys: pytest.CaptureFixture[str]) -> Callable[..., object]:
    """``await cli("inbox", "--json")`` -> Result, running ``tmtui.cli.main`` in a thread."""
    from tmtui.cli import main

    async def run(*args: str, server_url: str | None = None) -> Result:
        capsys.readouterr()
        code = await asyncio.to_thread(main, ["--server", server_url or server.base_url, *args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
