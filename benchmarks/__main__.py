"""``python -m benchmarks [--quick] [--json FILE] [--only NAME ...]``: run, print, save."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from benchmarks.core import Metric, failed, machine, table, write_json

MEASUREMENTS = ("delivery", "economy", "idle", "startup", "big_inbox", "rendering", "attachments",
                "server_load", "persistence", "abuse")


def run_one(name: str, quick: bool) -> tuple[list[Metric], float]:
    module = importlib.import_module(f"benchmarks.{name}")
    keys: tuple[str, ...] = module.KEYS
    start = time.perf_counter()
    try:
        metrics: list[Metric] = module.run(quick)
    except Exception as exc:  # one broken measurement must not hide the others
        traceback.print_exc()
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        metrics = [failed(key, key, "", error) for key in keys]
    got = {m.key for m in metrics}
    metrics += [failed(key, key, "", "not reported") for key in keys if key not in got]
    return metrics, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller windows (CI: well under a minute)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, metavar="NAME",
                        help=f"run only these: {', '.join(MEASUREMENTS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)

    names = [n for n in MEASUREMENTS if not args.only or n in args.only]
    started = time.perf_counter()
    metrics: list[Metric] = []
    durations: dict[str, float] = {}
    for name in names:
        print(f"[benchmarks] {name} ...", file=sys.stderr, flush=True)
        found, seconds = run_one(name, args.quick)
        durations[name] = round(seconds, 2)
        metrics += found
        print(f"[benchmarks] {name} done in {seconds:.1f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started

    meta = {**machine(), "mode": "quick" if args.quick else "full", "seconds": round(total, 1),
            "durations": durations, "measurements": names}
    print(table(metrics, markdown=args.markdown))
    print(f"\n{meta['mode']} run, {total:.1f} s; {meta['nproc']} x {meta['cpu']}; Python {meta['python']}, "
          f"Textual {meta['textual']}; {meta['date']}")
    if args.json:
        write_json(args.json, metrics, meta)
    broken = [m.key for m in metrics if m.value is None]
    if broken:
        print(f"\n{len(broken)} figure(s) could not be measured: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
