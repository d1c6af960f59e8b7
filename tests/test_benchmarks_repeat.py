"""``python -m benchmarks --repeat N``: N repeats of a figure become its median, min and max.

Pure bookkeeping (no measurement runs here): the median repeat's note, the
ratio as the median of per-repeat ratios (each pairs a value with the baseline
measured beside it), the target judged on the medians, failed repeats named.
"""

from __future__ import annotations

import pytest

from benchmarks.core import Metric, Target, combine, failed, table


def _metric(value: float | None, baseline: float | None, note: str = "") -> Metric:
    target = Target(1.2, on="ratio")
    if value is None:
        return failed("x.time", "a time", "ms", note, target=target)
    return Metric("x.time", "a time", value, "ms", baseline=baseline, baseline_label="bare",
                       target=target, note=note, samples=5)


def test_three_repeats_give_median_min_max_and_median_ratio() -> None:
    runs = [[_metric(30.0, 20.0, "slow")], [_metric(10.0, 10.0, "fast")],
            [_metric(22.0, 20.0, "middle")]]
    (line,) = combine(runs)
    assert (line.value, line.low, line.high) == (22.0, 10.0, 30.0)
    assert line.baseline == 20.0
    # per-repeat ratios 1.5, 1.0, 1.1: their median, not 22 / 20
    assert line.ratio == pytest.approx(1.1)
    assert (line.ratio_low, line.ratio_high) == (pytest.approx(1.0), pytest.approx(1.5))
    assert line.met is True
    assert line.note == "middle" and line.repeats == 3 and line.values == [30.0, 10.0, 22.0]


def test_target_is_judged_on_the_median_ratio() -> None:
    runs = [[_metric(13.0, 10.0)], [_metric(11.0, 10.0)], [_metric(14.0, 10.0)]]
    (line,) = combine(runs)
    assert line.ratio == pytest.approx(1.3) and line.met is False


def test_a_failed_repeat_is_left_out_and_named() -> None:
    runs = [[_metric(10.0, 10.0)], [_metric(None, None, "boom")], [_metric(12.0, 10.0)]]
    (line,) = combine(runs)
    assert line.value == 11.0 and line.values == [10.0, None, 12.0]
    assert "1 of 3 repeats failed: ERROR: boom" in line.note
    (none,) = combine([[_metric(None, None, "boom")]] * 2)
    assert none.value is None and none.values == [None, None]


def test_one_repeat_is_the_metric_itself() -> None:
    (line,) = combine([[_metric(12.0, 10.0, "only")]])
    assert (line.value, line.low, line.high, line.ratio, line.note) == (12.0, 12.0, 12.0, pytest.approx(1.2), "only")


def test_table_shows_min_and_max() -> None:
    runs = [[_metric(30.0, 20.0)], [_metric(10.0, 10.0)], [_metric(22.0, 20.0)]]
    text = table(combine(runs), markdown=True)
    header, _, row = text.splitlines()
    assert "min - max" in header
    assert "| 22 ms | 10 - 30 | 20 ms (bare) |" in row and "| 1.10 | 1.00 - 1.50 |" in row
