"""Link numbering and extraction: ``label [n]`` in the text, ``[n] url`` at the end.

Only targets that pass :func:`tmtui.safety.safe_url` get a number; the same
target used twice keeps its first number; past ``MAX_LINKS`` targets, anchors
keep their text and lose their link. A link's label is the text of its first
anchor that has any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tmtui.render.escape import CLOSE, END, OPEN, escape_all
from tmtui.render.limits import LABEL_SHOWN, MAX_LABEL, MAX_LINKS, URL_SHOWN
from tmtui.safety import safe_url, sanitize_line
from tmtui.safety.links import link_line

# A link in the converter's output: OPEN label CLOSE number END.
_LINK = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}(\\d+){END}")


@dataclass(frozen=True, slots=True)
class Link:
    """A link the user may open: ``number`` matches the ``[n]`` in the text."""

    number: int
    url: str
    label: str


@dataclass(slots=True)
class _Anchor:
    number: int | None
    parts: list[str] = field(default_factory=list)
    room: int = MAX_LABEL


class LinkTable:
    """The numbered targets of one mail, filled anchor by anchor as it is parsed."""

    __slots__ = ("_anchors", "_numbers", "labels", "max_links", "urls")

    def __init__(self, max_links: int = MAX_LINKS) -> None:
        self.max_links = max_links
        self.urls: list[str] = []
        self.labels: dict[int, str] = {}
        self._numbers: dict[str, int] = {}
        self._anchors: list[_Anchor] = []

    def open(self, href: str | None) -> int | None:
        """An anchor starts: its link number, or None if ``href`` is not offered."""
        url = safe_url(href)
        number = self._numbers.get(url) if url else None
        if url and number is None and len(self.urls) < self.max_links:
            self.urls.append(url)
            number = self._numbers[url] = len(self.urls)
        self._anchors.append(_Anchor(number))
        return number

    def collect(self, data: str) -> None:
        """Text inside the innermost anchor: kept (up to a cap) as its label."""
        if self._anchors:
            anchor = self._anchors[-1]
            if anchor.number is not None and anchor.room > 0:
                anchor.parts.append(data[: anchor.room])
                anchor.room -= len(data)

    def close(self) -> int | None:
        """The innermost anchor ends: its link number, or None if it had none."""
        if not self._anchors:
            return None
        anchor = self._anchors.pop()
        if anchor.number is not None and not self.labels.get(anchor.number):
            self.labels[anchor.number] = sanitize_line("".join(anchor.parts), LABEL_SHOWN)
        return anchor.number

    def links(self) -> tuple[Link, ...]:
        return tuple(Link(n, url, self.labels.get(n, "")) for n, url in enumerate(self.urls, 1))


def label_end(number: int) -> str:
    """What the converter writes after a link's label."""
    return f"{CLOSE}{number}{END}"


def _markdown_link(match: re.Match[str]) -> str:
    number, label = match.group(2), match.group(1).strip()
    return f"[{label}][{number}] \\[{number}\\]" if label else f"[\\[{number}\\]][{number}]"


def _plain_link(match: re.Match[str]) -> str:
    label = match.group(1).strip()
    return f"{label} [{match.group(2)}]" if label else f"[{match.group(2)}]"


def resolve(body: str) -> tuple[str, str]:
    """The converter's output with its link marks resolved: (Markdown, text).

    Markdown links are reference links (``[label][3]``, with ``[3]: <url>``
    at the end), so a URL used a thousand times is written once."""
    markdown, text = _LINK.sub(_markdown_link, body), _LINK.sub(_plain_link, body)
    for sentinel in (OPEN, CLOSE, END):  # a link cut off by the output cap
        if sentinel in text:
            markdown, text = markdown.replace(sentinel, ""), text.replace(sentinel, "")
    return markdown, text


def _shown(url: str) -> str:
    # Host first and never cut (safety.links): a long URL cannot hide where it goes.
    return link_line(url, max_len=URL_SHOWN) or url[:URL_SHOWN]


def text_list(urls: list[str]) -> str:
    """The numbered list of targets that ends the plain text ("" for none)."""
    if not urls:
        return ""
    return "\n\nLinks:\n" + "\n".join(f"[{n}] {_shown(url)}" for n, url in enumerate(urls, 1))


def markdown_list(urls: list[str]) -> str:
    """The same list for the Markdown view, then the reference definitions."""
    if not urls:
        return ""
    shown = "  \n".join(f"\\[{n}\\] [{escape_all(_shown(url))}][{n}]" for n, url in enumerate(urls, 1))
    # "&" escaped: no entity decoding in the URL
    targets = "\n".join(f"[{n}]: <{url}>".replace("&", "\\&") for n, url in enumerate(urls, 1))
    return f"\n\n**Links**\n\n{shown}\n\n{targets}"
