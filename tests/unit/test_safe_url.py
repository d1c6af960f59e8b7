"""tmtui.safety.safe_url: which links are offered, and how they are cleaned."""

from __future__ import annotations

import pytest

from tmtui.safety import safe_url


@pytest.mark.parametrize(("url", "safe"), [
    ("https://example.com/a?b=c#d", "https://example.com/a?b=c#d"),
    ("HTTP://Example.com", "http://Example.com"),
    ("  https://example.com/\n  ", "https://example.com/"),
    ("https://exa\nmple.com/", "https://example.com/"),
    ("https://example.com/a b", "https://example.com/a%20b"),
    ("https://example.com/\u202etxt.exe", "https://example.com/%E2%80%AEtxt.exe"),
    ("https://example.com/\u200b\u00a0\u3000", "https://example.com/%E2%80%8B%C2%A0%E3%80%80"),
    ("https://example.com/<>\"`\\{|}^", "https://example.com/%3C%3E%22%60%5C%7B%7C%7D%5E"),
    ("https://example.com/\x1b[2J", "https://example.com/%1B[2J"),
    ("https://example.com/\ud800", "https://example.com/%EF%BF%BD"),
    ("https://пример.рф/путь", "https://пример.рф/путь"),
    ("mailto:a@b.example?subject=x&attach=/etc/passwd", "mailto:a@b.example"),
    ("MAILTO:a@b.example", "mailto:a@b.example"),
])
def test_safe_url_keeps_and_cleans(url: str, safe: str) -> None:
    assert safe_url(url) == safe


@pytest.mark.parametrize("url", [
    None, "", "javascript:alert(1)", "\x00javascript:alert(1)", "java\tscript:x",
    "vbscript:x", "data:text/html,x", "file:///etc/passwd", "ftp://example.com",
    "about:blank", "chrome://settings", "//example.com", "/path", "example.com",
    "https:", "https:/x", "https://", "https:///path", "https:\\\\evil.example",
    "mailto:", "mailto:?subject=x", "https://example.com/" + "a" * 5000,
])
def test_safe_url_refuses(url: str | None) -> None:
    assert safe_url(url) is None
