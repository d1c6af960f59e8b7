"""Command line: ``tmtui`` (the TUI), ``tmtui demo``, ``tmtui serve``, and the
headless commands ``new``, ``ls``, ``open``, ``forget``, ``label``, ``export``,
``import``, ``inbox``, ``read``, ``save``, ``rm``, ``wait``, ``watch`` (:mod:`tmtui.headless`).

Heavy imports (Textual, the server) happen inside the command that needs them,
so ``tmtui --help`` and ``tmtui --version`` stay fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tmtui import __version__
from tmtui.headless import COMMANDS as HEADLESS_COMMANDS


def _tui_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", metavar="URL",
                        help="API base URL, may carry a path prefix (env TMTUI_SERVER; "
                             "default https://tempmailmmo.com)")
    parser.add_argument("--address", metavar="USER@DOMAIN", help="open this mailbox at start")
    parser.add_argument("--download-dir", metavar="DIR", type=Path,
                        help="where attachments are saved (env TMTUI_DOWNLOAD_DIR)")
    parser.add_argument("--lang", choices=("en", "vi"), help="language hint sent to the server")
    parser.add_argument("--no-sse", dest="sse", action="store_const", const=False, default=None,
                        help="do not open event streams; poll every 15-30 s instead")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tmtui",
        description="Keyboard-first terminal client for disposable TempMail MMO mailboxes.",
    )
    parser.add_argument("--version", action="version", version=f"tmtui {__version__}")
    _tui_options(parser)
    from tmtui.headless.parsers import OneLineErrors, add_parsers

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrors)

    demo = commands.add_parser("demo", help="run the TUI against an embedded local server with sample mail")
    demo.add_argument("--data-dir", metavar="DIR", type=Path, help="keep the demo server's data here")
    demo.add_argument("--download-dir", metavar="DIR", type=Path, help="where attachments are saved")
    demo.add_argument("--smtp-port", type=int, default=0, help="SMTP port (default: a free one)")

    serve = commands.add_parser("serve", help="run the reference server (HTTP + SSE + SMTP)")
    try:
        from tmtui.server.cli import add_serve_arguments
    except ImportError:
        serve.set_defaults(server_missing=True)
    else:
        add_serve_arguments(serve)

    add_parsers(commands)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``tmtui``'s arguments. With no command and no help asked (the TUI: the common
    case, and the one timed at start-up) only the TUI's options are parsed: the
    commands' parsers import and build the server's and the scripts' options, a
    tenth of the time to the first frame. Anything else goes to the full parser,
    which also words every error."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    tui = argparse.ArgumentParser(prog="tmtui", add_help=False, exit_on_error=False)
    _tui_options(tui)
    try:
        args, rest = tui.parse_known_args(arguments)
    except argparse.ArgumentError:
        return build_parser().parse_args(arguments)
    if rest:
        return build_parser().parse_args(arguments)
    args.command = None
    return args


def _fail(message: str, code: int = 2) -> int:
    print(f"tmtui: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.command in HEADLESS_COMMANDS:
            from tmtui.headless.run import run

            return run(args)
        if args.command == "serve":
            if getattr(args, "server_missing", False):
                return _fail("the reference server needs extra packages: pip install 'tmtui[server]'", 1)
            from tmtui.server.cli import run_serve

            return run_serve(args)
        if args.command == "demo":
            from tmtui.demo import run_demo

            return run_demo(args)
        from tmtui.launch import run_tui

        return run_tui(args)
    except KeyboardInterrupt:
        return 130
