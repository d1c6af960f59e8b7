"""The rules in the TUI: the engine is started with the app, and this is its surface.

New mail reaches the engine from the announcer (the one place new mail is
decided). The UI-only actions become a toast (and a desktop notice when the
terminal is in the background), the bell, and the clipboard (OSC 52). What the
other actions did is shown when it matters: a program's exit status and first
line, saved attachments, and every failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App

from tmtui.config import Config
from tmtui.rules import parse_rules
from tmtui.safety import copy_safe, sanitize_line
from tmtui.sync import SyncWorker
from tmtui.ui import terminal

if TYPE_CHECKING:
    from tmtui.rules.actions import Copied, Outcome
    from tmtui.rules.engine import RuleEngine

QUIET = frozenset({"notify", "bell", "mark_read", "delete_after", "webhook"})  # when they work


class AppSurface:
    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def notify(self, title: str, text: str) -> None:
        self.app.notify(sanitize_line(text, 300), title=sanitize_line(title, 100), markup=False)
        if not self.app.app_focus:
            terminal.desktop_notify(self.app, f"tmtui: {title}", text)

    def bell(self) -> None:
        self.app.bell()

    def copy(self, value: str, what: Copied) -> bool:
        self.app.copy_to_clipboard(copy_safe(value))
        return True

    def report(self, outcome: Outcome) -> None:
        if outcome.ok and outcome.action in QUIET:
            return
        text = f"{outcome.action}: {outcome.detail}"
        self.app.notify(sanitize_line(text, 300), title=sanitize_line(outcome.rule.title, 100), markup=False,
                        severity="information" if outcome.ok else "warning", timeout=8 if outcome.ok else 12)


def start_rules(app: App[Any], config: Config, sync: SyncWorker) -> RuleEngine | None:
    """The engine for the config's rules (None without any); each bad rule is a warning and is skipped."""
    rules, errors = parse_rules(config.rules)
    for error in errors:
        app.notify(sanitize_line(f"config: {error} (rule skipped)", 300), severity="warning", markup=False,
                   timeout=15)
    if not rules:
        return None
    from tmtui.rules.engine import RuleEngine  # with the extractors: only when there are rules

    return RuleEngine(sync, rules, AppSurface(app), downloads=config.downloads)
