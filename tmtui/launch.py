"""Start the TUI from parsed command-line arguments."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import TYPE_CHECKING

from tmtui import config as config_mod
from tmtui.builder import build_app

if TYPE_CHECKING:
    from tmtui.ui.app import TmtuiApp


def app_for(args: argparse.Namespace, *, banner: str | None = None, persist: bool = True) -> TmtuiApp:
    """The app ``tmtui`` runs for ``args``: the config (file, environment, options), then
    build_app (its sync core reads this server's saved mailboxes). Raises ConfigError.
    (The benchmarks build the app here too, so they measure what users run.)"""
    config = config_mod.load(server=args.server, download_dir=args.download_dir,
                             lang=args.lang, sse=args.sse)
    return build_app(config, saved=None if persist else [], start_address=args.address,
                     warnings=config.warnings, persist=persist, banner=banner)


def run_tui(args: argparse.Namespace, *, banner: str | None = None, persist: bool = True) -> int:
    # Start-up creates a few hundred thousand objects that live as long as the app
    # (Textual, httpx, styles); the collector's passes over them before the first
    # frame are wasted work (~15% of start-up CPU here). The app turns it back on,
    # with those objects frozen, once it has settled (TmtuiApp.on_mount).
    gc.disable()
    try:
        app = app_for(args, banner=banner, persist=persist)
    except config_mod.ConfigError as exc:
        print(f"tmtui: {exc}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0
