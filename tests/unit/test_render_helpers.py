"""tmtui.render helpers: format_size, relative_time, safe_url."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tmtui.render import format_size, relative_time, safe_url

NOW = datetime(2026, 11, 25, 14, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 B"), (1, "1 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1.0 KB"),
    (1263, "1.2 KB"), (10_189, "10 KB"), (524_288, "512 KB"), (1_048_575, "1.0 MB"),
    (1_258_291, "1.2 MB"), (5 * 1024 * 1024, "5.0 MB"), (3 * 1024**3, "3.0 GB"),
    (7 * 1024**5, "7168 TB"), (-5, "0 B"),
])
def test_format_size(size: int, shown: str) -> None:
    assert format_size(size) == shown


@pytest.mark.parametrize(("delta", "shown"), [
    (timedelta(seconds=0), "just now"), (timedelta(seconds=59), "just now"),
    (timedelta(seconds=-30), "just now"),  # a little clock skew
    (timedelta(minutes=1), "1m"), (timedelta(minutes=5, seconds=59), "5m"),
    (timedelta(minutes=59), "59m"), (timedelta(hours=1), "1h"), (timedelta(hours=23), "23h"),
    (timedelta(days=1), "1d"), (timedelta(days=6, hours=23), "6d"),
    (timedelta(days=7), "2026-11-18"), (timedelta(days=400), "2025-10-21"),
    (timedelta(hours=-3), "2026-11-25"),  # well in the future: show the date
])
def test_relative_time(delta: timedelta, shown: str) -> None:
    assert relative_time(NOW - delta, NOW) == shown


def test_relative_time_mixes_naive_and_aware() -> None:
    assert relative_time(datetime(2026, 11, 25, 13, 55), NOW) == "5m"
    local = timezone(timedelta(hours=-10))
    assert relative_time(datetime(2026, 11, 20, 5, 0, tzinfo=UTC),
                         NOW.astimezone(local)) == "5d"
    assert relative_time(datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
                         NOW.astimezone(local)) == "2026-10-31"  # the date where the user is


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
