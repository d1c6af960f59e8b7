"""The address grammar, and senders whose display name lies about who they are.

A mailbox address comes from the server, and the server may be hostile (or a
man in the middle of an ``http://`` base URL): the API client checks every
address and domain it is sent against :func:`is_address` / :func:`is_domain`
and refuses a response that breaks them. The grammar is deliberately narrower
than RFC 5321 (no quoted local parts, no address literals, ASCII only): what a
disposable mail service issues, and nothing a terminal or a shell could act on.

A ``From`` header is the sender's to write, and disposable mail has no sender
authentication: ``"noreply@github.com" <attacker@evil.test>`` is one line of
text away. :func:`sender_view` shows the real address whenever the display
name carries an ``@`` or names another domain than the address's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from functools import lru_cache

from tmtui.safety.text import sanitize_line
from tmtui.safety.width import cell_width

__all__ = ["SenderView", "is_address", "is_domain", "is_local_part", "sender_address", "sender_line", "sender_view"]

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?=[^\n]{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*\Z")
_LOCAL = re.compile(r"(?=[^\n]{1,64}\Z)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*\Z")
# Something in a display name that reads like a host: a dotted word ending in letters
# (but not in a file or language extension: "Node.js", "README.md").
_NAMED_HOST = re.compile(r"(?<![\w.-])((?:[\w-]+\.)+[^\W\d_]{2,})(?![\w-])")
# "Name <address>" whose name has no quote, @, dot, comma, bracket or backslash (ASCII).
_PLAIN_SENDER = re.compile(r"([A-Za-z0-9 _'+-]*[A-Za-z0-9_'+-]) <([!-~]+)>")
_NOT_TLD = frozenset({"js", "ts", "py", "rb", "rs", "md", "txt", "exe", "pdf", "html", "htm", "php", "jsx",
                      "tsx", "json", "xml", "yml", "yaml", "cpp", "java", "vue", "net.js"})


def is_domain(value: str) -> bool:
    """An ASCII host name: dot-separated letter-digit-hyphen labels (``a.test``)."""
    return _DOMAIN.match(value) is not None


def is_local_part(value: str) -> bool:
    """The part before the ``@``: dot-separated runs of ``A-Z a-z 0-9 _ + -``."""
    return _LOCAL.match(value) is not None


def is_address(value: str) -> bool:
    """``local@domain`` with a dot-atom local part of ``A-Z a-z 0-9 _ + -`` and dots."""
    local, at, domain = value.rpartition("@")
    return bool(at) and _LOCAL.match(local) is not None and is_domain(domain)


def sender_address(sender: str) -> str:
    """The address of a ``From`` value when it follows the grammar, else ``""``."""
    _name, address = parseaddr(sender[:2000])
    return address if is_address(address) else ""


@dataclass(frozen=True, slots=True)
class SenderView:
    """How to show a sender: ``text`` (not yet sanitised) and why it is flagged."""

    name: str
    address: str  # "" when the header has no address that follows the grammar
    text: str
    warning: str = ""  # non-empty: show a flag and say this

    @property
    def flagged(self) -> bool:
        return bool(self.warning)


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _same_site(named: str, actual: str) -> bool:
    named, actual = named.lower().rstrip("."), actual.lower()
    return actual == named or actual.endswith("." + named) or named.endswith("." + actual)


@lru_cache(maxsize=4096)  # one sender writes many mails; an inbox row is built per mail
def sender_view(sender: str) -> SenderView:
    """The display name alone when it is harmless; ``name <address>`` with a
    warning when the name carries an ``@``, names another domain, or the
    header has no valid address at all."""
    plain = _PLAIN_SENDER.fullmatch(sender)
    if plain is not None and is_address(plain.group(2)):
        # The common shape, ``Name <address>`` with a name that names no host: no need to parse.
        return SenderView(plain.group(1), plain.group(2), plain.group(1))
    name, address = parseaddr(sender[:2000])
    name = name.strip().strip('"').strip()
    if not is_address(address):
        shown = name or sender.strip()
        return SenderView(name, "", shown, "no valid sender address")
    if not name:
        return SenderView("", address, address)
    domain = _domain_of(address)
    if "@" in name or "\uff20" in name or "\ufe6b" in name:
        return SenderView(name, address, f"{name} <{address}>", f"the name is an address; the sender is {address}")
    for named in _NAMED_HOST.findall(name):
        if named.rpartition(".")[2].lower() not in _NOT_TLD and not _same_site(named, domain):
            return SenderView(name, address, f"{name} <{address}>", f"the name says {named}; the sender is {address}")
    return SenderView(name, address, name)


def sender_line(sender: str, max_len: int = 80, *, full: bool = False, narrow: bool = False) -> str:
    """One sanitised line for a ``From`` value, at most ``max_len`` cells; the
    address is never the part that is cut.

    Normally the display name alone (``full``: ``name <address>``). A flagged
    sender always shows ``! name <address>``, or ``! address (name)`` when
    ``narrow`` (a column that would cut the end: the address comes first).
    """
    view = sender_view(sender)
    if not view.flagged and not full:
        return sanitize_line(view.text, max_len)
    flag = "! " if view.flagged else ""
    if not view.address:
        return sanitize_line(flag + view.text, max_len)
    if narrow and view.flagged:
        room = max_len - cell_width(flag + view.address) - 3
        name = sanitize_line(view.name, room) if view.name and room > 1 else ""
        return sanitize_line(flag + view.address + (f" ({name})" if name else ""), max(max_len, 1))
    room = max_len - cell_width(flag + view.address) - 3
    name = sanitize_line(view.name, room) if view.name and room > 1 else ""
    return sanitize_line(f"{flag}{name} <{view.address}>" if name else flag + view.address, max(max_len, 1))
