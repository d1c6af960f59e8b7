"""tmtui.reading: a body folded to a width (in cells), offsets back to the text, search spans."""

from __future__ import annotations

import pickle

from rich.cells import cell_len

from tmtui.reading import find, fold, prepare


def _unfold(text: str, width: int) -> None:
    """Folding only breaks lines: each row is the text at its offset, rows fit the width."""
    folded = fold(text, width)
    flat = text.replace("\t", " ")
    for row, offset in zip(folded.lines, folded.offsets, strict=True):
        assert flat[offset:offset + len(row)] == row
        assert cell_len(row) <= width
    assert "".join(folded.lines) == flat.replace("\n", "")


def test_long_lines_break_after_a_space_or_at_the_width() -> None:
    folded = fold("aaaa bbbb cccc dddd\nshort\n" + "x" * 25, 10)
    assert folded.lines == ("aaaa bbbb ", "cccc dddd", "short", "x" * 10, "x" * 10, "x" * 5)
    _unfold("aaaa bbbb cccc dddd\nshort\n" + "x" * 25, 10)


def test_wide_characters_count_two_cells() -> None:
    text = "東京" * 30 + "\n" + "Zürich 🚀 " * 12 + "\tend"
    for width in (2, 7, 10, 33):
        _unfold(text, width)
    assert fold("東京東京東京", 5).lines == ("東京", "東京", "東京")


def test_find_ignores_case_and_stops_at_the_limit() -> None:
    text = "Apple apple APPLE pear ÄPFEL äpfel"
    assert find(text, "apple") == ((0, 5), (6, 11), (12, 17))
    assert find(text, "äpfel") == ((23, 28), (29, 34))
    assert find(text, "a.p") == ()  # a literal, not a pattern
    assert find(text, "") == ()
    assert len(find("ab" * 100, "b", limit=7)) == 7


def test_a_prepared_body_crosses_to_the_worker_and_back() -> None:
    prepared = prepare("<p>Your code is <b>482913</b>.</p><a href='https://x.example/verify'>Verify</a>",
                       "Sign-up", "", 40)
    again = pickle.loads(pickle.dumps(prepared))
    assert again == prepared
    assert prepared.code is not None and prepared.code.value == "482913"
    assert "".join(prepared.plain.lines).startswith("Your code is 482913")
