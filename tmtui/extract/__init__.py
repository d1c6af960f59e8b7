"""One-time codes and confirmation links in a mail: pure functions, no I/O.

Input is what the reader shows: :func:`tmtui.render.html_to_text` gives the
text (links written ``label [n]`` and listed at the end) and its ``links``::

    rendered = html_to_text(message.html)
    code = mail_code(message.subject, summary.excerpt, rendered.text)  # CodeMatch | None
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

from typing import TYPE_CHECKING, Any

from tmtui.extract.codes import CodeMatch, find_code
from tmtui.extract.pick import mail_code

if TYPE_CHECKING:
    from tmtui.extract.links import LinkKind, RankedLink, best_link, rank_links

_LINKS = frozenset({"LinkKind", "RankedLink", "best_link", "rank_links"})


def __getattr__(name: str) -> Any:
    """The link ranking is imported when first asked for: the inbox's rows need
    codes only, and its patterns are a few ms of start-up."""
    if name in _LINKS:
        from tmtui.extract import links

        return getattr(links, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CodeMatch", "LinkKind", "RankedLink", "best_link", "find_code", "mail_code", "rank_links"]
