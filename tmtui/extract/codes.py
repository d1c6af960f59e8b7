"""One-time codes: candidates scored by form, nearby keywords and decoys.

See :mod:`tmtui.extract` for what counts as a code and what is ignored.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from tmtui.extract.text import MAX_SCAN, Keyword, find_keywords, fold, prepare
from tmtui.safety import sanitize_line

MAX_CANDIDATES = 400
THRESHOLD = 2.0  # minimum score of a code worth reporting
_NO_CODE = -10.0  # the score of what is surely not a code (a year after ©, a zip code)


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """A one-time code. ``value`` is what to type; ``raw`` is how the mail wrote it."""

    value: str
    confidence: float
    context: str  # one sanitised line around the code
    raw: str = ""
    in_subject: bool = False
    # The parts of the mail disagree (text/plain says one code, the HTML another):
    # shown with a warning, never copied on its own (see tmtui.extract.pick).
    uncertain: bool = False
    other: str = ""  # what the other part shows instead ("" when it shows no code)




# -- code candidates -------------------------------------------------------------------

_WORD = re.compile(r"\S*\d\S*")
_LABEL = re.compile(r"(?:[^\W\d_]+[:=])+")
_LEAD = "([{<\"'\u201c\u2018«*_~•"  # curly quotes written as escapes: they look like ASCII ones
_TRAIL = ".,;:!?)]}>\"'\u201d\u2019»*_~"
_MARKERS = "#$€£¥₫+№@%"
_DIGITS = re.compile(r"\d{4,8}")
_GROUPED = re.compile(r"\d{3}-\d{3}|\d{4}-\d{4}")
_PREFIXED = re.compile(r"[A-Z]{1,3}-\d{4,8}")
_ALNUM = re.compile(r"[A-Z0-9]{4,10}|[A-Z0-9]{3,5}-[A-Z0-9]{3,5}")
_PRICE = re.compile(r"\d+(?:[.,]\d+)*(?:đ|₫|vnđ|vnd|usd|eur|k|tr|triệu|m)", re.I)
_US_ZIP_BEFORE = re.compile(r"\b[A-Z]{2},?[ \t]+\Z")
_COPYRIGHT_BEFORE = re.compile(r"(?:©|\(c\)|copyright)[ \t]*\Z", re.I)
_OTHER_NUMBER = re.compile(r"\d.*[^\W\d_]")  # a number, then words
_LEADS_IN = re.compile(r"(?:[:=]\s*|\bis|\bl\u00e0|\bla)[ \t\xa0]*\Z", re.I)
_BASE: dict[str, float | dict[int, float]] = {
    "digits": {4: 0.7, 5: 0.7, 6: 1.0, 7: 0.6, 8: 0.6}, "grouped": 0.9, "prefixed": 1.0, "alnum": 0.4}


@dataclass(slots=True)
class _Word:
    start: int
    end: int
    core: str
    lead: str
    trail: str


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    raw: str
    value: str
    form: str
    score: float = 0.0


def _split_word(match: re.Match[str]) -> _Word:
    start, end, word = match.start(), match.end(), match.group()
    label = _LABEL.match(word)
    if label:
        start, word = start + label.end(), word[label.end():]
    lead = trail = ""
    while word and word[0] in _LEAD + _MARKERS:
        lead, word, start = lead + word[0], word[1:], start + 1
    while word and word[-1] in _TRAIL + _MARKERS:
        trail, word, end = word[-1] + trail, word[:-1], end - 1
    return _Word(start, end, word, lead, trail)


def _classify(word: _Word) -> tuple[str, str] | None:
    """(form, value) of a word that may be a code, or None."""
    core = word.core
    if any(m in word.lead + word.trail for m in _MARKERS) or _PRICE.fullmatch(core):
        return None
    if _DIGITS.fullmatch(core):
        return "digits", core
    if _GROUPED.fullmatch(core):
        return "grouped", core.replace("-", "")
    if _PREFIXED.fullmatch(core):
        return "prefixed", core
    if _ALNUM.fullmatch(core):
        digits = sum(c.isdigit() for c in core)
        if digits >= 2 and any(c.isalpha() for c in core):
            return "alnum", core
    return None


def _candidates(text: str) -> list[_Candidate]:
    words: list[_Word] = []
    for match in _WORD.finditer(text):
        words.append(_split_word(match))
        if len(words) >= 2 * MAX_CANDIDATES:
            break
    result: list[_Candidate] = []
    index = 0
    while index < len(words) and len(result) < MAX_CANDIDATES:
        # A run of digit groups separated by single spaces: a phone number, a
        # grouped code ("482 913"), or unrelated numbers side by side.
        run = [words[index]]
        while (index + len(run) < len(words) and run[-1].core.isdigit()
               and words[index + len(run)].core.isdigit()
               and text[run[-1].end:words[index + len(run)].start] in (" ", "\xa0", " \xa0")
               and not run[-1].trail and not words[index + len(run)].lead.strip("(")):
            run.append(words[index + len(run)])
        index += len(run)
        sizes = tuple(len(w.core) for w in run)
        if (4 <= len(run) <= 8 and set(sizes) == {1}) or sizes == (2, 2, 2):  # "4 8 2 9 1 3"
            value = "".join(w.core for w in run)
            start, end = run[0].start, run[-1].end
            result.append(_Candidate(start, end, text[start:end], value, "grouped"))
            continue
        if len(run) >= 3 or (len(run) == 2 and ("+" in run[0].lead or "(" in run[0].lead)):
            continue  # a phone number
        if sizes in ((3, 3), (4, 4)):
            raw = text[run[0].start:run[1].end]
            result.append(_Candidate(run[0].start, run[1].end, raw, run[0].core + run[1].core, "grouped"))
            continue
        for word in run:
            kind = _classify(word)
            if kind is not None:
                result.append(_Candidate(word.start, word.end, word.core, kind[1], kind[0]))
    return result


_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")


def _proximity(distance: int, reach: int, flat: int = 4) -> float:
    """1 up to ``flat`` characters away, then falling off; 0 beyond ``reach``."""
    if distance <= flat:
        return 1.0
    if distance > reach:
        return 0.0
    return 1.0 / (1.0 + (distance - flat) / 25)


def _form_score(text: str, cand: _Candidate) -> float:
    """What the candidate's form alone is worth, or ``_NO_CODE``."""
    base = _BASE[cand.form]
    score = base[len(cand.value)] if isinstance(base, dict) else base
    if cand.form != "digits":
        return score
    before = text[max(0, cand.start - 24):cand.start]
    if len(cand.value) == 4 and 1900 <= int(cand.value) <= 2099:
        score -= 2.0
    if _COPYRIGHT_BEFORE.search(before) or (len(cand.value) == 5 and _US_ZIP_BEFORE.search(before)):
        return _NO_CODE
    return score


