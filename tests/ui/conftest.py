"""Fixtures for driving the real app against the real reference server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tmtui.builder import build_app
from tmtui.config import Config

if TYPE_CHECKING:
    from tmtui.server.runner import ReferenceServer
    from tmtui.ui.app import TmtuiApp


@pytest.fixture
def make_app(server: ReferenceServer, downloads: Path) -> Callable[..., TmtuiApp]:
    def make(**options: object) -> TmtuiApp:
        """A fresh app: no saved mailboxes unless ``saved=`` says (``saved=None``: the state file's,
        as ``tmtui`` starts). It still saves what it creates, so two apps in a test share the file."""
        options.setdefault("saved", ())
        config = Config(server=server.base_url, download_dir=downloads,
                        **options.pop("config", {}))  # type: ignore[arg-type]
        return build_app(config, **options)  # type: ignore[arg-type]

    return make
