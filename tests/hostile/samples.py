"""Small typed values for the unit-level hostile tests (the corpus drives the real app)."""

from __future__ import annotations

from datetime import UTC, datetime

from tmtui.api.models import Message, MessageSummary

WHEN = datetime(2026, 3, 5, 10, 42, tzinfo=UTC)


def summary(*, subject: str = "Hello", sender: str = "Ann <ann@example.org>", excerpt: str = "",
            id: str = "1") -> MessageSummary:
    return MessageSummary(id=id, sender=sender, subject=subject, excerpt=excerpt, timestamp=WHEN,
                          read=False, has_attachment=False)


def message(*, html: str, subject: str = "Hello", sender: str = "Ann <ann@example.org>",
            id: str = "1") -> Message:
    return Message(id=id, sender=sender, subject=subject, html=html, timestamp=WHEN)
