"""Matching is pure: a rule against what the listing says, then against the read body."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import formataddr

from hypothesis import example, given
from hypothesis import strategies as st

from tmtui.api.models import Message, MessageSummary
from tmtui.rules.matching import Content, Envelope, matches, matches_listing, sender_address
from tmtui.rules.model import Match

WHEN = datetime(2026, 3, 5, 10, 42, 17, tzinfo=UTC)


def summary(sender: str = "GitHub <noreply@github.com>", subject: str = "Your code",
            attachment: bool = False) -> MessageSummary:
    return MessageSummary("7", sender, subject, "excerpt", WHEN, read=False, has_attachment=attachment)


def envelope(address: str = "k3x9@a.test", label: str | None = None, **fields: object) -> Envelope:
    return Envelope(address, summary(**fields), label)  # type: ignore[arg-type]


def content(text: str = "", code: str | None = None, link: str | None = None) -> Content:
    mail = Message("7", "x", "Your code", "<p>x</p>", WHEN)
    return Content(mail, {"text": text, "code": {"value": code} if code else None, "link": link})


def regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def test_from_matches_the_address_never_the_display_name() -> None:
    rule = Match(sender=regex(r"@github\.com$"))
    assert matches_listing(rule, envelope())
    forged = '"noreply@github.com" <phish@evil.test>'
    assert sender_address(forged) == "phish@evil.test"
    assert not matches_listing(rule, envelope(sender=forged))
    assert not matches_listing(rule, envelope(sender="noreply@github.com via <evil.test>"))


@given(st.text(max_size=60))
@example("noreply@github.com")
@example("GitHub <noreply@github.com>")
@example("a@github.com, b")
def test_no_display_name_makes_from_match(name: str) -> None:
    """Whatever the sender writes as its name (an address, brackets, quotes), only the address counts."""
    sender = formataddr((name, "phish@evil.test"))
    assert sender_address(sender) in ("phish@evil.test", "")
    assert not matches_listing(Match(sender=regex("github")), envelope(sender=sender))


@given(st.from_regex(r"[a-z0-9]{1,12}@(a|b)\.test", fullmatch=True), st.sampled_from(["github", "bank", None]))
def test_mailbox_globs_match_the_address_or_the_label(address: str, label: str | None) -> None:
    assert matches_listing(Match(mailbox=("*@a.test",)), envelope(address, label)) == address.endswith("@a.test")
    by_label = matches_listing(Match(mailbox=("git*",)), envelope(address, label))
    assert by_label == (label == "github")


def test_subject_and_attachment_conditions() -> None:
    rule = Match(subject=regex("verify|code"), has_attachment=False)
    assert matches_listing(rule, envelope(subject="Your CODE"))
    assert not matches_listing(rule, envelope(subject="Newsletter"))
    assert not matches_listing(rule, envelope(subject="code", attachment=True))
    assert matches_listing(Match(), envelope())  # no condition: every new mail


def test_body_conditions_need_the_read_mail() -> None:
    rule = Match(body=regex("reset your password"), has_code=False, has_link=True)
    assert rule.needs_content and not Match(subject=regex("x")).needs_content
    assert not matches(rule, envelope(), None)  # not read: a body condition cannot hold
    assert matches(rule, envelope(), content("Click to Reset your password", link="https://x.test/r"))
    assert not matches(rule, envelope(), content("Reset your password", code="123456", link="https://x.test/r"))
    assert not matches(rule, envelope(), content("Reset your password"))
    assert matches(Match(has_code=True), envelope(), content(code="482913"))
