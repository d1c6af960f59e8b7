"""Cell widths that Textual and the terminal agree on.

Textual lays a row out with Rich's cell widths; the terminal draws it with its
own (``wcwidth``, grapheme-aware). Where they disagree, text is drawn wider or
narrower than it was laid out, and a sender can push the real address or a
row's flags off the screen (a lone skin-tone modifier is two cells in a
terminal and none for Rich). :func:`agree` replaces every grapheme whose width
the two measure differently with ``U+FFFD`` (keeping its first character when
that one is measured alike), so one-line text has one width everywhere.

Complex scripts pay for it where Rich under-counts a cluster: a Devanagari
syllable with a spacing vowel sign (``नि``) is two cells in a terminal and one
for Rich, so in a one-line field it shows as ``न�``. Bodies (multi-line text
that wraps) keep it as written.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["REPLACEMENT", "agree", "cell_width", "fit_cells", "terminal_width"]

REPLACEMENT = "\ufffd"


def cell_width(text: str) -> int:
    """Rich's width of ``text``: what Textual lays out with (equal to the
    terminal's for text that went through :func:`agree`)."""
    from rich.cells import cell_len

    return cell_len(text)


def terminal_width(text: str) -> int:
    """The terminal's width of ``text`` (wcwidth); -1 if it holds a control character."""
    from wcwidth import wcswidth

    return int(wcswidth(text))


def _graphemes(text: str) -> Iterator[str]:
    from wcwidth import iter_graphemes

    return iter(iter_graphemes(text))


def _alike(text: str) -> bool:
    return cell_width(text) == terminal_width(text)


def _stand_in(grapheme: str) -> str:
    head = grapheme[0]
    if len(grapheme) > 1 and cell_width(head) > 0 and _alike(head):
        return head + REPLACEMENT
    return REPLACEMENT


def _walk(text: str) -> str:
    """Grapheme by grapheme, each measured in the context of the few before it
    (a virama joins across graphemes); one that adds a different width for
    each becomes its stand-in, or goes if even that does not agree."""
    kept: list[str] = []
    for grapheme in _graphemes(text):
        tail = "".join(kept[-8:])
        before = terminal_width(tail)
        for candidate in (grapheme, _stand_in(grapheme)):
            if terminal_width(tail + candidate) - before == cell_width(candidate):
                kept.append(candidate)
                break
    return "".join(kept)


def _plain(text: str) -> str:
    """Last resort: every mark goes and every character measured differently
    on its own becomes U+FFFD; what is left adds up the same in both."""
    import unicodedata

    out = []
    for char in text:
        if unicodedata.category(char) in ("Mn", "Mc", "Me"):
            continue
        out.append(char if _alike(char) and cell_width(char) > 0 else REPLACEMENT)
    return "".join(out)


def agree(text: str) -> str:
    """``text`` with the same width for Rich and the terminal (see the module).

    ``text`` must already be sanitised (no control characters); newlines and
    tabs are not expected. Cheap when nothing is wrong: ASCII returns at once,
    other text costs one measure with each.
    """
    if text.isascii() or _alike(text):
        return text
    fixed = "".join(g if _alike(g) else _stand_in(g) for g in _graphemes(text))
    if _alike(fixed):
        return fixed
    # A cluster reaches across graphemes (a virama, then a consonant): no
    # grapheme is wrong on its own, their sum is.
    fixed = _walk(fixed)
    if _alike(fixed):
        return fixed
    fixed = _plain(fixed)
    return fixed if _alike(fixed) else "".join(c if c.isascii() else REPLACEMENT for c in fixed)


def fit_cells(text: str, width: int) -> str:
    """``text`` cut or padded with spaces to exactly ``width`` cells for Rich
    and the terminal alike (a cut may split a cluster: it is re-checked); a cut
    ends with an ellipsis, so a shortened subject says so."""
    from rich.cells import cell_len, set_cell_size

    if width >= 2 and cell_len(text) > width:
        text = set_cell_size(text, width - 1) + "…"
    fitted = set_cell_size(text, width)
    for _ in range(3):
        fixed = agree(fitted)
        if fixed == fitted:
            return fitted
        fitted = set_cell_size(fixed, width)
    return set_cell_size("".join(c if c.isascii() else REPLACEMENT for c in fitted), width)
