"""Links as a person should see them before opening one: host first, flagged
when they hide where they go, copied so that a shell cannot act on them.

A URL can put its real destination where nobody reads it:
``https://accounts.google.com.signin…(256 hex)…@evil.test/verify`` goes to
``evil.test`` but is cut before the ``@`` in any narrow box. So every link is
shown **host first** (``evil.test  https://…``), the host is never cut, and a
link is flagged (``!``) when it

* carries user information before the host (``user@``),
* goes to an IP address (``http://192.168.0.1``, ``http://0x7f.1``, ``[::1]``),
* names a port that is not its scheme's default,
* goes elsewhere than the text it was written under says
  (``<a href=https://evil.test>https://bank.example</a>``),
* has a host mixing scripts (``\\u0430pple.com``: a Cyrillic ``a``), or one that
  is not a valid host name at all.

An internationalised host is shown as the ASCII (punycode) name the browser
will look up, with the Unicode form beside it. Only ``http``, ``https`` and
``mailto`` are ever offered (:func:`tmtui.safety.safe_url`).

:func:`copy_url` is what goes on the clipboard: besides :func:`copy_safe`, it
percent-encodes every character a shell acts on (``$ ( ) ; ' " \\ ` | < > !``,
whitespace, and ``&`` unless it separates query parameters). Pasted after
``echo`` or ``curl``, such a URL is one inert word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from tmtui.safety.clipboard import copy_safe
from tmtui.safety.text import sanitize_line
from tmtui.safety.urls import safe_url
from tmtui.safety.width import cell_width

__all__ = ["LinkView", "copied_line", "copy_url", "inspect_link", "link_line"]

DEFAULT_PORTS = {"http": "80", "https": "443"}
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # IDNA label separators
_HOST_TEXT = re.compile(r"(?:https?://)?(?:[^\s/@]*@)?((?:[\w-]+\.)+[^\W\d_]{2,})\.?(?![\w-])")
_IPV4_LAST = re.compile(r"(?:0x[0-9a-f]*|\d+)", re.I)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# What a shell acts on (safe_url encodes most of it already; a host rewritten to its
# looked-up form must not bring any back).
_SHELL = re.compile(r"""[\s$();'"\\`|<>!{}^]|&(?![a-z0-9_]+=)"""
                    r"|&(?=(?:path|fpath|cdpath|manpath|mailpath|module_path|prompt|histchars|psvar|watch)=)")
_SCRIPT_GROUPS = {"HIRAGANA": "CJK", "KATAKANA": "CJK", "CJK": "CJK", "HANGUL": "CJK",
                  "KATAKANA-HIRAGANA": "CJK", "IDEOGRAPHIC": "CJK", "HALFWIDTH": "CJK"}


@dataclass(frozen=True, slots=True)
class LinkView:
    url: str  # display-safe (safe_url), exactly the target
    scheme: str
    host: str  # lower-case ASCII (punycode) host, or a mailto's domain
    unicode_host: str  # the Unicode form of an internationalised host, else ""
    flags: tuple[str, ...]  # why the link is suspicious, a few words each
    lookup_url: str = ""  # url with the host as the browser looks it up (punycode), if it differs

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    @property
    def copy(self) -> str:
        """What goes on the clipboard: the looked-up form, inert in a shell."""
        return copy_safe(_SHELL.sub(lambda m: quote(m.group()[0], safe=""), self.lookup_url or self.url))

    def head(self) -> str:
        """``! evil.test (user@, port 8443)``: never cut (the host is at most 253 cells)."""
        host = sanitize_line(self.host, 300)
        if self.unicode_host:
            host += f" ({sanitize_line(self.unicode_host, 300)})"
        flags = f" ({', '.join(self.flags)})" if self.flags else ""
        return f"{'! ' if self.flagged else ''}{host}{flags}"

    def line(self, max_len: int = 80, *, copied: bool = False) -> str:
        """Host first, then the URL cut to what room is left (at least 12 cells);
        ``copied``: the URL as it went on the clipboard (:attr:`copy`)."""
        head = self.head()
        return f"{head}  {sanitize_line(self.copy if copied else self.url, max(12, max_len - cell_width(head) - 2))}"


def _split_host(netloc: str) -> tuple[str, str, str]:
    """(userinfo, host, port) of an authority, the host percent-decoded."""
    userinfo, _, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        return userinfo, f"[{host.lower()}]", rest[1:] if rest.startswith(":") else rest
    host, _, port = hostport.partition(":")
    decoded = unquote(host)
    if not all(c.isprintable() and not c.isspace() for c in decoded):
        decoded = host  # an encoded control character: keep the escapes, flagged as no host name
    return userinfo, decoded.translate(_DOTS).lower().rstrip("."), port


