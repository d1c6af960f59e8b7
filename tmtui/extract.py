"""One-time codes and confirmation links in a mail: pure functions, no I/O.

Input is what the reader shows: :func:`tmtui.render.html_to_text` gives the
text (links written ``label [n]`` and listed at the end) and its ``links``::

    rendered = html_to_text(message.html)
    code = find_code(message.subject, rendered.text)        # CodeMatch | None
    link = best_link(rendered.links, text=rendered.text)    # RankedLink | None
    ranked = rank_links(rendered.links, text=rendered.text) # best first, unsubscribe last

Codes. Candidates are 4-8 digits (``482913``), two digit groups (``482 913``,
``482-913``: the value is the digits), a short letter prefix (``G-482913``,
kept) and capitals mixed with at least two digits (``A1B2C3``, ``7KD2-9XQ4``).
Each gets a base score for its form, plus the best nearby keyword (code, OTP,
verification, PIN, passcode, mã, mã xác nhận, mã xác minh... in English and
Vietnamese, with or without diacritics), minus nearby words that mark other
numbers (order, invoice, phone, zip, total, đơn hàng, hotline...), plus a
bonus when it stands alone on its line or sits in the subject. Parts of dates,
times, prices, decimals, versions and phone numbers, ``#12345`` and ``#1a2b3c``,
``© 2024`` and US zip codes are dropped; years are penalised. The best
candidate over a threshold wins; its confidence (0..1) grows with its score and
its lead over the runner-up.

Links. Ranked on their label, URL (percent-decoded, so a redirect's target
counts) and the words next to them: verify / confirm / activate / reset /
magic or sign-in links first, ordinary links next, social, legal and help links
low, unsubscribe and preference links last. URLs come back exactly as given:
a tracking redirect is kept as it is and never followed.

Only the first ``MAX_SCAN`` characters are scanned, so a huge body costs no
more than a big one.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal
from urllib.parse import unquote

from tmtui.render import Link, safe_url
from tmtui.safety import sanitize_line

__all__ = ["CodeMatch", "LinkKind", "RankedLink", "best_link", "find_code", "rank_links"]

MAX_SCAN = 60_000  # characters of body text looked at
MAX_CANDIDATES = 400
MAX_LINKS = 200  # links ranked per mail
THRESHOLD = 2.0  # minimum score of a code worth reporting


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """A one-time code. ``value`` is what to type; ``raw`` is how the mail wrote it."""

    value: str
    confidence: float
    context: str  # one sanitised line around the code
    raw: str = ""
    in_subject: bool = False


LinkKind = Literal["action", "other", "unsubscribe"]


@dataclass(frozen=True, slots=True)
class RankedLink:
    url: str  # exactly as in the mail (after render.safe_url); never resolved
    label: str
    kind: LinkKind
    score: float
    tracking: bool = False
    number: int | None = None  # the [n] of the rendered text, if any


# -- text folding ---------------------------------------------------------------------

@cache
def _fold_table() -> dict[int, str]:
    """Upper-case and Latin/Vietnamese letters to lower-case ASCII, one char for one."""
    table: dict[int, str] = {}
    for cp in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(cp)
        low = char.lower() if len(char.lower()) == 1 else char
        base = "d" if low == "đ" else unicodedata.normalize("NFD", low)[0]
        if base.isascii() and base.isalpha() and base != char:
            table[cp] = base
    return table


def _fold(text: str) -> str:
    return text.translate(_fold_table())


def _prepare(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# -- keywords ---------------------------------------------------------------------------
# Weight: phrases. Matched on folded text (so "ma xac nhan" finds "mã xác nhận");
# a phrase written "=word" must match with its diacritics ("=mã" is not "mà").
# Spaces also match hyphens; longer phrases win over their parts.

_CODE_WORDS = """
3.0: verification code, verify code, security code, confirmation code, authentication code,
  auth code, one time code, one time password, one time passcode, one time pin, otp, otp code,
  passcode, login code, log in code, sign in code, signin code, 2fa code, two factor code,
  access code, activation code, your code, the code, this code, following code, code below,
  pin, pin code, verification pin, temporary code, single use code, code is, security pin,
  ma xac nhan, ma xac minh, ma xac thuc, ma otp, ma kich hoat, ma bao mat, ma dang nhap,
  ma cua ban, ma pin, nhap ma, ma mot lan, mat khau mot lan, ma duoi day, ma nay, ma so xac nhan
