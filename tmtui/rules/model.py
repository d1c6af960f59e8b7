"""What a rule is, once parsed: what it matches and what it does. Plain frozen data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RUN_TIMEOUT = 30.0
DEFAULT_WEBHOOK_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Match:
    """Every condition given must hold; a rule with none matches every new mail.

    ``mailbox`` globs are tried on the address and on the mailbox's label;
    ``sender`` is searched in the sender's address only (never the display
    name, which anyone can set); ``subject`` and ``body`` are searched
    case-insensitively (``re.search``); ``body`` in the body as text.
    """

    mailbox: tuple[str, ...] = ()
    sender: re.Pattern[str] | None = None
    subject: re.Pattern[str] | None = None
    body: re.Pattern[str] | None = None
    has_code: bool | None = None
    has_link: bool | None = None
    has_attachment: bool | None = None

    @property
    def needs_content(self) -> bool:
        """Whether matching needs the message read (its body), not only the listing."""
        return self.body is not None or self.has_code is not None or self.has_link is not None


@dataclass(frozen=True, slots=True)
class Actions:
    notify: bool = False
    bell: bool = False
    copy_code: bool = False
    copy_link: bool = False
    mark_read: bool = False
    delete_after: float | None = None  # seconds
    save_attachments: Path | None = None  # relative: under the download directory
    run: tuple[str, ...] = ()
    run_timeout: float = DEFAULT_RUN_TIMEOUT
    webhook: str | None = None
    webhook_timeout: float = DEFAULT_WEBHOOK_TIMEOUT

    @property
    def needs_content(self) -> bool:
        """Whether an action needs the message read: its code, link, attachments or document."""
        return (self.copy_code or self.copy_link or self.save_attachments is not None
                or bool(self.run) or self.webhook is not None)


@dataclass(frozen=True, slots=True)
class Rule:
    index: int  # its place among the [[rules]] tables, from 0
    match: Match
    actions: Actions
    name: str = ""

    @property
    def title(self) -> str:
        """How messages name the rule: ``rules[2]`` or ``rules[2] "github"``."""
        return f'rules[{self.index}] "{self.name}"' if self.name else f"rules[{self.index}]"

    @property
    def needs_content(self) -> bool:
        return self.match.needs_content or self.actions.needs_content
