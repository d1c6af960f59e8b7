#!/usr/bin/env python3
"""Make the README's screenshots: the real app on the real reference server, reproducibly.

    python scripts/screenshots.py               # writes screenshots/{picker,inbox,reader,save,help}.svg
    python scripts/screenshots.py --check       # exit 1 if a file on disk differs from a fresh shot
    python scripts/screenshots.py inbox help    # only these

Each shot gets a fresh scene (tests.support.scenes.scene): server and UI clocks
fixed at 2026-11-25 09:00 UTC, the mailbox demo.user@demo.test with the demo
mail, TZ=UTC, cursors not blinking, a 100x30 terminal. Running it twice gives
byte-identical files. Needs the server extra (pip install -e '.[server]').
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The scenes are test support (tests/support, not in the package): run from any
# directory, the script finds them in its own checkout.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.scenes import SCENE_SIZE, SHOTS, scene  # noqa: E402


async def shoot(name: str) -> str:
    """The SVG of one screen, from a fresh scene."""
    with tempfile.TemporaryDirectory(prefix="tmtui-shot-") as scratch, \
            scene(Path(scratch) / "downloads") as demo:
        app = demo.app()
        async with app.run_test(size=SCENE_SIZE) as pilot:
            await SHOTS[name](pilot)
            return app.export_screenshot(title=f"tmtui · {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"screens to shoot (default all: {', '.join(SHOTS)})")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output directory")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in SHOTS]
    if unknown:
        parser.error(f"unknown screen {unknown[0]!r}; choose from {', '.join(SHOTS)}")
    names = args.names or list(SHOTS)
    stale = []
    for name in names:
        svg = asyncio.run(shoot(name))
        path = args.out / f"{name}.svg"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != svg:
                stale.append(path)
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")
        print(f"wrote {path}")
    for path in stale:
        print(f"out of date: {path} (run scripts/screenshots.py)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