2.0: code, =mã, codes, verification, ma so
1.2: verify, confirm, authenticate, two factor, 2fa, two step, enter, expires, expire, valid for,
  do not share, don't share, never share, xac nhan, xac minh, xac thuc, het han, hieu luc,
  khong chia se, dung chia se, nhap, login, sign in, dang nhap, su dung
1.0: use, type, paste, copy
-3.0: order, orders, order number, order no, order id, invoice, receipt, ticket, booking,
  booking reference, reservation, confirmation number, confirmation no, tracking, tracking number,
  shipment, reference, ref, account number, account no, acct, customer id, customer number,
  member id, membership, transaction, transaction id, phone, telephone, tel, call, call us,
  hotline, fax, mobile, zip, zip code, postal code, postcode, area code, country code, street,
  st, ave, avenue, suite, road, rd, blvd, po box, price, total, subtotal, amount, tax, vat, qty,
  quantity, sku, item, model, serial, version, build, promo, promo code, coupon, coupon code,
  discount, discount code, voucher, voucher code, gift code, gift card, referral, referral code,
  color, colour, hex, copyright, flight, seat, gate, room, floor, apt, points, balance,
  card ending, ending in, last 4, vnd, usd, eur, source code, qr code, code of conduct,
  case number, ticket number, issue, pull request, commit, no., nr., id, year, years,
  don hang, ma don hang, so don hang, hoa don, ma hoa don, so dien thoai, sdt, dien thoai,
  lien he, tong dai, tong, tong cong, tong tien, thanh tien, =giá, =phí, dia chi, =đường,
  =phường, =quận, buu chinh, ma buu chinh, giao dich, ma giao dich, =vé, ma ve, dat cho,
  ma dat cho, khuyen mai, ma khuyen mai, giam gia, ma giam gia, so tai khoan, =năm, van don,
  ma van don, so luong, =thẻ, =màu, ma mau, ma so thue, ma khach hang, ma san pham, ma vung,
  ma nhan vien, ma qr, ma nguon, =tháng, =ngày, chuyen bay, =ghế, =phòng, =tầng, diem, so du
