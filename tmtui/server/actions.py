"""The eight /ajax.php actions. Each takes (core, params, client ip) and returns a Response.

Readings of the contract's open points (NOTES.md asks the server to pick one):

- Takeover (``force_takeover=1|true`` on set_email_user and open_email_address),
  config ``takeover="steal"`` (default): the caller's session gets the mailbox
  and keeps its own sid_token; the previous owner's session ends (session_lost
  on its streams, 401 on its next call). With ``takeover="share"`` the caller is
  handed the owner's session (same sid_token, the owner keeps working), the
  literal reading of "returns the session that already owns that mailbox".
  In both modes set_email_user moves the caller off its old address, whose
  stream gets session_lost.
- ``email_user`` is trimmed and lower-cased, then must match ``[a-z0-9._-]{3,32}``
  (400 otherwise). ``email_domain`` not served (or empty) -> the default domain;
  absent on set_email_user -> the session's current domain.
- ``offset``: anything that is not an integer counts as 0; integers are clamped
  to 0..1,000,000. Never an error.
- Mail ids are strict about folders: "123" is an INBOX mail, "Junk:123" a Junk one.
- get_email_address with a still-valid sid_token restores that session without
  renewing it (the contract names only get_email_list and del_email as renewing);
  an invalid or expired one is ignored and a new session is created.
- open_email_address never moves an existing session: with the sid_token of a
  live session on the same mailbox it resumes it, otherwise it creates a session.
- sid_token is read from the body only; one sent in the query string is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from starlette.responses import JSONResponse, Response

from tmtui.server.core import ServerCore, mail_id, ms, parse_mail_id
from tmtui.server.errors import (
    ADDRESS_IN_USE,
    ATTACHMENT_TOO_LARGE,
    EMAIL_NOT_FOUND,
    MAILBOX_NOT_FOUND,
    ApiError,
)
from tmtui.server.names import LOCAL_PART
from tmtui.server.params import Params
from tmtui.server.storage import Mailbox, MessageRow, Session

MAX_OFFSET = 1_000_000
MAX_DELETE_IDS = 100
_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
_UNSAFE_FILENAME = re.compile(r'[^\x20-\x7e]|["\\]')

Action = Callable[[ServerCore, Params, str], Awaitable[Response]]


# -- shared pieces ----------------------------------------------------------------
def ttl_number(minutes: float) -> int | float:
    return int(minutes) if float(minutes).is_integer() else minutes


def session_meta(core: ServerCore, session: Session) -> dict[str, Any]:
    return {
        "session_started_at": ms(session.started_at),
        "session_expires_at": ms(session.expires_at),
        "session_ttl_minutes": ttl_number(core.config.ttl_minutes),
        "mailbox_event_token": session.event_token,
    }


def session_headers(core: ServerCore, session: Session) -> dict[str, str]:
    meta = session_meta(core, session)
    return {
        "X-Session-Started-At": str(meta["session_started_at"]),
        "X-Session-Expires-At": str(meta["session_expires_at"]),
        "X-Session-Ttl-Minutes": str(meta["session_ttl_minutes"]),
        "X-Mailbox-Event-Token": session.event_token,
        "Cache-Control": "no-store",
    }


@contextmanager
def session_errors(core: ServerCore, session: Session) -> Iterator[None]:
    """Errors after authentication (404, 413, 400) still carry the session headers."""
    try:
        yield
    except ApiError as exc:
        exc.headers = {**session_headers(core, session), **exc.headers}
        raise


def reply(core: ServerCore, body: dict[str, Any], session: Session | None = None) -> JSONResponse:
    headers = session_headers(core, session) if session is not None else None
    return JSONResponse(body, headers=headers)


def address_reply(core: ServerCore, mailbox: Mailbox, session: Session) -> JSONResponse:
    body = {
        "email_addr": mailbox.address,
        "email_user": mailbox.local,
        "email_domain": mailbox.domain,
        "sid_token": session.sid,
        "alias": 0,
        **session_meta(core, session),
        **core.catalog(),
    }
    return reply(core, body, session)


def pick_domain(core: ServerCore, value: str | None, fallback: str) -> str:
    if value is None:
        return fallback
    domain = value.strip().lower()
    return domain if domain in core.domains else core.default_domain


def parse_offset(value: str | None) -> int:
    if value is None or not _INTEGER.match(value):
        return 0
    text = value.strip()
    if text.startswith("-"):
        return 0
    digits = text.lstrip("+").lstrip("0") or "0"
    # Compare lengths before int(): a megabyte of digits must not cost a bignum parse.
    return MAX_OFFSET if len(digits) > 7 else min(int(digits), MAX_OFFSET)


def required(params: Params, name: str) -> str:
    value = params.get(name)
    if value is None or not value.strip():
        raise ApiError(400, f"Missing {name}")
    return value.strip()


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback without quotes or controls, plus filename* in UTF-8."""
    fallback = _UNSAFE_FILENAME.sub("_", name) or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _find_message(core: ServerCore, mailbox: Mailbox, params: Params) -> tuple[MessageRow, str, int]:
    parsed = parse_mail_id(required(params, "email_id"))
    found = None if parsed is None else core.storage.message(mailbox.id, *parsed)
    if found is None:
        raise ApiError(404, EMAIL_NOT_FOUND)
    return found