def _keyword_score(text: str, cand: _Candidate, keywords: list[Keyword]) -> float:
    """The best nearby keyword (plus a little of the second), minus the
    strongest decoy word that binds to this number."""
    best = second = penalty = 0.0
    positives_before = [k.end for k in keywords if k.weight > 0 and k.end <= cand.start]
    nearest_positive = max(positives_before, default=-1)
    for kw in keywords:
        if kw.end <= cand.start:
            gap, factor, lo, hi = cand.start - kw.end, 1.0, kw.end, cand.start
        elif kw.start >= cand.end:
            gap, factor, lo, hi = kw.start - cand.end, 0.8, cand.end, kw.start
        else:
            continue
        if gap > 150:
            continue
        lines = text.count("\n", lo, hi)
        if kw.weight > 0:
            value = kw.weight * factor * _proximity(gap, 150)
            if lines >= 2:
                value *= 0.75 if lines < 5 else 0.4
            best, second = max(best, value), max(second, min(best, value))
        elif lines == 0:
            penalty = max(penalty, _decoy_penalty(text, cand, kw, gap, nearest_positive))
    return best + 0.3 * second - penalty


def _decoy_penalty(text: str, cand: _Candidate, kw: Keyword, gap: int, nearest_positive: int) -> float:
    """How much a negative word on the same line counts against the candidate."""
    if kw.end <= cand.start:
        # A negative word binds to the first number after it ("card ending
        # 4821 is 739104" blames 4821 only) and yields to a nearer positive.
        if gap <= 40 and nearest_positive < kw.start and not _OTHER_NUMBER.search(text, kw.end, cand.start):
            return -kw.weight * _proximity(gap, 40, flat=3)
    elif gap <= 12 and not _SENTENCE_END.search(text, cand.end, kw.start):
        # After the number only within its sentence: "Use 639204 to verify.
        # Order #12345" blames 12345, not the code.
        return -kw.weight * 0.8
    return 0.0


