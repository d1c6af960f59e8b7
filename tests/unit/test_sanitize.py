"""tmtui.safety.sanitize_text / sanitize_line: hostile strings in, inert text out."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.support.scaling import assert_linear
from tmtui import safety
from tmtui.safety import sanitize_line, sanitize_text
from tmtui.safety import text as safety_text

# Anything a terminal could act on, or that hides or reorders text.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\U000e0000-\U000e007f]"
)
FORBIDDEN_LINE = re.compile(f"{FORBIDDEN.pattern}|[\t\n\u2028\u2029]")


def longest_mark_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.category(char) in ("Mn", "Me") else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[2J\x1b[Hhello", "hello"),  # clear screen, cursor home
        ("a\x1b[10;20Hb\x1b[3Ac\x1b[?25ld", "abcd"),  # cursor moves, hide cursor
        ("\x1b[38;2;255;0;0mred\x1b[0m", "red"),  # truecolor SGR
        ("x\x1b]0;pwned\x07y", "xy"),  # OSC 0 title, BEL-terminated
        ("x\x1b]2;pwned\x1b\\y", "xy"),  # OSC 2 title, ST-terminated
        ("\x1b]52;c;ZXZpbA==\x07paste", "paste"),  # OSC 52 clipboard write
        ("\x1b]8;;https://evil.test/\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 hyperlink
        ("a\x1bPq#0;2;0;0;0#1~~@@\x1b\\b", "ab"),  # DCS (sixel)
        ("a\x1b_Gf=100;AAAA\x1b\\b", "ab"),  # APC (kitty graphics)
        ("a\x1b^privacy\x1b\\b", "ab"),  # PM
        ("a\x1bXsos\x1b\\b", "ab"),  # SOS
        ("a\x1b]0;never terminated and swallowing", "a"),  # to the end, as a terminal would
        ("\x9b31mred\x9b0m", "red"),  # 8-bit CSI
        ("a\x9d0;title\x9cb", "ab"),  # 8-bit OSC with 8-bit ST
        ("a\x9d0;title\x07b", "ab"),
        ("a\x90dcs\x9cb", "ab"),  # 8-bit DCS
        ("a\x1bcb\x1b7c\x1b(Bd", "abcd"),  # RIS, DECSC, charset designation
        ("bell\x07", "bell\u2407"),  # lone controls become visible pictures
        ("nul\x00", "nul\u2400"),
        ("del\x7f", "del\u2421"),
        ("esc\x1b", "esc\u241b"),  # a lone ESC at the end
        ("c1 \x85 \x9e", "c1 \ufffd \ufffd"),  # lone C1 (an unterminated 8-bit string)
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("tab\there", "tab\there"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # bidi override removed
        ("\u2066a\u2069\u200eb\u200f\u061cc\u202ad\u202c", "abcd"),  # isolates, marks, embeddings
        ("zero\u200b\u200b\u200b\u200c\u200d\u2060\ufeffwidth", "zerowidth"),
        ("tag\U000e0041\U000e0042s", "tags"),  # Unicode tag characters (ASCII smuggling)
        ("soft\u00adhyphen", "softhyphen"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("nonchar \ufdd0\uffff", "nonchar \ufffd\ufffd"),
        ("line\u2028sep", "line\nsep"),
    ],
)
def test_sanitize_text_cases(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected


def test_markup_and_wide_text_stay_exactly_as_written() -> None:
    for text in ["[bold]x[/bold] [link=http://e]y[/link] [@click=app.quit]z[/]",
                 "[/x] hi", "漢字かな 한국어 😀 👍🏽 🇫🇷", "e\u0301 \u00e9 ñ", "a < b > c & d \\ e"]:
        assert sanitize_text(text) == text
        assert sanitize_line(text) == text


def test_combining_floods_are_capped_per_base() -> None:
    zalgo = "Z" + "\u0351\u0334\u0300\u0301\u0302" * 40 + "a" + "\u0301" * 3
    out = sanitize_text(zalgo)
    assert out == "Z\u0351\u0334\u0300\u0301a\u0301\u0301\u0301"
    # an astral mark run and a mixed one
    musical = "x" + "\U0001d167" * 10 + "\u0301" * 3 + "\U000e0100" * 5 + "😀"
    assert longest_mark_run(sanitize_text(musical)) == safety.MAX_COMBINING


def test_zero_width_between_marks_cannot_extend_a_run() -> None:
    text = "a" + ("\u0301\u0301\u0301\u0301\u200b") * 50
    out = sanitize_text(text)
    assert longest_mark_run(out) <= 4
    assert sanitize_text(out) == out


def test_removal_cannot_assemble_a_new_sequence() -> None:
    for raw in ["\x1b\x9b0m[2J", "\x1b\u200b[2J", "\x1b\x1b[0m]0;x\x07", "\x9b\x1b[31m"]:
        out = sanitize_text(raw)
        assert "\x1b" not in out and not FORBIDDEN.search(out)
        assert sanitize_text(out) == out


def test_single_line_mode() -> None:
    assert sanitize_text("a\nb\tc\r\nd\u2029e", multiline=False) == "a b c d e"


def test_mark_table_matches_a_full_scan() -> None:
    """The lazily built class skips planes and blocks without marks; check it."""
    marks = {chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) in ("Mn", "Me")}
    built = set()
    for start, end in re.findall("(.)-(.)", safety_text._combining_class(), re.S):
        built.update(chr(cp) for cp in range(ord(start), ord(end) + 1))
    assert built == marks


def test_sanitize_line_trims_collapses_and_caps() -> None:
    assert sanitize_line("  Re:\n\n  hello \t world  ") == "Re: hello world"
    out = sanitize_line("x" * 500, max_len=20)
    assert out == "x" * 19 + "…" and cell_len(out) == 20
    wide = sanitize_line("漢" * 50, max_len=21)  # wide characters count two cells
    assert cell_len(wide) <= 21 and wide.endswith("…") and wide.startswith("漢" * 10)
    assert sanitize_line("short", max_len=20) == "short"
    assert sanitize_line("\x1b]0;title\x07Subject\x1b[31m!", max_len=20) == "Subject!"


def test_sanitize_line_on_a_megabyte_subject_stays_linear() -> None:
    # The whole subject is cleaned before it is cut (issue 12.3), so the cost
    # grows with its length, but only linearly.
    subject = "\x1b[31mBUY NOW\u202e \u200b\u3164 "
    out = sanitize_line((subject * 100_000)[:1_000_000])
    assert cell_len(out) <= 200 and out.endswith("…") and "\x1b" not in out
    assert_linear(lambda n: subject * n, 16_000, sanitize_line)


def test_sanitize_text_is_linear_on_a_megabyte() -> None:
    sanitize_text("é")  # build the mark tables first
    plain = "Hello world, a normal line of text with punctuation! [x] 東京 😀\r\n"
    hostile = plain.replace("!", "\x1b[31m!\x1b]0;t\x07\u200b\x00\u202e")
    assert_linear(lambda n: plain * n, 16_000, sanitize_text)
    # linear even when everything needs work
    assert_linear(lambda n: hostile * n + "\u0301" * (n // 16), 16_000, sanitize_text)


@pytest.mark.parametrize("unit", ["\x9ea", "\x1b]", "1;", "\x90", "\u0301\u200b"])
def test_pathological_sequences_stay_linear(unit: str) -> None:
    # Unterminated 8-bit string introducers, and openers without bodies: a
    # backtracking regex would go quadratic on these.
    prefix = {"1;": "\x1b[", "\u0301\u200b": "a"}.get(unit, "")
    assert_linear(lambda n: prefix + unit * n, 200_000, sanitize_text)


DANGEROUS = [
    "\x1b", "[", "]", "\\", "P", "_", "^", "X", "0", ";", "m", "\x07", "\x9b", "\x9c", "\x9d",
    "\x90", "\x98", "\x9e", "\x9f", "\x85", "\r", "\n", "\t", "\x00", "\x7f", "\u202e",
    "\u2066", "\u200b", "\u200d", "\ufeff", "\u0301", "\u0334", "\U0001d167", "\ud800",
    "\udc00", "\ufdd0", "\U000e0041", "\u2028", " ", "a", "漢", "😀",
]
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(DANGEROUS), st.characters(codec=None)), max_size=200
)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_sanitize_text_properties(raw: str) -> None:
    out = sanitize_text(raw)
    assert not FORBIDDEN.search(out)
    assert longest_mark_run(out) <= safety.MAX_COMBINING
    assert sanitize_text(out) == out  # idempotent
    line = sanitize_text(raw, multiline=False)
    assert not FORBIDDEN_LINE.search(line)
    assert sanitize_text(line, multiline=False) == line


@settings(max_examples=300, deadline=None)
@given(hostile_text, st.integers(min_value=1, max_value=60))
def test_sanitize_line_properties(raw: str, cap: int) -> None:
    out = sanitize_line(raw, max_len=cap)
    assert not FORBIDDEN_LINE.search(out)
    assert cell_len(out) <= cap
    assert out == out.strip() and "  " not in out
    assert sanitize_line(out, max_len=cap) == out