def _ascii_host(host: str) -> tuple[str, str]:
    """(the punycode name, its Unicode form or "")."""
    if host.isascii():
        if "xn--" not in host:
            return host, ""
        try:
            return host, host.encode("ascii").decode("idna")
        except UnicodeError:
            return host, ""
    folded = unicodedata.normalize("NFKC", host).casefold()
    try:
        return folded.encode("idna").decode("ascii"), folded
    except UnicodeError:
        labels = (label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                  for label in folded.split("."))
        return ".".join(labels), folded


def _scripts(host: str) -> set[str]:
    scripts = set()
    for char in host:
        if char.isalpha():
            word = unicodedata.name(char, "UNKNOWN").split()[0]
            scripts.add(_SCRIPT_GROUPS.get(word, word))
    return scripts


def _is_ip(host: str) -> bool:
    return host.startswith("[") or _IPV4_LAST.fullmatch(host.rsplit(".", 1)[-1]) is not None


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _same_site(one: str, other: str) -> bool:
    one, other = _bare(one), _bare(other)
    return one == other or one.endswith("." + other) or other.endswith("." + one)


def _label_host(label: str) -> str:
    found = _HOST_TEXT.search(label.translate(_DOTS))
    return _ascii_host(found.group(1).lower())[0] if found else ""


def _flags(scheme: str, userinfo: str, host: str, port: str, unicode_host: str, label: str) -> list[str]:
    flags = []
    if userinfo:
        flags.append("user@")
    if _is_ip(host):
        flags.append("IP address")
    elif not all(_LABEL.fullmatch(part) for part in host.split(".")) or len(host) > 253:
        flags.append("not a host name")
    if port and port != DEFAULT_PORTS.get(scheme):
        flags.append(f"port {sanitize_line(port, 12)}")
    if any(len(_scripts(label)) > 1 for label in unicode_host.split(".")):
        flags.append("mixed scripts")  # within one label: a Cyrillic a (U+0430) among Latin letters
    named = _label_host(label)
    if named and host and not _same_site(named, host):
        flags.append(f"text says {named}")
    return flags


def inspect_link(url: str | None, label: str = "") -> LinkView | None:
    """How to show ``url`` (found under the visible text ``label``), or None if
    it is not an http, https or mailto link."""
    safe = safe_url(url)
    if safe is None:
        return None
    scheme = safe.partition(":")[0]
    if scheme == "mailto":
        address = unquote(safe[len("mailto:"):])
        host, unicode_host = _ascii_host(address.rpartition("@")[2].lower())
        if not host:  # "mailto:https://@@": no domain to write to, nothing to offer
            return None
        return LinkView(safe, scheme, host, unicode_host, ())
    try:
        netloc = urlsplit(safe).netloc
    except ValueError:  # a malformed IPv6 literal
        netloc = safe[len(scheme) + 3:].split("/", 1)[0]
    userinfo, raw_host, port = _split_host(netloc)
    host, unicode_host = (raw_host, "") if raw_host.startswith("[") else _ascii_host(raw_host)
    if not host:  # "https://\u3002": an ideographic full stop and nothing else, no host a browser could look up
        return None
    flags = _flags(scheme, userinfo, host, port, unicode_host, label)
    lookup = ""
    if "not a host name" not in flags and host != netloc.rpartition("@")[2].partition(":")[0]:
        # Copy what the browser will look up (punycode, plain dots), not the look-alike.
        netloc_ascii = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port else "")
        lookup = safe.replace(netloc, netloc_ascii, 1)
    if len(host) > 253:
        host = "…" + host[-120:]
    return LinkView(safe, scheme, host, unicode_host, tuple(flags), lookup)


def copy_url(url: str) -> str:
    """``url`` as it may go on the clipboard (:attr:`LinkView.copy`); "" if it is not offered."""
    view = inspect_link(url)
    return "" if view is None else view.copy


def link_line(url: str, label: str = "", max_len: int = 80) -> str:
    """One line for ``url``: host first (:meth:`LinkView.line`); "" if not offered."""
    view = inspect_link(url, label)
    return "" if view is None else view.line(max_len)


def copied_line(url: str, label: str = "", max_len: int = 80) -> str:
    """What a "Copied ..." notice shows: host first, then the URL exactly as copied."""
    view = inspect_link(url, label)
    return "" if view is None else view.line(max_len, copied=True)