def _score(text: str, cand: _Candidate, all_keywords: list[Keyword], starts: list[int]) -> float:
    score = _form_score(text, cand)
    if score == _NO_CODE:
        return score
    low, high = bisect.bisect_left(starts, cand.start - 200), bisect.bisect_right(starts, cand.end + 150)
    score += _keyword_score(text, cand, all_keywords[low:high])  # only those near enough count
    if _LEADS_IN.search(text[max(0, cand.start - 24):cand.start]):
        score += 0.3
    line_start = text.rfind("\n", 0, cand.start) + 1
    line_end = text.find("\n", cand.end)
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    if line.strip(" \t*_>|:.-•\xa0") == cand.raw:
        score += 1.0
    return score


def _scan(text: str) -> list[_Candidate]:
    candidates = _candidates(text)
    if not candidates:
        return []
    reach = min(len(text), candidates[-1].end + 200)
    keywords = find_keywords(text[:reach], fold(text[:reach]))
    starts = [k.start for k in keywords]
    for cand in candidates:
        cand.score = _score(text, cand, keywords, starts)
    return candidates


def _body(text: str) -> str:
    cut = text.rfind("\n\nLinks:\n[")  # html_to_text's list of link targets
    if cut >= 0:
        text = text[:cut]
    text = text[:MAX_SCAN]
    text = _URLISH.sub(lambda m: " " * len(m.group()), text)
    return prepare(text)


_URLISH = re.compile(r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[\d{1,4}\]", re.I)


def find_code(subject: str, text: str) -> CodeMatch | None:
    """The most likely one-time code in a mail (subject and html2text body), or None."""
    scored: list[tuple[float, int, _Candidate, str, bool]] = []
    order = 0
    for source, in_subject in ((prepare(subject[:1000]), True), (_body(text), False)):
        for cand in _scan(source):
            bonus = 0.5 if in_subject else 0.0
            scored.append((cand.score + bonus, order, cand, source, in_subject))
            order += 1
    if not scored:
        return None
    by_value: dict[str, tuple[float, int, _Candidate, str, bool]] = {}
    counts: dict[str, int] = {}
    for item in scored:
        value = item[2].value
        counts[value] = counts.get(value, 0) + 1
        if value not in by_value or item[0] > by_value[value][0]:
            by_value[value] = item
    ranked = sorted(((s + (0.4 if counts[v] > 1 and s > 0 else 0.0), o, c, src, sub)
                     for v, (s, o, c, src, sub) in by_value.items()), key=lambda t: (-t[0], t[1]))
    score, _, cand, source, in_subject = ranked[0]
    if score < THRESHOLD:
        return None
    confidence = 1.0 - math.exp(-(score - 1.0) / 1.6)
    if len(ranked) > 1 and ranked[1][0] > 0:
        margin = (score - ranked[1][0]) / score
        confidence *= 0.6 + 0.4 * min(1.0, 2 * margin)
    context = sanitize_line(source[max(0, cand.start - 60):cand.end + 40], 140)
    return CodeMatch(cand.value, round(min(0.99, max(0.01, confidence)), 2), context, cand.raw, in_subject)


