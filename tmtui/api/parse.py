"""JSON bodies into typed models: tolerant of representation, strict about shape.

Tolerant: numbers may arrive as strings ("1710000000" or 1710000000), flags as
0/1/"0"/"1"/true/false, ids as numbers; optional fields may be missing or null
and get defaults; timestamps become timezone-aware UTC datetimes (session times
are milliseconds, mail times seconds; a value clearly in the other unit is
converted rather than producing a date thousands of years away).

Strict: a body that is not JSON, not an object, a required field that is
missing, or a field of a type that cannot mean what the contract says raises
:class:`ProtocolError` with a one-line message naming the action and the field,
never the value (values may be tokens). Nothing else escapes these functions.

Addresses and domains the server issues (``email_addr``, ``email_user``,
``email_domain``, the domain catalog) must follow the address grammar of
:mod:`tmtui.safety.addresses`: they are shown, copied and pasted into shells,
and a hostile server (or a man in the middle of an ``http://`` base URL) could
otherwise hide control sequences in them. A mail's ``mail_from`` is the
sender's text, not the server's: it is never refused (a stranger must not be
able to make a mailbox unreadable) but shown through the sanitiser and
:func:`tmtui.safety.sender_view`.

One module over the usual size on purpose: one parser per action of the
contract, all on the same few coercions, so the tolerance rules stay in one
place a reader can check against the contract.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tmtui.api.errors import ProtocolError
from tmtui.api.models import (
    Attachment,
    DomainCatalog,
    Health,
    Message,
    MessagePage,
    MessageSummary,
    Session,
    SessionMeta,
)
from tmtui.api.secret import Secret
from tmtui.safety.addresses import is_address, is_domain, is_local_part

# 1e11 seconds is the year 5138; 1e11 milliseconds is March 1973. A value on the
# wrong side of that line was sent in the other unit.
_UNIT_SPLIT = 100_000_000_000

_MISSING = object()


# --- time -------------------------------------------------------------------

def _to_datetime(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def from_millis(value: float) -> datetime | None:
    """A session timestamp (ms) as UTC, or None when it is out of range."""
    if value < 0:
        return None
    return _to_datetime(value / 1000 if value >= _UNIT_SPLIT else value)


def from_seconds(value: float) -> datetime | None:
    """A mail timestamp (s) as UTC, or None when it is out of range."""
    if value < 0:
        return None
    return _to_datetime(value / 1000 if value >= _UNIT_SPLIT else value)


# --- body -------------------------------------------------------------------

def decode_json(body: bytes, content_type: str, what: str) -> dict[str, Any]:
    """The JSON object in ``body``, or ProtocolError explaining in one line why not."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        raise ProtocolError(f"{what}: the server sent an empty body instead of JSON")
    if text.startswith("<") or "html" in content_type.lower():
        raise ProtocolError(f"{what}: the server sent an HTML page instead of JSON")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError(f"{what}: the server sent a body that is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{what}: expected a JSON object, got {_kind(data)}")
    return data


def _kind(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean",
            type(None): "null", int: "number", float: "number"}.get(type(value), "value")


def _bad(what: str, key: str, problem: str) -> ProtocolError:
    return ProtocolError(f"{what}: field {key!r} {problem}")


def _get(obj: Mapping[str, Any], key: str) -> Any:
    value = obj.get(key, _MISSING)
    return _MISSING if value is None else value  # null means "not sent"


# --- fields -----------------------------------------------------------------

def _number(value: Any, what: str, key: str) -> float:
    if isinstance(value, bool):
        raise _bad(what, key, "should be a number, got boolean")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _bad(what, key, "should be a number, got a non-numeric string") from None
    else:
        raise _bad(what, key, f"should be a number, got {_kind(value)}")
    if not math.isfinite(number):
        raise _bad(what, key, "should be a finite number")
    return number


def opt_int(obj: Mapping[str, Any], key: str, what: str, default: int | None = None) -> int | None:
    value = _get(obj, key)
    if value is _MISSING or value == "":
        return default
    number = _number(value, what, key)
    if number != int(number):
        raise _bad(what, key, "should be a whole number")
    return int(number)


