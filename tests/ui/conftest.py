"""Fixtures for driving the real app against the real reference server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tmtui.api.client import TempMailClient
from tmtui.config import Config

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer
    from tmtui.ui.app import TmtuiApp


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's state or config."""
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


@pytest.fixture
def make_app(server: ReferenceServer, downloads: Path) -> Callable[..., TmtuiApp]:
    from tmtui.ui.app import TmtuiApp

    def make(**options: object) -> TmtuiApp:
        config = Config(server=server.base_url, download_dir=downloads,
                        **options.pop("config", {}))  # type: ignore[arg-type]
        client = TempMailClient(server.base_url)
        return TmtuiApp(config, client, **options)  # type: ignore[arg-type]

    return make
