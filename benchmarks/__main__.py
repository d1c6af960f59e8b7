"""``python -m benchmarks [--quick] [--repeat N] [--json FILE] [--only NAME ...]``: run, print, save.

Each measurement runs N times (3 in a full run, 1 with --quick), round-robin:
every measurement once, then every one again, so a burst of load from
elsewhere lands on one repeat of several figures rather than on all repeats
of one. Each figure is the median of its repeats, with min and max.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from benchmarks.core import Metric, combine, failed, load, machine, table, write_json

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
    parser.add_argument("--repeat", type=int, metavar="N",
                        help="repeats of each measurement, figures are their median (default: 3, --quick: 1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures as JSON")
    parser.add_argument("--only", nargs="+", choices=MEASUREMENTS, metavar="NAME",
                        help=f"run only these: {', '.join(MEASUREMENTS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    repeat = args.repeat if args.repeat is not None else 1 if args.quick else 3
    if repeat < 1:
        parser.error("--repeat must be at least 1")

    names = [n for n in MEASUREMENTS if not args.only or n in args.only]
    started = time.perf_counter()
    load_before = load()
    runs: dict[str, list[list[Metric]]] = {name: [] for name in names}
    durations: dict[str, float] = dict.fromkeys(names, 0.0)
    for round_ in range(1, repeat + 1):
        for name in names:
            print(f"[benchmarks] {name} ({round_}/{repeat}) ...", file=sys.stderr, flush=True)
            found, seconds = run_one(name, args.quick)
            durations[name] = round(durations[name] + seconds, 2)
            runs[name].append(found)
            print(f"[benchmarks] {name} ({round_}/{repeat}) done in {seconds:.1f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started
    metrics = [m for name in names for m in combine(runs[name])]

    meta = {**machine(), "mode": "quick" if args.quick else "full", "repeat": repeat, "seconds": round(total, 1),
            "durations": durations, "measurements": names, "load_before": load_before}
    print(table(metrics, markdown=args.markdown))
    print(f"\n{meta['mode']} run, {repeat} repeat(s), {total:.1f} s; commit {meta['commit']}; "
          f"{meta['nproc']} x {meta['cpu']}; Python {meta['python']}, Textual {meta['textual']}; {meta['date']}; "
          f"load average {load_before} before, {meta['load_after']} after")
    if args.json:
        write_json(args.json, metrics, meta)
    broken = [m.key for m in metrics if None in m.values]  # in any repeat
    if broken:
        print(f"\n{len(broken)} figure(s) could not be measured: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
