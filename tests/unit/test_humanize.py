"""tmtui.humanize: sizes, ages and errors for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tmtui.api import errors
from tmtui.humanize import describe, format_size, relative_time

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


@pytest.mark.parametrize(("exc", "line"), [
    (errors.RateLimited(retry_after=12.4), "The server is rate limiting requests; retry in 12 s"),
    (errors.RequestTimeout(), "The server did not answer in time"),
    (errors.MailboxNotFound(), "That mailbox no longer exists on the server"),
    (errors.ServerError(server_error="db \x1b[2Jdown\nnow", status=500), "Server error: db down now"),
    (FileNotFoundError(2, "No such file or directory", "/tmp/x"), "No such file or directory: /tmp/x"),
    (KeyError("secret-token"), "Unexpected error: KeyError"),
])
def test_describe_gives_one_clean_line(exc: BaseException, line: str) -> None:
    assert describe(exc) == line
