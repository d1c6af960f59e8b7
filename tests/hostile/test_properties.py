"""Property tests the unit suite does not have yet (tests/unit covers sanitize_text,
sanitize_line and safe_filename on their own): the display path end to end,
fold_long_lines, numbered names, and saving under any name on a real disk."""

from __future__ import annotations

import asyncio
import io
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from tmtui.files import save_atomically
from tmtui.render import fold_long_lines
from tmtui.safety import filenames as safety_filenames
from tmtui.safety import numbered_name, safe_filename, sanitize_line, sanitize_text

from .screen import FORBIDDEN

SGR = re.compile(r"\x1b\[[0-9;]*m")
DANGEROUS = ["\x1b", "[", "]", "\\", "P", "_", "^", "0", ";", "m", "\x07", "\x9b", "\x9c", "\x9d",
             "\x90", "\x85", "\r", "\n", "\t", "\x00", "\x7f", "\u202e", "\u2066", "\u200b",
             "\ufeff", "\u0301", "\ud800", "\U000e0041", "\u2028", " ", "a", "漢", "😀", "@", "=",
             "/", "$", ".", "C", "O", "N"]
hostile = st.lists(st.one_of(st.sampled_from([*DANGEROUS, "[@click=app.quit]", "\x1b]8;;", "../"]),
                             st.characters(codec=None)), max_size=150).map("".join)
# What a broken MIME header decodes to: any bytes, undecodable ones as surrogates.
broken_bytes = st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape"))


def rendered(text: Text) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=True, color_system="truecolor", width=80,
            legacy_windows=False).print(text, end="")
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile, broken_bytes))
def test_what_a_row_writes_to_the_terminal_is_inert(raw: str) -> None:
    """sanitize_line -> Text -> what Rich writes: only its own SGR, no control."""
    line = sanitize_line(raw, max_len=60)
    written = SGR.sub("", rendered(Text(line, style="bold")))
    assert not FORBIDDEN.search(written.replace("\n", ""))
    assert "\n" not in written.rstrip("\n")  # one row stays one row


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile, broken_bytes))
def test_a_body_writes_nothing_but_text_and_newlines(raw: str) -> None:
    written = SGR.sub("", rendered(Text(sanitize_text(raw))))
    assert not FORBIDDEN.search(written.replace("\n", "").replace("\t", ""))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "漢", "\u0301"]), max_size=400),
       st.integers(min_value=2, max_value=40))
def test_fold_long_lines_only_adds_line_breaks(text: str, limit: int) -> None:
    folded = fold_long_lines(text, limit)
    assert all(len(line) <= limit for line in folded.split("\n"))
    assert folded.replace("\n", "") == text.replace("\n", "")
    assert folded.count("\n") >= text.count("\n")
    assert fold_long_lines(folded, limit) == folded


@settings(max_examples=300, deadline=None)
@given(st.one_of(hostile, broken_bytes), st.integers(min_value=0, max_value=100_000))
def test_numbered_names_stay_one_harmless_component(name: str, number: int) -> None:
    out = numbered_name(name, number)
    assert out and out not in (".", "..") and "/" not in out and "\\" not in out
    assert not FORBIDDEN.search(out) and "\x00" not in out
    assert len(out.encode("utf-8")) <= 255
    assert safe_filename(out) == out
    if number:  # "stem (n).ext": the number goes before the extension, which is kept
        _stem, suffix = safety_filenames._split_suffix(safe_filename(name))
        assert out.endswith(f" ({number}){suffix}")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(hostile, broken_bytes), min_size=1, max_size=4))
def test_saving_under_any_names_lands_inside_the_directory(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as root:
        target = Path(root) / "downloads"

        async def save_all() -> list[Path]:
            paths = []
            for n, name in enumerate(names):
                async def write(sink, n=n) -> None:  # type: ignore[no-untyped-def]
                    sink(f"content {n}".encode())
                paths.append(await save_atomically(target, name, write))
            return paths

        paths = asyncio.run(save_all())
        everything = sorted(p for p in Path(root).rglob("*") if p.is_file())
        assert everything == sorted(paths)  # nothing else, nothing outside, no .part left
        assert len(set(paths)) == len(names)  # never overwritten
        for n, path in enumerate(paths):
            assert path.parent == target and safe_filename(path.name) == path.name
            assert path.read_bytes() == f"content {n}".encode()
