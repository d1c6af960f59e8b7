"""Fault tests run the real app on the real server; state and config stay in tmp."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return tmp_path / "downloads"
