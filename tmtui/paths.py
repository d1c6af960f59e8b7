"""Where tmtui keeps its files. Environment variables override platform defaults."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tmtui"


def config_file() -> Path:
    """The TOML config file: ``TMTUI_CONFIG`` or the user config dir."""
    override = os.environ.get("TMTUI_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def state_dir() -> Path:
    """Saved sessions live here: ``TMTUI_STATE_DIR`` or the user state dir (honours XDG_STATE_HOME)."""
    override = os.environ.get("TMTUI_STATE_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME))


def state_file() -> Path:
    return state_dir() / "sessions.json"


def default_download_dir() -> Path:
    return Path(platformdirs.user_downloads_dir())
