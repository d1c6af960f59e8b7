"""Precision and recall of tmtui.extract on the labelled corpus (target >= 0.95).

Run with ``-s`` to see the figures, or ``python -m tests.extract.report``.
"""

from __future__ import annotations

from .corpus import evaluate, load_cases, report

TARGET = 0.95


def test_corpus_is_big_and_varied() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    assert len({c.id for c in cases}) == len(cases)
    assert {c.id[:3] for c in cases} == {"en-", "vi-"} and {c.format for c in cases} == {"html", "plain"}
    assert sum(c.code is not None for c in cases) >= 20 and sum(c.link is not None for c in cases) >= 10
    assert sum(c.code is None and c.link is None for c in cases) >= 10  # mails with only decoys
    assert all(c.decoys for c in cases)


def test_precision_and_recall_reach_the_target() -> None:
    print("\n" + report())
    codes, links = evaluate()
    assert codes.precision >= TARGET and codes.recall >= TARGET, codes.mistakes
    assert links.precision >= TARGET and links.recall >= TARGET, links.mistakes
