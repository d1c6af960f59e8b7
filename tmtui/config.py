"""Typed configuration: defaults < TOML file < environment < command line.

Unknown keys are reported as warnings rather than silently ignored; a value of
the wrong type is a :class:`ConfigError` with one clear line.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tmtui import paths

DEFAULT_SERVER = "https://tempmailmmo.com"


class ConfigError(Exception):
    """The config file or an override is unusable; the message is one line."""


@dataclass(frozen=True, slots=True)
class Config:
    server: str = DEFAULT_SERVER
    download_dir: Path | None = None
    lang: str | None = None
    timeout: float = 12.0
    sse: bool = True
    poll_min_seconds: float = 15.0
    poll_max_seconds: float = 30.0
    max_streams: int = 5
    theme: str | None = None  # None: the theme last chosen in the palette, else textual-dark
    bell: bool = False
    desktop_notify: bool = False
    terminal_title: bool = True
    auto_copy_code: bool = False
    private_addresses: bool = False  # new random addresses get an unguessable name (tmtui.sync.private)
    # The [[rules]] tables as read; tmtui.rules parses them (errors name the rule's
    # index and key), so a bad rule costs that rule, not the whole configuration.
    rules: tuple[object, ...] = field(default=(), compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def downloads(self) -> Path:
        return self.download_dir or paths.default_download_dir()


_TYPES: dict[str, type] = {
    "server": str,
    "download_dir": Path,
    "lang": str,
    "timeout": float,
    "sse": bool,
    "poll_min_seconds": float,
    "poll_max_seconds": float,
    "max_streams": int,
    "theme": str,
    "bell": bool,
    "desktop_notify": bool,
    "terminal_title": bool,
    "auto_copy_code": bool,
    "private_addresses": bool,
}


def _coerce(key: str, value: Any) -> Any:
    kind = _TYPES[key]
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"config: {key} must be true or false")
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (str, Path) and isinstance(value, str):
        return Path(value).expanduser() if kind is Path else value
    raise ConfigError(f"config: {key} must be a {kind.__name__}")


def _rules(value: Any) -> tuple[object, ...]:
    if not isinstance(value, list):
        raise ConfigError("config: rules must be an array of tables ([[rules]])")
    return tuple(value)


def _validate(config: Config) -> Config:
    if not 10.0 <= config.timeout <= 15.0:
        raise ConfigError("config: timeout must be between 10 and 15 seconds")
    if config.lang not in (None, "vi", "en"):
        raise ConfigError("config: lang must be 'vi' or 'en'")
    if not 1.0 <= config.poll_min_seconds <= config.poll_max_seconds:
        raise ConfigError("config: poll_min_seconds must be >= 1 and <= poll_max_seconds")
    if config.max_streams < 0:
        raise ConfigError("config: max_streams must be >= 0")
    if not config.server.startswith(("http://", "https://")):
        raise ConfigError("config: server must be an http:// or https:// URL")
    return config


def load(path: Path | None = None, **overrides: Any) -> Config:
    """Read the config file (if any), apply env vars, then the given overrides (None = unset)."""
    path = path or paths.config_file()
    values: dict[str, Any] = {}
    warnings: list[str] = []
    if path.exists():
        from tmtui.state import unsafe_directory

        problem = unsafe_directory(path.parent)
        if problem:  # a stranger could write our settings (the server our tokens go to)
            raise ConfigError(f"config: the directory {problem}")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config: cannot read {path}: {exc}") from None
        for key, value in raw.items():
            if key == "rules":
                values["rules"] = _rules(value)
            elif key in _TYPES:
                values[key] = _coerce(key, value)
            else:
                warnings.append(f"config: unknown key {key!r} in {path} (ignored)")
    env = {
        "server": os.environ.get("TMTUI_SERVER"),
        "download_dir": os.environ.get("TMTUI_DOWNLOAD_DIR"),
    }
    given = {key: value for key, value in overrides.items() if value is not None}
    for key, value in (env | given).items():  # an unset option must not hide the environment
        if value is not None:
            values[key] = _coerce(key, str(value) if isinstance(value, Path) else value)
    config = replace(Config(), **values, warnings=tuple(warnings))
    return _validate(config)


def known_keys() -> tuple[str, ...]:
    return tuple(f.name for f in fields(Config) if f.name != "warnings")
