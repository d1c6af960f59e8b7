"""The ``[[rules]]`` tables of config.toml, checked key by key.

Every problem names the rule's index (from 0, in file order) and the key:
``rules[2].delete_after: not a duration: '10x' (e.g. "30s", "10m", "1h30m")``.
An unknown key is an error, not a warning: a typo such as ``form`` for
``from`` would otherwise turn a narrow rule into one that matches every mail.
A rule with a problem is left out whole; the others still run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tmtui.rules.model import DEFAULT_RUN_TIMEOUT, DEFAULT_WEBHOOK_TIMEOUT, Actions, Match, Rule
from tmtui.safety import sanitize_line

MATCH_KEYS = ("mailbox", "from", "subject", "body", "has_code", "has_link", "has_attachment")
ACTION_KEYS = ("notify", "bell", "copy_code", "copy_link", "mark_read", "delete_after",
               "save_attachments", "run", "webhook")
OTHER_KEYS = ("name", "run_timeout", "webhook_timeout")
KNOWN_KEYS = (*MATCH_KEYS, *ACTION_KEYS, *OTHER_KEYS)

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?[smhd])+")
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
DAY = 86400.0


class RuleError(Exception):
    """One problem with one rule; ``str()`` is one line: ``rules[2].delete_after: ...``."""

    def __init__(self, index: int, key: str | None, problem: str) -> None:
        self.index = index
        self.key = key
        self.problem = problem
        where = f"rules[{index}]" + (f".{key}" if key else "")
        super().__init__(f"{where}: {problem}")


class _Invalid(ValueError):
    """A value's problem; the caller knows which rule and key it belongs to."""


def parse_duration(value: object) -> float:
    """``"10m"``, ``"1h30m"``, ``"45s"``, ``"2d"`` or a number of seconds, as seconds."""
    if isinstance(value, bool):
        raise _Invalid("must be a duration such as \"30s\", \"10m\" or \"1h\"")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and _DURATION.fullmatch(value.strip().lower()):
        seconds = sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(value.strip().lower()))
    else:
        shown = sanitize_line(str(value), 40)
        raise _Invalid(f"not a duration: {shown!r} (e.g. \"30s\", \"10m\", \"1h30m\")")
    if not 0 <= seconds < float("inf"):
        raise _Invalid("must be a duration of 0 s or more")
    return seconds


def _bounded(low: float, high: float, *, allow_zero: bool = True) -> Callable[[object], float]:
    def parse(value: object) -> float:
        seconds = parse_duration(value)
        if seconds > high or seconds < low or (seconds == 0 and not allow_zero):
            raise _Invalid(f"must be between {_words(low)} and {_words(high)}"
                           + ("" if allow_zero else " (not 0)"))
        return seconds

    return parse


def _words(seconds: float) -> str:
    for unit, size in (("d", DAY), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def _regex(value: object) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise _Invalid("must be a regular expression in a string")
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise _Invalid(f"bad regular expression: {exc}") from None


def _globs(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise _Invalid("must be a glob (\"*@a.test\", \"github*\") or a list of them")
    return tuple(i.strip().lower() for i in items)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be a string")
    return sanitize_line(value, 80)


def _directory(value: object) -> Path:
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise _Invalid("must be a directory path in a string")
    return Path(value).expanduser()


def _argv(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        raise _Invalid("must be a list of arguments, e.g. [\"notify-send\", \"new mail\"], "
                       "never a shell string")
    if not isinstance(value, list) or not value:
        raise _Invalid("must be a non-empty list of arguments")
    if not all(isinstance(a, str) and "\x00" not in a for a in value) or not value[0].strip():
        raise _Invalid("every argument must be a string (and the program not empty)")
    return tuple(value)


def _webhook(value: object) -> str:
    if not isinstance(value, str):
        raise _Invalid("must be an http:// or https:// URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value.strip()):
        raise _Invalid("must be an http:// or https:// URL with a host")
    return value.strip()


@dataclass(frozen=True, slots=True)
class _Key:
    field: str  # the Match / Actions / Rule field it sets
    parse: Callable[[object], Any]


_MATCH = {"mailbox": _Key("mailbox", _globs), "from": _Key("sender", _regex),
          "subject": _Key("subject", _regex), "body": _Key("body", _regex),
          "has_code": _Key("has_code", _flag), "has_link": _Key("has_link", _flag),
          "has_attachment": _Key("has_attachment", _flag)}
_ACTIONS = {"notify": _Key("notify", _flag), "bell": _Key("bell", _flag),
            "copy_code": _Key("copy_code", _flag), "copy_link": _Key("copy_link", _flag),
            "mark_read": _Key("mark_read", _flag), "delete_after": _Key("delete_after", _bounded(0, 7 * DAY)),
            "save_attachments": _Key("save_attachments", _directory), "run": _Key("run", _argv),
            "webhook": _Key("webhook", _webhook),
            "run_timeout": _Key("run_timeout", _bounded(0, 3600, allow_zero=False)),
            "webhook_timeout": _Key("webhook_timeout", _bounded(0, 60, allow_zero=False))}


def parse_rule(index: int, table: object) -> tuple[Rule | None, list[RuleError]]:
    """One ``[[rules]]`` table: the rule, or None and every problem found in it."""
    if not isinstance(table, dict):
        return None, [RuleError(index, None, "must be a table ([[rules]] with key = value lines)")]
    errors: list[RuleError] = []
    match: dict[str, Any] = {}
    actions: dict[str, Any] = {}
    name = ""
    for key, value in table.items():
        try:
            if key == "name":
                name = _text(value)
            elif key in _MATCH:
                match[_MATCH[key].field] = _MATCH[key].parse(value)
            elif key in _ACTIONS:
                actions[_ACTIONS[key].field] = _ACTIONS[key].parse(value)
            else:
                errors.append(RuleError(index, sanitize_line(str(key), 40),
                                        f"unknown key (known: {', '.join(KNOWN_KEYS)})"))
        except _Invalid as exc:
            errors.append(RuleError(index, key, str(exc)))
    parsed = Actions(**actions)
    if not errors and not _acts(parsed):
        errors.append(RuleError(index, None, f"no action: give at least one of {', '.join(ACTION_KEYS)}"))
    if errors:
        return None, errors
    return Rule(index, Match(**match), parsed, name), []


def _acts(actions: Actions) -> bool:
    return (actions.notify or actions.bell or actions.copy_code or actions.copy_link or actions.mark_read
            or actions.delete_after is not None or actions.save_attachments is not None
            or bool(actions.run) or actions.webhook is not None)


def parse_rules(tables: Sequence[object]) -> tuple[list[Rule], list[RuleError]]:
    """Every rule that is right, and every problem of the others (in file order)."""
    rules: list[Rule] = []
    errors: list[RuleError] = []
    for index, table in enumerate(tables):
        rule, problems = parse_rule(index, table)
        if rule is not None:
            rules.append(rule)
        errors.extend(problems)
    return rules, errors


__all__ = ["DEFAULT_RUN_TIMEOUT", "DEFAULT_WEBHOOK_TIMEOUT", "KNOWN_KEYS", "RuleError", "parse_duration",
           "parse_rule", "parse_rules"]
