"""Snapshot tests of every screen: the real app on the real server, with a reproducible scene.

The scene (tests.support.scenes) fixes the clocks, the address, the seeded mail and
the time zone, so a snapshot changes only when what a user sees changes. The
server runs in a background thread because snap_compare runs the app itself.

    pytest tests/snapshots                      # compare
    pytest tests/snapshots --snapshot-update    # accept the new look (then review the SVG diff)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="snapshot scenes need the server extra")

from tests.support.scenes import SCENE_SIZE, SHOTS, Scene, scene


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    monkeypatch.setenv("TMTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("TMTUI_CONFIG", str(tmp_path / "config.toml"))
    with scene(tmp_path / "downloads") as running:
        yield running


def test_picker(snap_compare, demo: Scene) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=SHOTS["picker"])


def test_inbox(snap_compare, demo: Scene) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=SHOTS["inbox"])


def test_reader(snap_compare, demo: Scene) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=SHOTS["reader"])


def test_attachment_chooser(snap_compare, demo: Scene) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=SHOTS["save"])


def test_help(snap_compare, demo: Scene) -> None:
    assert snap_compare(demo.app(), terminal_size=SCENE_SIZE, run_before=SHOTS["help"])
