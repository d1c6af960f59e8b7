"""Links ranked for a sign-up: confirmation first, ordinary next, unsubscribe last.

URLs come back exactly as given: a tracking redirect is kept, never followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal
from urllib.parse import unquote

from tmtui.extract.text import MAX_SCAN, fold
from tmtui.render import Link
from tmtui.safety import safe_url, sanitize_line

MAX_LINKS = 200  # links ranked per mail

LinkKind = Literal["action", "other", "unsubscribe"]




@dataclass(frozen=True, slots=True)
class RankedLink:
    url: str  # exactly as in the mail (after safety.safe_url); never resolved
    label: str
    kind: LinkKind
    score: float
    tracking: bool = False
    number: int | None = None  # the [n] of the rendered text, if any



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
    decoded = fold(unquote(unquote(url)))
    flabel, fcontext = fold(label), fold(context)
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
        ranked.append((score, index, RankedLink(url, sanitize_line(label, 200), kind, score, tracking, number)))
    ranked.sort(key=lambda t: (-t[0], t[1]))
    return [item for _, _, item in ranked]


def best_link(links: Iterable[Link | str], text: str = "") -> RankedLink | None:
    """The confirmation / sign-in / reset link of a mail, or None when it has none."""
    ranked = rank_links(links, text)
    if ranked and ranked[0].kind == "action":
        return ranked[0]
    return None
