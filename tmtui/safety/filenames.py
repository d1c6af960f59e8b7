"""File names chosen by a sender, made into one harmless path component."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from tmtui.safety.text import _clean

__all__ = ["MAX_NAME_BYTES", "numbered_name", "safe_filename", "unique_path"]

MAX_NAME_BYTES = 255
# Characters Windows forbids in names (the slashes never get this far).
_WINDOWS_ILLEGAL = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{d}" for p in ("COM", "LPT") for d in "123456789\u00b9\u00b2\u00b3"]
)
_SUFFIX = re.compile(r"\.[^.\s]{1,16}\Z")


def _split_suffix(name: str) -> tuple[str, str]:
    match = _SUFFIX.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group()


def _fit_bytes(stem: str, budget: int) -> str:
    encoded = stem.encode("utf-8")
    if len(encoded) <= budget:
        return stem
    return _trim(encoded[: max(0, budget)].decode("utf-8", "ignore"))


def _trim(text: str) -> str:
    """Strip whitespace at both ends and dots at the end (Windows drops them)."""
    text = text.strip()
    end = len(text)
    while end and (text[end - 1] == "." or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def safe_filename(name: str, *, fallback: str = "attachment") -> str:
    """One harmless path component for a sender-chosen file name.

    Keeps only the base name (``/`` and ``\\`` both separate), removes control
    sequences and invisible characters, turns other controls and the
    characters Windows forbids into ``_``, trims spaces and trailing dots,
    prefixes ``_`` to hidden names (``.bashrc``), names that look like command
    options (``-rf``, ``--output=x``) and Windows device names
    (``CON``, ``lpt1.log``), and keeps the result within 255 UTF-8 bytes with
    its extension. Empty or dots-only names become ``fallback``. Never empty,
    ``.`` or ``..``; idempotent.
    """
    parts = [part for part in re.split(r"[/\\]", name) if part.strip(" .")]
    text = parts[-1] if parts else ""
    if len(text) > 1024:  # the result is 255 bytes at most: keep head and tail
        text = text[:768] + text[-64:]
    text = _clean(text, multiline=False, filename=True)
    text = unicodedata.normalize("NFC", text)
    text = _trim(_WINDOWS_ILLEGAL.sub("_", text))
    if not text.strip("."):
        return "attachment" if fallback == "attachment" else safe_filename(fallback)
    if text.startswith((".", "-")):
        # Hidden (.bashrc), or read as an option by whatever gets the name (rm -rf, --output=x).
        text = "_" + text
    stem, suffix = _split_suffix(text)
    if stem.split(".")[0].rstrip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = _fit_bytes(stem, MAX_NAME_BYTES - len(suffix.encode("utf-8")))
    return stem + suffix


def numbered_name(name: str, number: int) -> str:
    """``report.pdf`` -> ``report (2).pdf``, kept within 255 bytes; 0 -> name."""
    name = safe_filename(name)
    if number <= 0:
        return name
    stem, suffix = _split_suffix(name)
    tag = f" ({number})"
    stem = _fit_bytes(stem, MAX_NAME_BYTES - len((tag + suffix).encode("utf-8")))
    return f"{stem}{tag}{suffix}"


def unique_path(directory: Path, name: str) -> Path:
    """A path in ``directory`` that does not exist yet: ``name``, then
    ``stem (1).ext``, ``stem (2).ext``... The name is made safe first.

    This only checks; to claim a name without a race use
    :func:`tmtui.files.save_atomically`.
    """
    for number in range(0, 100_000):
        candidate = Path(directory) / numbered_name(name, number)
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"no free name for {safe_filename(name)!r} in {directory}")