# -- the actions -----------------------------------------------------------------
async def get_domains(core: ServerCore, params: Params, ip: str) -> Response:
    return reply(core, core.catalog())


async def get_email_address(core: ServerCore, params: Params, ip: str) -> Response:
    restored = core.sessions.live(params.get("sid_token"))
    if restored is not None:
        mailbox = core.storage.mailbox_by_id(restored.mailbox_id)
        if mailbox is not None:
            return address_reply(core, mailbox, restored)
    core.check_creation_rate(ip)
    async with core.mutations:
        mailbox = await core.random_mailbox(pick_domain(core, params.get("email_domain"), core.default_domain))
        return address_reply(core, mailbox, await core.sessions.create(mailbox, ip, params.get("lang")))


async def set_email_user(core: ServerCore, params: Params, ip: str) -> Response:
    async with core.mutations:
        return await _set_email_user(core, params)


async def _set_email_user(core: ServerCore, params: Params) -> Response:
    session, current = core.sessions.authenticate(params.get("sid_token"))
    user = required(params, "email_user").lower()
    if not LOCAL_PART.match(user):
        raise ApiError(400, "Invalid email_user: use 3-32 characters of a-z, 0-9, dot, underscore or hyphen")
    domain = pick_domain(core, params.get("email_domain"), current.domain)
    if f"{user}@{domain}" == current.address:
        return address_reply(core, current, session)
    target = core.storage.mailbox_by_address(f"{user}@{domain}")
    if target is None:
        target = await core.create_mailbox(user, domain)
        return address_reply(core, target, await core.sessions.move(session, target))
    owner = core.sessions.owner(target.id)
    if owner is None:
        return address_reply(core, target, await core.sessions.move(session, target))
    if not params.flag("force_takeover"):
        raise ApiError(409, ADDRESS_IN_USE)
    if core.config.takeover == "share":
        await core.sessions.end(session)
        return address_reply(core, target, owner)
    await core.sessions.end(owner)
    return address_reply(core, target, await core.sessions.move(session, target))


async def open_email_address(core: ServerCore, params: Params, ip: str) -> Response:
    address = required(params, "email_addr").lower()
    local, at, domain = address.partition("@")
    if not at or not local or not domain or "@" in domain or len(address) > 320:
        raise ApiError(400, "Invalid email_addr")
    async with core.mutations:
        return await _open_email_address(core, params, ip, address)


async def _open_email_address(core: ServerCore, params: Params, ip: str, address: str) -> Response:
    mailbox = core.served_mailbox(address)
    if mailbox is None:
        raise ApiError(404, MAILBOX_NOT_FOUND, code="MAILBOX_NOT_FOUND")
    caller = core.sessions.live(params.get("sid_token"))
    if caller is not None and caller.mailbox_id == mailbox.id:
        return address_reply(core, mailbox, caller)
    owner = core.sessions.owner(mailbox.id)
    if owner is not None:
        if not params.flag("force_takeover"):
            raise ApiError(409, ADDRESS_IN_USE)
        if core.config.takeover == "share":
            return address_reply(core, mailbox, owner)
    core.check_creation_rate(ip)  # before ending the owner: a 429 must change nothing
    if owner is not None:
        await core.sessions.end(owner)
    return address_reply(core, mailbox, await core.sessions.create(mailbox, ip, params.get("lang")))