-2.0: reply, stop, store, merchant, terminal, counter, student id, mssv, thue bao, so the
"""


@dataclass(frozen=True, slots=True)
class _Keyword:
    start: int
    end: int
    weight: float


def _key(phrase: str) -> str:
    return re.sub(r"[\s\-]+", " ", phrase).replace("'", "").replace("’", "")


@cache
def _keyword_table() -> tuple[re.Pattern[str], dict[str, tuple[float, str | None]]]:
    entries: dict[str, tuple[float, str | None]] = {}
    patterns: list[str] = []
    for block in re.split(r"\n(?=-?\d)", _CODE_WORDS.strip()):
        weight, _, phrases = block.partition(":")
        for phrase in (p.strip() for p in phrases.split(",")):
            exact = phrase[1:] if phrase.startswith("=") else None
            written = _fold(exact) if exact else phrase
            entries[_key(written)] = (float(weight), exact)
            parts = (re.escape(part).replace("'", "['’]?") for part in re.split(r"[\s\-]+", written))
            patterns.append(r"[\s\-]+".join(parts))
    body = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{body})(?![a-z])"), entries


def _keywords(text: str, folded: str) -> list[_Keyword]:
    """Keyword hits in ``folded`` (same length as ``text``), longest phrase first."""
    pattern, entries = _keyword_table()
    found: list[_Keyword] = []
    for match in pattern.finditer(folded):
        weight, exact = entries.get(_key(match.group()), (0.0, None))
        if exact is not None and text[match.start():match.end()].lower() != exact:
            continue
        if weight:
            found.append(_Keyword(match.start(), match.end(), weight))
    return found


# -- code candidates -------------------------------------------------------------------

_WORD = re.compile(r"\S*\d\S*")
_LABEL = re.compile(r"(?:[^\W\d_]+[:=])+")
_LEAD = "([{<\"'“‘«*_~•"
_TRAIL = ".,;:!?)]}>\"'”’»*_~"
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
_BASE = {"digits": {4: 0.7, 5: 0.7, 6: 1.0, 7: 0.6, 8: 0.6}, "grouped": 0.9, "prefixed": 1.0,
         "alnum": 0.4}


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
        if 4 <= len(run) <= 8 and set(sizes) == {1} or sizes == (2, 2, 2):  # "4 8 2 9 1 3"
            value = "".join(w.core for w in run)
            start, end = run[0].start, run[-1].end
            result.append(_Candidate(start, end, text[start:end], value, "grouped"))
            continue
        if len(run) >= 3 or len(run) == 2 and ("+" in run[0].lead or "(" in run[0].lead):
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


def _score(text: str, cand: _Candidate, all_keywords: list[_Keyword], starts: list[int]) -> float:
    form = cand.form
    base = _BASE[form]
    score = base[len(cand.value)] if isinstance(base, dict) else base
    before = text[max(0, cand.start - 24):cand.start]
    if form == "digits":
        number = int(cand.value)
        if len(cand.value) == 4 and 1900 <= number <= 2099:
            score -= 2.0
        if _COPYRIGHT_BEFORE.search(before) or len(cand.value) == 5 and _US_ZIP_BEFORE.search(before):
            return -10.0
    best = second = penalty = 0.0
    low, high = bisect.bisect_left(starts, cand.start - 200), bisect.bisect_right(starts, cand.end + 150)
    keywords = all_keywords[low:high]  # the only ones near enough to count
    positives_before = [k.end for k in keywords if k.weight > 0 and k.end <= cand.start]
    nearest_positive = max(positives_before, default=-1)
    for kw in keywords:
        if kw.end <= cand.start:
            gap, factor = cand.start - kw.end, 1.0
        elif kw.start >= cand.end:
            gap, factor = kw.start - cand.end, 0.8
        else:
            continue
        if gap > 150:
            continue
        lo, hi = (kw.end, cand.start) if factor == 1.0 else (cand.end, kw.start)
        lines = text.count("\n", lo, hi)
        if kw.weight > 0:
            value = kw.weight * factor * _proximity(gap, 150)
            if lines >= 2:
                value *= 0.75 if lines < 5 else 0.4
            best, second = max(best, value), max(second, min(best, value))
        elif lines == 0:
            # A negative word binds to the first number after it ("card ending
            # 4821 is 739104" blames 4821 only) and yields to a nearer positive.
            if (factor == 1.0 and gap <= 40 and nearest_positive < kw.start
                    and not _OTHER_NUMBER.search(text, kw.end, cand.start)):
                penalty = max(penalty, -kw.weight * _proximity(gap, 40, flat=3))
            elif factor < 1.0 and gap <= 12 and not _SENTENCE_END.search(text, cand.end, kw.start):
                # After the number only within its sentence: "Use 639204 to verify.
                # Order #12345" blames 12345, not the code.
                penalty = max(penalty, -kw.weight * 0.8)
    score += best + 0.3 * second - penalty
    if _LEADS_IN.search(before):
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
    keywords = _keywords(text[:reach], _fold(text[:reach]))
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
    return _prepare(text)


_URLISH = re.compile(r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\[\d{1,4}\]", re.I)


def find_code(subject: str, text: str) -> CodeMatch | None:
    """The most likely one-time code in a mail (subject and html2text body), or None."""
    scored: list[tuple[float, int, _Candidate, str, bool]] = []
    order = 0
    for source, in_subject in ((_prepare(subject[:1000]), True), (_body(text), False)):
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


# -- links ----------------------------------------------------------------------------

_LINK_WORDS: dict[str, tuple[tuple[str, float], ...]] = {
    # (phrase, weight) looked for in folded label / decoded URL / nearby text.
    "label": (("verify", 5), ("verification", 5), ("confirm", 5), ("activate", 5), ("activation", 5),
              ("validate", 5), ("magic link", 5), ("magic", 4), ("reset", 4), ("set password", 4),
              ("create password", 4), ("choose password", 4), ("change password", 3),
              ("complete registration", 4), ("complete your registration", 4), ("finish signing up", 4),
              ("finish sign up", 4), ("accept invitation", 4), ("accept invite", 4), ("log in", 3),
              ("login", 3), ("sign in", 3), ("signin", 3), ("xac nhan", 5), ("xac minh", 5),
              ("xac thuc", 5), ("kich hoat", 5), ("dat lai", 4), ("mat khau", 3), ("dang nhap", 3),
              ("hoan tat", 4), ("khoi phuc", 4), ("recover", 3)),
    "url": (("verify", 3.5), ("verification", 3.5), ("confirm", 3.5), ("activate", 3.5),
            ("activation", 3.5), ("validate", 3), ("magic", 3.5), ("reset", 3), ("password", 2),
            ("passwordless", 3), ("otp", 2), ("token=", 1.5), ("login", 1.5), ("signin", 1.5),
            ("sign-in", 1.5), ("sign_in", 1.5), ("auth", 1), ("recover", 2.5), ("xac nhan", 3.5),
            ("xac minh", 3.5), ("xac thuc", 3.5), ("kich hoat", 3.5), ("dat lai", 3), ("mat khau", 2),
            ("dang nhap", 1.5)),
    "context": (("verify", 1.5), ("verification", 1.5), ("confirm", 1.5), ("activate", 1.5),
                ("activation", 1.5), ("reset", 1.5), ("magic link", 1.5), ("sign in", 1), ("log in", 1),
                ("xac nhan", 1.5), ("xac minh", 1.5), ("xac thuc", 1.5), ("kich hoat", 1.5),
                ("dat lai", 1.5), ("dang nhap", 1)),
}
_UNSUBSCRIBE = re.compile(
    r"unsub|opt[\s_-]?out|preferences|manage[\s_-]+(?:your[\s_-]+)?subscription|subscription[\s_-]+settings"
    r"|notification[\s_-]+settings|email[\s_-]+settings|huy[\s_-]+dang[\s_-]+ky|ngung[\s_-]+nhan"
    r"|huy[\s_-]+nhan|tu[\s_-]+choi[\s_-]+nhan|khong[\s_-]+muon[\s_-]+nhan")
_LOW_VALUE = re.compile(
    r"(?:facebook|twitter|instagram|linkedin|youtube|tiktok|pinterest|zalo)\.(?:com|me)|//(?:www\.)?x\.com"
    r"|privacy|terms|policy|help|support|faq|contact|view[\s_-]+(?:in[\s_-]+browser|online|this[\s_-]+email)"
    r"|web[\s_-]+version|chinh[\s_-]+sach|dieu[\s_-]+khoan|ho[\s_-]+tro|tro[\s_-]+giup|lien[\s_-]+he"
    r"|xem[\s_-]+tren[\s_-]+trinh[\s_-]+duyet|apps\.apple\.com|play\.google\.com|^mailto:")
_TRACKING = re.compile(
    r"^https?://(?:[^/?#]*[.@])?(?:click|clicks|links?|track|tracking|trk|ct|email|em|mandrillapp|"
    r"list-manage|mailchi|sendgrid|sparkpostmail|awstrack|hubspotlinks|mjt|rs6|mailgun|mg|r|t|go|url\d*)"
    r"[.-][^/?#]+/|/(?:ls/click|track/click|wf/click|c/|r/|redirect|click)|[?&](?:url|redirect|target|dest)=",
    re.I)
_NOT_THIS = re.compile(
    r"cancel|report|not[\s_-]+(?:me|you)|wasn'?t[\s_-]+(?:me|you)|let[\s_-]+us[\s_-]+know"
    r"|didn'?t[\s_-]+request|did[\s_-]+not[\s_-]+request|secure[\s_-]+your[\s_-]+account"
    r"|khong[\s_-]+phai[\s_-]+(?:toi|ban)|bao[\s_-]+cao|khong[\s_-]+yeu[\s_-]+cau")
_BARE_URL = re.compile(r"https?://[^\s<>\"'\]\[]+", re.I)
ACTION_MIN = 3.0


@cache
def _phrases(kind: str, words: bool) -> tuple[tuple[re.Pattern[str], float], ...]:
    result = []
    for phrase, weight in sorted(_LINK_WORDS[kind], key=lambda item: -item[1]):
        pattern = re.escape(phrase).replace(r"\ ", r"[\s_-]+")
        result.append((re.compile(rf"(?<![a-z]){pattern}" if words else pattern), float(weight)))
    return tuple(result)


def _phrase_score(haystack: str, kind: str, words: bool = True) -> float:
    """The weight of the strongest phrase of ``kind`` in ``haystack`` (0 if none)."""
    for pattern, weight in _phrases(kind, words):
        if pattern.search(haystack):
            return weight
    return 0.0


def _marker_context(text: str, number: int | None, label: str) -> str:
    """The words around ``label [n]`` in the rendered text, without the label."""
    if number is None:
        return ""
    marker = f"[{number}]"
    at = text.find(marker)
    if at < 0:
        return ""
    line_start = max(text.rfind("\n", 0, at) + 1, text.rfind("]", 0, at) + 1, at - 80)
    line_end = text.find("\n", at)
    after = text[at + len(marker):line_end if line_end >= 0 else len(text)][:50]
    after = after.split("[", 1)[0]
    before = text[line_start:at].rstrip()
    if label and before.endswith(label.strip()):
        before = before[: len(before) - len(label.strip())]
    return before + " " + after


def _score_link(url: str, label: str, context: str, bare: bool) -> tuple[LinkKind, float, bool]:
    decoded = _fold(unquote(unquote(url)))
    flabel, fcontext = _fold(label), _fold(context)
    tracking = bool(_TRACKING.search(url))
    if _UNSUBSCRIBE.search(flabel) or _UNSUBSCRIBE.search(decoded) or (
            not flabel.strip() and _UNSUBSCRIBE.search(fcontext)):
        return "unsubscribe", -20.0, tracking
    in_label = _phrase_score(flabel, "label")
    # A bare URL has no label: the words just before it play that part.
    nearby = 0.8 * _phrase_score(fcontext, "label") if bare else _phrase_score(fcontext, "context")
    action = in_label + _phrase_score(decoded, "url", words=False) + nearby
    score = action
    if _NOT_THIS.search(flabel) or _NOT_THIS.search(decoded) or _NOT_THIS.search(fcontext):
        score -= 4.0
    if in_label < ACTION_MIN and (_LOW_VALUE.search(decoded) or _LOW_VALUE.search(flabel)):
        score -= 3.0
    if not flabel.strip() and not bare:
        score -= 0.5
    kind: LinkKind = "action" if action >= ACTION_MIN and score >= ACTION_MIN - 0.5 else "other"
    return kind, score, tracking


def rank_links(links: Iterable[Link | str], text: str = "") -> list[RankedLink]:
    """Every link of a mail, best first: confirmation links, others, unsubscribe last.

    ``links`` are the rendered anchors (``Rendered.links``) or plain URLs; bare
    URLs written in ``text`` are added too (plain-text mails have no anchors).
    """
    items: list[tuple[str, str, int | None, str, bool]] = []
    seen: set[str] = set()
    for link in links:
        if isinstance(link, Link):
            url, label, number = link.url, link.label, link.number
        else:
            url, label, number = safe_url(link) or "", "", None
        if url and url not in seen and len(items) < MAX_LINKS:
            seen.add(url)
            items.append((url, label, number, _marker_context(text[:MAX_SCAN], number, label), False))
    body = text
    cut = body.rfind("\n\nLinks:\n[")
    body = body[:cut] if cut >= 0 else body
    body = body[:MAX_SCAN]
    for match in _BARE_URL.finditer(body):
        url = safe_url(match.group().rstrip(".,;:!?)}>'\"")) or ""
        if url and url not in seen and len(items) < MAX_LINKS:
            seen.add(url)
            context = body[max(0, match.start() - 80):match.start()].rsplit("\n\n", 1)[-1]
            items.append((url, "", None, context, True))
    ranked: list[tuple[float, int, RankedLink]] = []
    for index, (url, label, number, context, bare) in enumerate(items):
        kind, score, tracking = _score_link(url, label, context, bare)
        link = RankedLink(url, sanitize_line(label, 200), kind, score, tracking, number)
        ranked.append((score, index, link))
    ranked.sort(key=lambda t: (-t[0], t[1]))
    return [item for _, _, item in ranked]


def best_link(links: Iterable[Link | str], text: str = "") -> RankedLink | None:
    """The confirmation / sign-in / reset link of a mail, or None when it has none."""
    ranked = rank_links(links, text)
    if ranked and ranked[0].kind == "action":
        return ranked[0]
    return None
