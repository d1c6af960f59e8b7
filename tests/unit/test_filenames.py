"""tmtui.safety.safe_filename / numbered_name / unique_path."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tmtui.safety import numbered_name, safe_filename, unique_path

DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
           *(f"LPT{i}" for i in range(1, 10))}
UNSAFE = re.compile("[/\\\\\x00-\x1f\x7f-\x9f<>:\"|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("/abs/path", "path"),
        ("C:\\Windows\\x.exe", "x.exe"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("dir/", "dir"),
        ("a\x00b", "a_b"),
        ("a\nb", "a_b"),
        ("\x1b[31mred.txt", "red.txt"),
        ("\x1b]0;title\x07doc.txt", "doc.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("...", "attachment"),
        (".", "attachment"),
        ("..", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        ("/", "attachment"),
        (".bashrc", "_.bashrc"),
        ("name. . .", "name"),
        ("  spaced.txt  ", "spaced.txt"),
        ('a<b>c:d"e|f?g*h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1.log", "_LPT1.log"),
        ("aux.tar.gz", "_aux.tar.gz"),
        ("com9", "_com9"),
        ("console.txt", "console.txt"),
        ("LPT10.txt", "LPT10.txt"),
        ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFC
        ("漢字.pdf", "漢字.pdf"),
    ],
)
def test_safe_filename_cases(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_fallback_is_used_and_made_safe() -> None:
    assert safe_filename("..", fallback="mail-42.eml") == "mail-42.eml"
    assert safe_filename("", fallback="../x") == "x"
    assert safe_filename("", fallback="..") == "attachment"


def test_long_names_keep_their_extension_within_255_bytes() -> None:
    out = safe_filename("a" * 300 + ".pdf")
    assert out.endswith(".pdf") and len(out.encode()) == 255
    out = safe_filename("é" * 300 + ".tar.gz")  # two bytes each: cut on a character boundary
    assert out.endswith(".gz") and len(out.encode()) <= 255
    out.encode().decode("utf-8")
    out = safe_filename("😀" * 100 + ".txt")
    assert out.endswith(".txt") and len(out.encode()) <= 255
    out = safe_filename("x" * 1_000_000 + ".bin")  # huge input, cheap
    assert out.endswith(".bin") and len(out.encode()) == 255


def test_numbered_name() -> None:
    assert numbered_name("report.pdf", 0) == "report.pdf"
    assert numbered_name("report.pdf", 2) == "report (2).pdf"
    assert numbered_name("README", 1) == "README (1)"
    assert numbered_name(".bashrc", 1) == "_ (1).bashrc"
    long = numbered_name("a" * 300 + ".pdf", 12)
    assert long.endswith(" (12).pdf") and len(long.encode()) <= 255


def test_unique_path_never_reuses_a_name(tmp_path: Path) -> None:
    assert unique_path(tmp_path, "r.pdf") == tmp_path / "r.pdf"
    (tmp_path / "r.pdf").write_bytes(b"1")
    (tmp_path / "r (1).pdf").write_bytes(b"2")
    (tmp_path / "r (2).pdf").symlink_to(tmp_path / "missing")  # a dangling link counts
    assert unique_path(tmp_path, "r.pdf") == tmp_path / "r (3).pdf"
    assert unique_path(tmp_path, "../r.pdf") == tmp_path / "r (3).pdf"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(
    st.sampled_from(["/", "\\", ".", " ", "\x00", "\n", "\x1b", "[", "\u202e", "\u200b",
                     ":", "*", "C", "O", "N", "L", "P", "T", "1", "é", "😀", "\u0301"]),
    st.characters(codec=None)), max_size=300))
def test_safe_filename_is_one_harmless_component(name: str) -> None:
    out = safe_filename(name)
    assert out and out not in (".", "..") and out.strip(".")
    assert not UNSAFE.search(out)
    assert len(out.encode("utf-8")) <= 255
    assert not out.startswith(".") and out == out.strip() and not out.endswith(".")
    assert out.split(".")[0].rstrip().upper() not in DEVICES
    base = Path("/srv/downloads")
    joined = Path(os.path.normpath(base / out))
    assert joined.parent == base and joined.name == out
    assert safe_filename(out) == out
