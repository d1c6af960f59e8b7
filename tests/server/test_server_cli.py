"""``tmtui serve``: every limit is an option with ServerConfig's default, and the help states the policy."""

from __future__ import annotations

import argparse
import dataclasses
import re

import pytest

from tmtui.server.cli import LIMITS, add_serve_arguments, byte_size, config_from, run_serve
from tmtui.server.config import ServerConfig


def parser() -> argparse.ArgumentParser:
    built = argparse.ArgumentParser(prog="tmtui serve")
    add_serve_arguments(built)
    return built


def test_help_lists_every_limit_with_its_default_and_the_policy() -> None:
    text = re.sub(r"\s+", " ", parser().format_help())
    for group in LIMITS.values():
        for flag, field, _, _, _ in group:
            assert flag in text, flag
            assert field in {f.name for f in dataclasses.fields(ServerConfig)}
    for fragment in ("--smtp-per-ip N SMTP connections per client IP (default 10)",
                     "(default 25M)",
                     "--message-ttl-minutes MIN messages are deleted this long after arrival, 0 = never (default 1440)",
                     "Anyone who knows an address can open it and read its mail",
                     "--names {random,classic}"):
        assert fragment in text, fragment


def test_defaults_are_server_config_defaults() -> None:
    assert config_from(parser().parse_args([])) == dataclasses.replace(
        ServerConfig(), port=8025, smtp_port=2525, data_dir=config_from(parser().parse_args([])).data_dir,
        clock=ServerConfig().clock)


def test_options_reach_the_config() -> None:
    args = parser().parse_args(["--smtp-per-ip", "3", "--max-message-bytes", "10M", "--smtp-inflight-per-ip", "10M",
                                "--message-ttl-minutes", "60", "--names", "classic", "--http-head-timeout", "2.5",
                                "--storage-max-bytes", "0"])
    config = config_from(args)
    assert (config.smtp_per_ip, config.max_message_bytes, config.smtp_inflight_per_ip_bytes) == (3, 10 << 20, 10 << 20)
    assert (config.message_ttl_minutes, config.names, config.http_head_seconds) == (60, "classic", 2.5)
    assert config.storage_max_bytes == 0


@pytest.mark.parametrize(("text", "size"), [("65536", 65536), ("64K", 65536), ("25M", 25 << 20), ("2G", 2 << 30),
                                            ("12kb", 12 << 10), (" 3 MiB ", 3 << 20)])
def test_sizes(text: str, size: int) -> None:
    assert byte_size(text) == size


@pytest.mark.parametrize("text", ["", "abc", "-1", "1.5M", "3T"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        byte_size(text)


def test_a_limit_that_contradicts_another_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    args = parser().parse_args(["--smtp-inflight-per-ip", "1M", "--port", "0", "--smtp-port", "0"])
    assert run_serve(args) == 2
    err = capsys.readouterr().err
    assert err == "tmtui serve: smtp_inflight_per_ip_bytes must be at least max_message_bytes\n"
    with pytest.raises(ValueError, match="smtp_per_ip must be positive"):
        ServerConfig(smtp_per_ip=0)
