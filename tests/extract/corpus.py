"""The labelled corpus of ``tests/extract/corpus/*.toml`` and its scoring.

Each case is run the way tmtui runs a mail: a plain body is stored as the
reference server stores it (escaped paragraphs), the HTML goes through
``tmtui.render.html_to_text``, then ``find_code`` and ``best_link`` look at the
result. A prediction counts as right only when it equals the label exactly.
For codes and links separately::

    precision = right predictions / all predictions (a guess on a mail without one is wrong)
    recall    = right predictions / all labelled mails that have one
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tmtui.extract import best_link, find_code
from tmtui.render import html_to_text

CORPUS = Path(__file__).with_name("corpus")


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    format: str
    subject: str
    body: str
    code: str | None
    link: str | None
    decoys: tuple[str, ...] = ()
    source: str = ""  # the file's stem: "en", "vi", or "holdout" (written after tuning)


@dataclass(slots=True)
class Score:
    expected: int = 0  # labelled mails that have one
    predicted: int = 0
    right: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0

    def add(self, case_id: str, expected: str | None, got: str | None) -> None:
        self.expected += expected is not None
        self.predicted += got is not None
        if got is not None and got == expected:
            self.right += 1
        elif got != expected:
            self.mistakes.append(f"{case_id}: expected {expected!r}, got {got!r}")

    def line(self, name: str) -> str:
        return (f"{name}: precision {self.precision:.3f} ({self.right}/{self.predicted}), "
                f"recall {self.recall:.3f} ({self.right}/{self.expected})")


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CORPUS.glob("*.toml")):
        for raw in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            cases.append(Case(raw["id"], raw["format"], raw["subject"], raw["body"],
                              raw.get("code"), raw.get("link"), tuple(raw.get("decoys", ())), path.stem))
    return cases


def html_of(case: Case) -> str:
    if case.format == "html":
        return case.body
    from tmtui.server.mailparse import text_to_html

    return text_to_html(case.body)


def predict(case: Case) -> tuple[str | None, str | None]:
    rendered = html_to_text(html_of(case))
    code = find_code(case.subject, rendered.text)
    link = best_link(rendered.links, text=rendered.text)
    return (code.value if code else None), (link.url if link else None)


def evaluate(cases: list[Case] | None = None) -> tuple[Score, Score]:
    codes, links = Score(), Score()
    for case in cases if cases is not None else load_cases():
        code, link = predict(case)
        codes.add(case.id, case.code, code)
        links.add(case.id, case.link, link)
    return codes, links


def report(cases: list[Case] | None = None) -> str:
    cases = cases if cases is not None else load_cases()
    codes, links = evaluate(cases)
    english = sum(c.id.startswith("en-") for c in cases)
    lines = [
        f"corpus: {len(cases)} mails ({english} English, {len(cases) - english} Vietnamese; "
        f"{sum(c.format == 'html' for c in cases)} HTML, {sum(c.format == 'plain' for c in cases)} plain)",
        codes.line("codes"),
        links.line("links"),
    ]
    lines += [f"  miss: {m}" for m in codes.mistakes + links.mistakes]
    held_out = [c for c in cases if c.source == "holdout"]
    if held_out and len(held_out) < len(cases):
        held_codes, held_links = evaluate(held_out)
        lines.append(f"of which held out ({len(held_out)} mails written after tuning): "
                     f"{held_codes.line('codes')}; {held_links.line('links')}")
    return "\n".join(lines)
