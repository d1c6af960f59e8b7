"""``python -m tmtui.server``: the same as ``tmtui serve``."""

from __future__ import annotations

import argparse
import sys

from tmtui.server.cli import add_serve_arguments, run_serve


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tmtui.server", description="Run the tmtui reference server.")
    add_serve_arguments(parser)
    return run_serve(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
