"""Every hostile case, reported on its own.

The cases run in batches (one server and one app session per batch, see
runner.py); the first test of a batch runs the whole batch and caches what it
found, the others read their case's result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import CASES, SERVER_CASES, Case
from .runner import Outcome, run_batch

BATCH = 30
BATCHES = [CASES[i:i + BATCH] for i in range(0, len(CASES), BATCH)]
_results: dict[int, dict[str, Outcome]] = {}


def _batch_of(case: Case) -> int:
    return next(n for n, batch in enumerate(BATCHES) if case in batch)


@pytest.fixture(scope="module")
def batch_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module", autouse=True)
def isolated_state(batch_root: Path) -> object:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TMTUI_STATE_DIR", str(batch_root / "state"))
        patch.setenv("TMTUI_CONFIG", str(batch_root / "config.toml"))
        yield


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 116 and len(SERVER_CASES) >= 12  # 30 more with issue 12
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case: Case, batch_root: Path) -> None:
    number = _batch_of(case)
    if number not in _results:
        _results[number] = run_batch(batch_root / f"batch-{number}", BATCHES[number])
    outcome = _results[number][case.id]
    assert not outcome.problems, f"{case.what}:\n  " + "\n  ".join(outcome.problems[:15])
