"""What a matching rule does: each action on its own, reported as an :class:`Outcome`.

UI-only actions (``notify``, ``bell``, ``copy_code``, ``copy_link``) go
through a :class:`Surface` the caller provides: the TUI's shows toasts and
copies with OSC 52; ``tmtui watch``'s writes to its terminal. The others talk
to the server through the client core, to the disk, or to other programs. A
failing action raises; the engine turns it into a failed outcome and the
other actions go on.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from tmtui.api.models import Attachment
from tmtui.api.webhook import WebhookError, post_json
from tmtui.files import Sink, save_atomically
from tmtui.rules.command import environment, run_command
from tmtui.rules.matching import Content, Envelope, sender_address
from tmtui.rules.model import Rule
from tmtui.safety import sanitize_line
from tmtui.sync import SyncWorker

Copied = Literal["code", "link"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one action of one rule did to one mail; ``detail`` is one safe line."""

    rule: Rule
    action: str
    address: str
    message_id: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        mail = sanitize_line(self.message_id, 40)
        return f"{self.rule.title}: {self.action}: {self.detail} (mail {mail} to {sanitize_line(self.address)})"


class Surface(Protocol):
    """What the program around the engine does for the UI-only actions, and with outcomes."""

    def notify(self, title: str, text: str) -> None: ...
    def bell(self) -> None: ...
    def copy(self, value: str, what: Copied) -> bool:
        """Put ``value`` on the clipboard; False when there is nowhere to put it."""

    def report(self, outcome: Outcome) -> None: ...


def payload(rule: Rule, envelope: Envelope, content: Content) -> dict[str, Any]:
    """What ``run`` gets on stdin and ``webhook`` in its body: the mail's document, and whose it is."""
    return {**content.document, "label": sanitize_line(envelope.label) if envelope.label else None,
            "rule": rule.name or rule.title}


def variables(rule: Rule, envelope: Envelope, content: Content) -> dict[str, str | None]:
    summary = envelope.summary
    return {
        "TMTUI_ADDRESS": envelope.address, "TMTUI_LABEL": envelope.label,
        "TMTUI_FROM": summary.sender, "TMTUI_FROM_ADDRESS": sender_address(summary.sender),
        "TMTUI_SUBJECT": summary.subject, "TMTUI_CODE": content.code, "TMTUI_LINK": content.link,
        "TMTUI_MESSAGE_ID": summary.id, "TMTUI_RULE": rule.name or rule.title,
    }


async def run(rule: Rule, envelope: Envelope, content: Content) -> tuple[bool, str]:
    """Start the rule's program; (exit status 0, "exit 0: first line of output")."""
    actions = rule.actions
    stdin = (json.dumps(payload(rule, envelope, content), ensure_ascii=False) + "\n").encode("utf-8")
    env = environment(variables(rule, envelope, content))
    try:
        result = await run_command(actions.run, stdin, env, timeout=actions.run_timeout)
    except OSError as exc:
        program = sanitize_line(actions.run[0], 300)  # whole: the name is at the end of a path
        return False, f"cannot start {program}: {sanitize_line(exc.strerror or str(exc), 120)}"
    if result.status is None:
        return False, f"killed after {actions.run_timeout:g} s (timeout)"
    said = f": {result.first_line}" if result.first_line else ""
    return result.ok, f"exit {result.status}{said}"


async def webhook(rule: Rule, envelope: Envelope, content: Content) -> tuple[bool, str]:
    """POST the mail's document; (True, "posted, 200") or (False, why not)."""
    assert rule.actions.webhook is not None
    try:
        reply = await post_json(rule.actions.webhook, payload(rule, envelope, content),
                                timeout=rule.actions.webhook_timeout)
    except WebhookError as exc:
        return False, sanitize_line(str(exc), 200)
    again = " (on the retry)" if reply.attempts > 1 else ""
    return True, f"posted, {reply.status}{again}"


def _writer(core: SyncWorker, envelope: Envelope, attachment: Attachment) -> Callable[[Sink], Awaitable[int]]:
    async def write(sink: Sink) -> int:
        return await core.download(envelope.address, envelope.summary.id, attachment.name, sink,
                                   expected_size=attachment.size)

    return write


async def save_attachments(core: SyncWorker, envelope: Envelope, content: Content, directory: Path) -> str:
    """Every attachment, under a safe name, never overwriting; a failure stops at that file."""
    attachments = content.mail.attachments
    if not attachments:
        return "no attachments"
    saved = [await save_atomically(directory, a.name, _writer(core, envelope, a)) for a in attachments]
    names = ", ".join(sanitize_line(p.name, 60) for p in saved[:3]) + (" ..." if len(saved) > 3 else "")
    return f"saved {len(saved)} in {sanitize_line(str(directory), 200)}: {names}"
