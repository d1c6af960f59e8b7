"""The file name ``s`` gives a saved body: from the subject, one safe name, never a path."""

from __future__ import annotations

import pytest

from tmtui.ui.body_save import MAX_STEM, body_name


@pytest.mark.parametrize(("subject", "form", "name"), [
    ("Welcome to Acme", "markdown", "Welcome to Acme.md"),
    ("Your code: 4/5", "text", "Your code_ 4-5.txt"),
    ("", "html", "message.html"),
    ("   ", "text", "message.txt"),
    (".bashrc", "text", "_.bashrc.txt"),
    ("--output=x", "markdown", "_--output=x.md"),
    ("CON", "text", "_CON.txt"),
    ("../../etc/passwd", "text", "_..-..-etc-passwd.txt"),
    ("a\\b\x1b[2Jc\u202e", "text", "a-bc.txt"),
    ("tabs\tand\nnew lines", "text", "tabs and new lines.txt"),
])
def test_body_names(subject: str, form: str, name: str) -> None:
    assert body_name(subject, form) == name


def test_a_long_subject_is_cut() -> None:
    name = body_name("word " * 200, "markdown")
    assert name.endswith(".md") and len(name) <= MAX_STEM + len(".md")
