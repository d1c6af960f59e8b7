"""``python -m benchmarks --quick`` still runs end to end and reports every figure.

The benchmarks drive the real app against the real reference server, so they
break when either changes shape; this keeps them from rotting. No target is
asserted here (machines differ; timing asserts make flaky tests): only that the
run succeeds and every metric has a number.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("aiosmtpd", reason="the benchmarks need the server extra")


# A bound against a hang, not a timing: ~60 s on a quiet 2-core machine, twice that with six others on it.
@pytest.mark.timeout(270)
def test_quick_benchmarks_report_every_metric(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"

    report = json.loads(out.read_text())
    assert report["meta"]["mode"] == "quick"
    found = {m["key"]: m for m in report["metrics"]}
    sys.path.insert(0, str(ROOT))
    try:
        runner = importlib.import_module("benchmarks.__main__")
        expected = [key for name in runner.MEASUREMENTS
                    for key in importlib.import_module(f"benchmarks.{name}").KEYS]
    finally:
        sys.path.remove(str(ROOT))
    assert len(expected) == len(set(expected))
    missing = [key for key in expected if key not in found]
    assert not missing, f"metrics missing from the report: {missing}"
    for key in expected:
        value = found[key]["value"]
        assert isinstance(value, (int, float)) and math.isfinite(value), f"{key}: {found[key]}"

    # The app runs as users run it (state file, persistence on): its writes are counted, in a tiny form.
    writes = found["persistence.state_writes"]
    assert (writes["samples"], writes["baseline"], writes["target"]) == (3, 3, "<= 3 writes"), writes
    assert isinstance(writes["value"], int) and writes["value"] >= 0, writes


def test_file_writes_counts_replacements_of_its_file_only(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks.appkit import FileWrites
    finally:
        sys.path.remove(str(ROOT))
    target, other = tmp_path / "state" / "sessions.json", tmp_path / "other.json"
    target.parent.mkdir()
    writes = FileWrites(target).install()
    try:
        for destination in (target, other, target):
            (tmp_path / "new").write_text("{}")
            os.replace(tmp_path / "new", destination)
        (tmp_path / "new").write_text("{}")
        os.rename(str(tmp_path / "new"), str(target))
    finally:
        writes.uninstall()
    os.replace(other, target)  # after uninstall: not seen
    assert writes.count == 3