def opt_float(obj: Mapping[str, Any], key: str, what: str) -> float | None:
    value = _get(obj, key)
    if value is _MISSING or value == "":
        return None
    return _number(value, what, key)


def req_int(obj: Mapping[str, Any], key: str, what: str) -> int:
    value = opt_int(obj, key, what)
    if value is None:
        raise _bad(what, key, "is missing")
    return value


def opt_str(obj: Mapping[str, Any], key: str, what: str, default: str = "") -> str:
    value = _get(obj, key)
    if value is _MISSING:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # ids such as 123 sent as numbers
    raise _bad(what, key, f"should be a string, got {_kind(value)}")


def req_str(obj: Mapping[str, Any], key: str, what: str) -> str:
    value = opt_str(obj, key, what)
    if not value:
        raise _bad(what, key, "is missing")
    return value


def _present_str(obj: Mapping[str, Any], key: str, what: str) -> str:
    """A string that must be sent but may be empty."""
    if _get(obj, key) is _MISSING:
        raise _bad(what, key, "is missing")
    return opt_str(obj, key, what)


def opt_bool(obj: Mapping[str, Any], key: str, what: str, default: bool = False) -> bool:
    value = _get(obj, key)
    if value is _MISSING or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "yes"}:
            return True
        if lowered in {"0", "false", "no"}:
            return False
    raise _bad(what, key, f"should be 0 or 1, got {_kind(value)}")


def _time(obj: Mapping[str, Any], key: str, what: str, *, millis: bool) -> datetime | None:
    value = _get(obj, key)
    if value is _MISSING or value == "":
        return None
    number = _number(value, what, key)
    stamp = from_millis(number) if millis else from_seconds(number)
    if stamp is None:
        raise _bad(what, key, "is not a valid timestamp")
    return stamp


def str_list(obj: Mapping[str, Any], key: str, what: str, *, required: bool = False) -> tuple[str, ...]:
    value = _get(obj, key)
    if value is _MISSING:
        if required:
            raise _bad(what, key, "is missing")
        return ()
    if not isinstance(value, list):
        raise _bad(what, key, f"should be a list, got {_kind(value)}")
    if not all(isinstance(item, str) for item in value):
        raise _bad(what, key, "should be a list of strings")
    return tuple(value)


