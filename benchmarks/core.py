"""Figures, targets, statistics and the report (table and JSON)."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
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
    """One line of the report. ``ratio`` is value / baseline when both exist."""

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

    def __post_init__(self) -> None:
        if self.value is not None and self.baseline not in (None, 0):
            self.ratio = self.value / self.baseline  # type: ignore[operator]
        if self.target is not None:
            self.met = self.target.met(self.value, self.ratio)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["target"] = str(self.target) if self.target else None
        return data


def failed(key: str, label: str, unit: str, error: str, target: Target | None = None) -> Metric:
    """A metric whose measurement broke: no value, the error as its note."""
    return Metric(key, label, None, unit, target=target, note=f"ERROR: {error}")


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


def table(metrics: Sequence[Metric], *, markdown: bool = False) -> str:
    header = ["metric", "value", "baseline", "ratio", "target", "met?"]
    rows = []
    for m in metrics:
        baseline = _with_unit(m.baseline, m.unit)
        if m.baseline is not None and m.baseline_label:
            baseline += f" ({m.baseline_label})"
        met = {True: "yes", False: "NO", None: "-"}[m.met] if m.target else "-"
        rows.append([m.label, _with_unit(m.value, m.unit), baseline,
                     f"{m.ratio:.2f}" if m.ratio is not None else "-",
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
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "textual": textual.__version__,
        "platform": platform.platform(),
    }


def write_json(path: Path, metrics: Sequence[Metric], meta: dict[str, object]) -> None:
    payload = {"meta": meta, "metrics": [m.as_json() for m in metrics]}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
