"""Start the TUI from parsed command-line arguments."""

from __future__ import annotations

import argparse
import sys

from tmtui import config as config_mod
from tmtui import state
from tmtui.builder import build_app


def run_tui(args: argparse.Namespace, *, banner: str | None = None, persist: bool = True) -> int:
    try:
        config = config_mod.load(server=args.server, download_dir=args.download_dir,
                                 lang=args.lang, sse=args.sse)
    except config_mod.ConfigError as exc:
        print(f"tmtui: {exc}", file=sys.stderr)
        return 2
    saved, warning = state.load() if persist else ([], None)
    warnings = [*config.warnings, *([warning] if warning else [])]
    app = build_app(config, saved=saved, start_address=args.address, warnings=warnings,
                    persist=persist, banner=banner)
    app.run()
    return app.return_code or 0
