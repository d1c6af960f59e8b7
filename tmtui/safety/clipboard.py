"""What may go on the clipboard: text that cannot act when it is pasted.

Pasted text reaches a shell or an editor as keystrokes. ``ESC [201~`` ends a
bracketed paste early, so what follows it runs as typed; a carriage return
runs the line; bidi controls make the pasted text read differently from what
it is. :func:`copy_safe` keeps none of that: no C0 or C1 control, no DEL, no
escape sequence, no bidi control or other invisible format character, no
surrogate, private-use or unassigned code point, and (for addresses, codes and
links) a single line with no leading or trailing space.

URLs get more: :func:`tmtui.safety.links.copy_url` also percent-encodes the
characters a shell acts on.
"""

from __future__ import annotations

import unicodedata

from tmtui.safety.text import _ESC_OR_C1, _INVISIBLE, _INVISIBLE_ASTRAL, _SEQUENCE

__all__ = ["MAX_COPY", "copy_safe"]

MAX_COPY = 100_000  # characters: more is not a code, a link or an address
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _kept(char: str, keep: str) -> bool:
    if char in keep:
        return True
    if char.isascii():
        return char.isprintable()
    return (unicodedata.category(char) not in _DROPPED_CATEGORIES
            and not _INVISIBLE.match(char) and not _INVISIBLE_ASTRAL.match(char))


def copy_safe(text: str, *, single_line: bool = True) -> str:
    """``text`` as it may go on the clipboard (see the module).

    ``single_line`` (addresses, codes, links): line breaks and tabs become
    spaces, runs of whitespace one space, none at either end. Otherwise
    newlines and tabs stay and every other control goes. Idempotent.
    """
    text = text[:MAX_COPY].replace("\r\n", "\n").replace("\r", "\n")
    if _ESC_OR_C1.search(text):
        text = _SEQUENCE.sub("", text)
    keep = "" if single_line else "\n\t"
    text = "".join(char for char in text if _kept(char, keep))
    if single_line:
        text = " ".join(text.split())
    return text
