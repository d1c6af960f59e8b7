"""Credentials that must never be printed: sid_token and the mailbox event token."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Secret:
    """A token value whose repr and str never reveal it.

    The value is reachable only through :meth:`reveal`, so it cannot slip into a
    log line, an exception message or a dataclass repr by accident.
    """

    _value: str

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)