def _objects(obj: Mapping[str, Any], key: str, what: str, *, required: bool) -> list[Mapping[str, Any]]:
    value = _get(obj, key)
    if value is _MISSING:
        if required:
            raise _bad(what, key, "is missing")
        return []
    if not isinstance(value, list):
        raise _bad(what, key, f"should be a list, got {_kind(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _bad(what, f"{key}[{index}]", f"should be an object, got {_kind(item)}")
    return value


# --- models -----------------------------------------------------------------

def _domains(obj: Mapping[str, Any], key: str, what: str) -> tuple[str, ...]:
    domains = tuple(d.strip() for d in str_list(obj, key, what, required=True))
    if not all(is_domain(d) for d in domains):
        raise _bad(what, key, "holds a value that is not a domain name")
    return domains


def _domain(obj: Mapping[str, Any], key: str, what: str) -> str:
    """An optional domain field ("" when absent)."""
    value = opt_str(obj, key, what).strip()
    if value and not is_domain(value):
        raise _bad(what, key, "is not a domain name")
    return value


def parse_catalog(obj: Mapping[str, Any], what: str) -> DomainCatalog:
    domains = _domains(obj, "domains", what)
    default = _domain(obj, "defaultDomain", what) or _domain(obj, "default_domain", what)
    return DomainCatalog(
        domains=domains,
        default_domain=default or (domains[0] if domains else ""),
        updated_at=_time(obj, "domains_updated_at", what, millis=True),
    )


def parse_optional_catalog(obj: Mapping[str, Any], what: str) -> DomainCatalog | None:
    """The catalog that session and list bodies may carry, or None when absent."""
    return None if _get(obj, "domains") is _MISSING else parse_catalog(obj, what)


def parse_meta(obj: Mapping[str, Any], what: str) -> SessionMeta | None:
    """Session meta from a JSON body, or None when the body carries none of it."""
    token = opt_str(obj, "mailbox_event_token", what).strip()
    meta = SessionMeta(
        started_at=_time(obj, "session_started_at", what, millis=True),
        expires_at=_time(obj, "session_expires_at", what, millis=True),
        # A number, not always whole: a server may run sub-minute sessions.
        ttl_minutes=opt_float(obj, "session_ttl_minutes", what),
        event_token=Secret(token) if token else None,
    )
    empty = (meta.started_at is None and meta.expires_at is None
             and meta.ttl_minutes is None and meta.event_token is None)
    return None if empty else meta


def parse_session(obj: Mapping[str, Any], what: str, *, meta: SessionMeta | None,
                  fallback_sid: Secret | None = None) -> Session:
    """A session body; ``fallback_sid`` covers set_email_user, whose token is "unchanged"."""
    address = req_str(obj, "email_addr", what).strip()
    if not is_address(address):
        raise _bad(what, "email_addr", "is not a valid local@domain address")
    local, _, host = address.rpartition("@")
    user = opt_str(obj, "email_user", what).strip()
    if user and not is_local_part(user):
        raise _bad(what, "email_user", "is not a valid mailbox name")
    sid = opt_str(obj, "sid_token", what).strip()
    if not sid and fallback_sid is None:
        raise _bad(what, "sid_token", "is missing")
    return Session(
        address=address,
        user=user or local,
        domain=_domain(obj, "email_domain", what) or host,
        sid_token=Secret(sid) if sid else fallback_sid,  # type: ignore[arg-type]
        meta=meta or SessionMeta(None, None, None, None),
        catalog=parse_optional_catalog(obj, what),
    )


def parse_summary(obj: Mapping[str, Any], what: str) -> MessageSummary:
    stamp = _time(obj, "mail_timestamp", what, millis=False)
    if stamp is None:
        raise _bad(what, "mail_timestamp", "is missing")
    return MessageSummary(
        id=req_str(obj, "mail_id", what),
        sender=opt_str(obj, "mail_from", what),
        subject=opt_str(obj, "mail_subject", what),
        excerpt=opt_str(obj, "mail_excerpt", what),
        timestamp=stamp,
        read=opt_bool(obj, "mail_read", what),
        has_attachment=opt_bool(obj, "attached", what),
    )


def parse_page(obj: Mapping[str, Any], what: str, *, meta: SessionMeta | None) -> MessagePage:
    items = _objects(obj, "list", what, required=True)
    messages = tuple(parse_summary(item, f"{what} list[{i}]") for i, item in enumerate(items))
    return MessagePage(
        messages=messages,
        count=opt_int(obj, "count", what, default=len(messages)),  # type: ignore[arg-type]
        meta=meta,
        catalog=parse_optional_catalog(obj, what),
    )


def parse_message(obj: Mapping[str, Any], what: str) -> Message:
    stamp = _time(obj, "mail_timestamp", what, millis=False)
    if stamp is None:
        raise _bad(what, "mail_timestamp", "is missing")
    attachments = tuple(
        Attachment(
            # An empty name is still an attachment (a hostile or careless sender's);
            # the mail must stay readable, and saving falls back to "attachment".
            name=_present_str(item, "name", f"{what} mail_attachments[{i}]"),
            size=req_int(item, "size", f"{what} mail_attachments[{i}]"),
            type=opt_str(item, "type", f"{what} mail_attachments[{i}]") or "application/octet-stream",
        )
        for i, item in enumerate(_objects(obj, "mail_attachments", what, required=False))
    )
    return Message(
        id=req_str(obj, "mail_id", what),
        sender=opt_str(obj, "mail_from", what),
        subject=opt_str(obj, "mail_subject", what),
        html=opt_str(obj, "mail_body", what),
        timestamp=stamp,
        attachments=attachments,
    )


def parse_deleted(obj: Mapping[str, Any], what: str) -> int:
    return req_int(obj, "deleted", what)


def parse_health(obj: Mapping[str, Any], what: str) -> Health:
    """``ok`` from an ``ok`` flag or a ``status`` word; a 2xx without either is healthy."""
    if _get(obj, "ok") is not _MISSING:
        ok = opt_bool(obj, "ok", what)
    elif isinstance(obj.get("status"), str):
        ok = obj["status"].strip().lower() in {"ok", "healthy", "up", "pass", "ready"}
    else:
        ok = True
    return Health(ok=ok, data=dict(obj))
