"""Does a rule match a mail? Pure functions of the rule and what is known of the mail.

Matching runs in two steps, so a mail is read (which marks it read on the
server) only when a rule needs its body: :func:`matches_listing` looks at what
the mailbox listing says (mailbox, sender, subject, attachments);
:func:`matches_content` at the body of the read mail (text, code, link).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from fnmatch import fnmatchcase
from typing import Any

from tmtui.api.models import Message, MessageSummary
from tmtui.rules.model import Match


@dataclass(frozen=True, slots=True)
class Envelope:
    """A new mail as the listing shows it, and the mailbox it came to."""

    address: str
    summary: MessageSummary
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Content:
    """The read mail and its JSON document (:func:`tmtui.mailjson.message`, all sanitised)."""

    mail: Message
    document: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.document.get("text") or "")

    @property
    def code(self) -> str | None:
        code = self.document.get("code")
        return str(code["value"]) if isinstance(code, dict) and code.get("value") else None

    @property
    def link(self) -> str | None:
        link = self.document.get("link")
        return str(link) if link else None


def sender_address(sender: str) -> str:
    """The address in a From line, lower-cased; "" when there is none.

    ``"noreply@github.com" <x@evil.test>`` is ``x@evil.test``: the display name
    is the sender's to choose, so a rule never trusts it.
    """
    _name, address = parseaddr(sender)
    address = address.strip().lower()
    return address if "@" in address and not any(c.isspace() for c in address) else ""


def mailbox_matches(globs: tuple[str, ...], address: str, label: str | None) -> bool:
    names = [address.lower()] + ([label.strip().lower()] if label and label.strip() else [])
    return any(fnmatchcase(name, glob) for glob in globs for name in names)


def matches_listing(match: Match, envelope: Envelope) -> bool:
    """The conditions the listing can answer: mailbox, from, subject, has_attachment."""
    summary = envelope.summary
    if match.mailbox and not mailbox_matches(match.mailbox, envelope.address, envelope.label):
        return False
    if match.sender is not None and match.sender.search(sender_address(summary.sender)) is None:
        return False
    if match.subject is not None and match.subject.search(summary.subject) is None:
        return False
    return match.has_attachment is None or match.has_attachment == summary.has_attachment


def matches_content(match: Match, content: Content) -> bool:
    """The conditions on the body: body, has_code, has_link."""
    if match.body is not None and match.body.search(content.text) is None:
        return False
    if match.has_code is not None and match.has_code != (content.code is not None):
        return False
    return match.has_link is None or match.has_link == (content.link is not None)


def matches(match: Match, envelope: Envelope, content: Content | None) -> bool:
    """Every condition; those on the body need ``content`` (without it they do not hold)."""
    if not matches_listing(match, envelope):
        return False
    if not match.needs_content:
        return True
    return content is not None and matches_content(match, content)