async def get_email_list(core: ServerCore, params: Params, ip: str) -> Response:
    session, mailbox = core.sessions.authenticate(params.get("sid_token"))
    offset = parse_offset(params.get("offset"))
    session = await core.sessions.renew(session)
    rows = core.storage.list_messages(mailbox.id, offset, core.config.effective_page_size)
    items = [
        {
            "mail_id": mail_id(row.folder, row.id),
            "mail_from": row.mail_from,
            "mail_subject": row.subject,
            "mail_excerpt": row.excerpt,
            "mail_timestamp": str(row.received_at),
            "mail_read": row.read,
            "attached": row.attached,
        }
        for row in rows
    ]
    body = {"list": items, "count": len(items), **session_meta(core, session), **core.catalog()}
    return reply(core, body, session)


async def fetch_email(core: ServerCore, params: Params, ip: str) -> Response:
    session, mailbox = core.sessions.authenticate(params.get("sid_token"))
    with session_errors(core, session):
        row, body_html, content_id = _find_message(core, mailbox, params)
    if not row.read:
        await core.db.write(lambda s: s.mark_read(row.id))
    body = {
        "mail_id": mail_id(row.folder, row.id),
        "mail_from": row.mail_from,
        "mail_subject": row.subject,
        "mail_body": body_html,
        "mail_timestamp": str(row.received_at),
        "mail_attachments": [
            {"name": a.name, "size": a.size, "type": a.type} for a in core.storage.attachments_of(content_id)
        ],
    }
    return reply(core, body, session)


async def fetch_attachment(core: ServerCore, params: Params, ip: str) -> Response:
    session, mailbox = core.sessions.authenticate(params.get("sid_token"))
    with session_errors(core, session):
        _, _, content_id = _find_message(core, mailbox, params)
        name = required(params, "file_name")
        info = next((a for a in core.storage.attachments_of(content_id) if a.name == name), None)
        if info is None:
            raise ApiError(404, "Attachment not found")
        if info.size > core.config.max_attachment_bytes:
            raise ApiError(413, ATTACHMENT_TOO_LARGE)
    headers = {**session_headers(core, session), "Content-Disposition": content_disposition(info.name)}
    return Response(core.storage.attachment_data(content_id, info.name), media_type="application/octet-stream",
                    headers=headers)


async def del_email(core: ServerCore, params: Params, ip: str) -> Response:
    session, mailbox = core.sessions.authenticate(params.get("sid_token"))
    raw_ids = params.getlist("email_ids[]", "email_ids", "email_id")
    if len(raw_ids) > MAX_DELETE_IDS:
        with session_errors(core, session):
            raise ApiError(400, f"Too many email ids (max {MAX_DELETE_IDS} per request)")
    session = await core.sessions.renew(session)
    ids = sorted({parsed for parsed in map(parse_mail_id, raw_ids) if parsed is not None})
    deleted = await core.db.write(lambda s: s.delete_messages(mailbox.id, ids)) if ids else {}
    for folder, n in deleted.items():
        core.publish_changed(mailbox, "deleted", folder, -n)
    return reply(core, {"deleted": sum(deleted.values())}, session)


# name -> (handler, methods it answers); mailbox actions are POST only (GET gets 405).
ACTIONS: dict[str, tuple[Action, frozenset[str]]] = {
    "get_domains": (get_domains, frozenset({"GET", "HEAD", "POST"})),
    "get_email_address": (get_email_address, frozenset({"POST"})),
    "set_email_user": (set_email_user, frozenset({"POST"})),
    "open_email_address": (open_email_address, frozenset({"POST"})),
    "get_email_list": (get_email_list, frozenset({"POST"})),
    "fetch_email": (fetch_email, frozenset({"POST"})),
    "fetch_attachment": (fetch_attachment, frozenset({"POST"})),
    "del_email": (del_email, frozenset({"POST"})),
}
