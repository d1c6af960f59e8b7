"""Config: defaults < file < environment < options; bad values are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tmtui import config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMTUI_SERVER", raising=False)
    monkeypatch.delenv("TMTUI_DOWNLOAD_DIR", raising=False)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    loaded = config.load(tmp_path / "none.toml")
    assert loaded.server == "https://tempmailmmo.com"
    assert loaded.timeout == 12.0 and loaded.sse and loaded.max_streams == 5


def test_file_then_env_then_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('server = "https://file.example/tool"\nlang = "vi"\nbell = true\n'
                    'download_dir = "~/dl"\n')
    assert config.load(path).server == "https://file.example/tool"
    assert config.load(path).download_dir == Path("~/dl").expanduser()
    monkeypatch.setenv("TMTUI_SERVER", "http://127.0.0.1:9")
    assert config.load(path).server == "http://127.0.0.1:9"
    loaded = config.load(path, server="http://127.0.0.1:10", lang=None)
    assert loaded.server == "http://127.0.0.1:10"
    assert loaded.lang == "vi" and loaded.bell


def test_unknown_keys_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('sever = "typo"\n')
    assert any("sever" in w for w in config.load(path).warnings)


@pytest.mark.parametrize("text", ['timeout = 3', 'lang = "fr"', 'bell = "yes"', 'server = "ftp://x"',
                                  "this is not toml", 'max_streams = -1'])
def test_bad_values_are_one_line_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(config.ConfigError) as caught:
        config.load(path)
    assert "\n" not in str(caught.value)


def test_unset_options_leave_the_environment_in_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMTUI_SERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("TMTUI_DOWNLOAD_DIR", str(tmp_path / "dl"))
    loaded = config.load(tmp_path / "none.toml", server=None, download_dir=None)
    assert loaded.server == "http://127.0.0.1:9"
    assert loaded.download_dir == tmp_path / "dl"
