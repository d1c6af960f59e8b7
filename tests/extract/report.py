"""Print precision and recall of tmtui.extract on the corpus: ``python -m tests.extract.report``."""

from __future__ import annotations

from .corpus import report

if __name__ == "__main__":
    print(report())
