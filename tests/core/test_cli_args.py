"""tmtui's arguments: the TUI's own are parsed without building every command's parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tmtui.cli import build_parser, parse_args


def test_the_tuis_options_parse_without_the_commands_parsers() -> None:
    """The commands' parsers import the server's and the scripts' options: a tenth of the
    time to the first frame, for a run that has no command."""
    code = ("import sys; from tmtui.cli import parse_args\n"
            "args = parse_args(['--server', 'http://x.test', '--address', 'a@b.test', '--no-sse'])\n"
            "print(args.command, args.server, args.address, args.sse)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('tmtui.server', 'tmtui.headless.'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stdout) == (0, "None http://x.test a@b.test False\n[]\n"), result.stderr


@pytest.mark.parametrize("argv", [
    [],
    ["--server", "http://x.test", "--address", "a@b.test", "--lang", "vi", "--download-dir", "d", "--no-sse"],
    ["--serv", "http://x.test"],  # abbreviations, as argparse allows them
    ["inbox", "--json"],
    ["--lang", "vi", "inbox", "--json"],
    ["inbox", "--server", "http://y.test"],
    ["demo", "--smtp-port", "0"],
    ["wait", "--otp", "--timeout", "5"],
])
def test_every_command_line_parses_as_the_full_parser_does(argv: list[str]) -> None:
    assert vars(parse_args(argv)) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", [["--lang", "xx"], ["--server"], ["nonsense"], ["--help"], ["--version"]])
def test_errors_help_and_version_come_from_the_full_parser(argv: list[str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as parsed:
        parse_args(argv)
    ours = (parsed.value.code, capsys.readouterr())
    with pytest.raises(SystemExit) as full:
        build_parser().parse_args(argv)
    assert ours == (full.value.code, capsys.readouterr())


def test_download_dir_is_a_path() -> None:
    assert parse_args(["--download-dir", "x"]).download_dir == Path("x")
