"""Figures, targets, statistics and the report (table and JSON).

A figure is measured in each of N repeats of its measurement, each time next to
its baseline; :func:`combine` turns the repeats into one line: the median
value with its min and max, the median baseline, and the median of the
per-repeat ratios (each ratio pairs a value with the baseline measured beside
it, so load that drifts between repeats cancels out). Targets are judged on
the medians.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

On = Literal["value", "ratio"]


@dataclass(frozen=True, slots=True)
class Target:
    """``value <= limit`` (or ``ratio <= limit``), or ``>=`` with ``op``."""

    limit: float
    on: On = "value"
    op: Literal["<=", ">="] = "<="
    unit: str = ""

    def met(self, value: float | None, ratio: float | None) -> bool | None:
        subject = value if self.on == "value" else ratio
        if subject is None or math.isnan(subject):
            return None
        return subject <= self.limit if self.op == "<=" else subject >= self.limit

    def __str__(self) -> str:
        what = "ratio" if self.on == "ratio" else ""
        unit = f" {self.unit}" if self.unit and self.on == "value" else ""
        return f"{what} {self.op} {_num(self.limit)}{unit}".strip()


@dataclass(slots=True)
class Metric:
    """One line of the report. ``ratio`` is value / baseline when both exist
    (for a combined line, the median of the repeats' ratios); ``low``/``high``
    are the min and max of the repeats' values, ``values``/``ratios`` each
    repeat's, in order."""

    key: str
    label: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    target: Target | None = None
    note: str = ""
    samples: int | None = None
    ratio: float | None = field(default=None)
    met: bool | None = field(default=None)
    low: float | None = None
    high: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    repeats: int = 1
    values: list[float | None] = field(default_factory=list)
    ratios: list[float | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.ratio is None and self.value is not None and self.baseline not in (None, 0):
            self.ratio = self.value / self.baseline  # type: ignore[operator]
        if self.target is not None:
            self.met = self.target.met(self.value, self.ratio)
        if not self.values:
            self.values = [self.value]
            self.ratios = [self.ratio]
        if self.low is None and self.value is not None:
            self.low = self.high = self.value
        if self.ratio_low is None and self.ratio is not None:
            self.ratio_low = self.ratio_high = self.ratio

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["target"] = str(self.target) if self.target else None
        return data


def failed(key: str, label: str, unit: str, error: str, target: Target | None = None) -> Metric:
    """A metric whose measurement broke: no value, the error as its note."""
    return Metric(key, label, None, unit, target=target, note=f"ERROR: {error}")


def combine(repeats: Sequence[Sequence[Metric]]) -> list[Metric]:
    """One metric per key from N repeats of a measurement (in first-seen order).

    Medians of the values, baselines and per-repeat ratios, with min and max;
    the note and sample count are the median repeat's. A repeat that could not
    measure a figure is left out of its statistics and named in the note."""
    by_key: dict[str, list[Metric]] = {}
    for run in repeats:
        for metric in run:
            by_key.setdefault(metric.key, []).append(metric)
    return [_combined(runs) for runs in by_key.values()]


def _measured(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and not math.isnan(v)]


def _combined(runs: list[Metric]) -> Metric:
    good = [m for m in runs if m.value is not None and not math.isnan(m.value)]
    if not good:
        first = runs[0]
        return Metric(first.key, first.label, None, first.unit, target=first.target, note=first.note,
                      repeats=len(runs), values=[None] * len(runs), ratios=[None] * len(runs))
    values = _measured(m.value for m in good)
    ratios = _measured(m.ratio for m in good)
    baselines = _measured(m.baseline for m in good)
    value = median(values)
    middle = min(good, key=lambda m: abs((m.value or 0.0) - value))  # the median repeat
    note = middle.note
    if len(good) < len(runs):
        errors = "; ".join(dict.fromkeys(m.note for m in runs if m not in good))
        note = f"{note}; {len(runs) - len(good)} of {len(runs)} repeats failed: {errors}".lstrip("; ")
    return Metric(middle.key, middle.label, value, middle.unit,
                  baseline=median(baselines) if baselines else None, baseline_label=middle.baseline_label,
                  target=middle.target, note=note, samples=middle.samples,
                  ratio=median(ratios) if ratios else None,
                  low=min(values), high=max(values),
                  ratio_low=min(ratios) if ratios else None, ratio_high=max(ratios) if ratios else None,
                  repeats=len(runs), values=[m.value for m in runs], ratios=[m.ratio for m in runs])


# -- statistics -----------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> float:
    return seconds * 1000.0


# -- report -----------------------------------------------------------------------------

def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if float(value).is_integer() and magnitude < 1e7:
        return f"{int(value):,}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _with_unit(value: float | None, unit: str) -> str:
    text = _num(value)
    return f"{text} {unit}" if unit and text != "-" else text


def _span(low: float | None, high: float | None, fmt: str = "") -> str:
    if low is None or high is None:
        return "-"
    if fmt:
        return f"{low:{fmt}} - {high:{fmt}}"
    return f"{_num(low)} - {_num(high)}"


def table(metrics: Sequence[Metric], *, markdown: bool = False) -> str:
    """Median, min - max and the same for the ratio; the baseline is the median of its repeats."""
    header = ["metric", "median", "min - max", "baseline", "ratio", "ratio min - max", "target", "met?"]
    rows = []
    for m in metrics:
        baseline = _with_unit(m.baseline, m.unit)
        if m.baseline is not None and m.baseline_label:
            baseline += f" ({m.baseline_label})"
        met = {True: "yes", False: "NO", None: "-"}[m.met] if m.target else "-"
        rows.append([m.label, _with_unit(m.value, m.unit), _span(m.low, m.high), baseline,
                     f"{m.ratio:.2f}" if m.ratio is not None else "-", _span(m.ratio_low, m.ratio_high, ".2f"),
                     str(m.target) if m.target else "-", met])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    widths[0] = min(widths[0], 60)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(lines)


def machine() -> dict[str, object]:
    """Facts about where the figures came from."""
    import textual

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "load_after": load(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "textual": textual.__version__,
        "platform": platform.platform(),
    }


def commit() -> str:
    """The checked-out commit, ``-dirty`` when tracked files differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}-dirty" if dirty else head


def load() -> str:
    """The load averages (1, 5, 15 min), as ``uptime`` shows them."""
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def write_json(path: Path, metrics: Sequence[Metric], meta: dict[str, object]) -> None:
    payload = {"meta": meta, "metrics": [m.as_json() for m in metrics]}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
