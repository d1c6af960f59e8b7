"""Server hardening the other server tests do not cover yet (issue 5): SQL is
parameterised, attachments are served from storage by id and name (never a
path built from input), a megabyte of RFC 2047 header stays cheap to parse,
and the stream limit holds under 200 concurrent connects from one client.

Already elsewhere: the JSON-4xx fuzz (test_server_fuzz.py), SMTP size and
line-length limits (test_server_smtp.py::test_message_size_and_line_limits).
"""

from __future__ import annotations

import ast
import asyncio
import base64
import tracemalloc
from pathlib import Path

import httpx
import pytest

import tmtui.server.storage as storage_module
from tests.support.mail import build_mail, deliver
from tests.support.scaling import assert_linear
from tests.support.wire import call, new_session, take_address
from tmtui.server.mailparse import parse_message

SQLISH = [
    "' OR '1'='1", "x'; DROP TABLE messages; --", "1 OR 1=1", "1; DELETE FROM sessions",
    "\" OR \"\"=\"", "%' --", "' UNION SELECT sid, event_token FROM sessions --", "\\'; --",
    "Robert'); DROP TABLE mailboxes;--",
]


async def _mailbox_with_mail(server, client: httpx.AsyncClient, user: str) -> tuple[dict, str]:
    session = await take_address(client, user)
    address = session["email_addr"]
    await deliver(server.smtp_port, address, build_mail(
        address, subject="'; DROP TABLE messages; --", sender="\"' OR 1=1 --\" <x@example.org>",
        attachments=[("report'); DROP TABLE attachments;--.pdf", b"%PDF data", "application/pdf")]))
    listed = (await call(client, "get_email_list", sid_token=session["sid_token"])).json()
    return session, listed["list"][0]["mail_id"]


@pytest.mark.parametrize("value", SQLISH)
async def test_sql_like_input_in_every_field_is_data(server, server_client: httpx.AsyncClient,
                                                     value: str) -> None:
    session, mail_id = await _mailbox_with_mail(server, server_client, "sqlvictim")
    sid = session["sid_token"]
    answers = [
        await call(server_client, "get_email_list", sid_token=value),
        await call(server_client, "get_email_list", sid_token=sid, offset=value),
        await call(server_client, "fetch_email", sid_token=sid, email_id=value),
        await call(server_client, "fetch_attachment", sid_token=sid, email_id=mail_id, file_name=value),
        await call(server_client, "del_email", sid_token=sid, email_id=value),
        await call(server_client, "del_email", sid_token=sid, **{"email_ids[]": [value, mail_id + value]}),
        await call(server_client, "open_email_address", email_addr=f"{value}@a.test"),
        await call(server_client, "open_email_address", email_addr=value),
        await call(server_client, "set_email_user", sid_token=sid, email_user=value),
        await call(server_client, "get_email_address", email_domain=value, lang=value),
        await server_client.get("/events/mailbox", params={"token": value}),
    ]
    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert answer.headers["content-type"].startswith("application/json")
    # Nothing was touched: the mail, its sender, subject and attachment are as stored.
    listed = (await call(server_client, "get_email_list", sid_token=sid)).json()
    assert [m["mail_id"] for m in listed["list"]] == [mail_id]
    fetched = (await call(server_client, "fetch_email", sid_token=sid, email_id=mail_id)).json()
    assert fetched["mail_subject"] == "'; DROP TABLE messages; --"
    assert "' OR 1=1 --" in fetched["mail_from"]
    name = fetched["mail_attachments"][0]["name"]
    data = await call(server_client, "fetch_attachment", sid_token=sid, email_id=mail_id, file_name=name)
    assert data.status_code == 200 and data.content == b"%PDF data"


def test_sql_text_is_never_built_from_values() -> None:
    """Every execute() in storage.py: a literal, or an f-string of UPPER_CASE module
    constants (column lists); values always go in the parameters."""
    tree = ast.parse(Path(storage_module.__file__).read_text())
    constants = {t.id for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)}
    checked = 0
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "executemany", "executescript") and node.args):
            continue
        sql = node.args[0]
        checked += 1
        if isinstance(sql, ast.Constant) and isinstance(sql.value, str):
            continue
        if isinstance(sql, ast.JoinedStr):
            for part in sql.values:
                if isinstance(part, ast.FormattedValue):
                    assert isinstance(part.value, ast.Name) and part.value.id in constants \
                        and part.value.id.lstrip("_").isupper(), ast.unparse(sql)
            continue
        if isinstance(sql, ast.Name):  # a helper's parameter or a module constant (SCHEMA)
            continue
        raise AssertionError(f"SQL built at run time: {ast.unparse(sql)}")
    assert checked >= 15


@pytest.mark.parametrize("name", [
    "../../../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "%2e%2e%2fsecret.txt",
    "secret.txt", "../secret.txt", "mail.db", "../mail.db", "x\x00.pdf", ".", "..", "",
])
async def test_attachments_come_from_storage_by_id_and_name_never_a_path(
        server, server_config, server_client: httpx.AsyncClient, name: str) -> None:
    data_dir = Path(server_config.data_dir)
    (data_dir / "secret.txt").write_bytes(b"TOP SECRET")
    session, mail_id = await _mailbox_with_mail(server, server_client, "pathvictim")
    answer = await call(server_client, "fetch_attachment", sid_token=session["sid_token"],
                        email_id=mail_id, file_name=name)
    assert answer.status_code in (400, 404), answer.text
    assert b"TOP SECRET" not in answer.content and b"SQLite" not in answer.content
    assert answer.headers["content-type"].startswith("application/json")


async def test_an_attachment_of_another_mailbox_is_not_found(server, server_client) -> None:
    victim, victim_mail = await _mailbox_with_mail(server, server_client, "owner")
    thief = await new_session(server_client)
    fetched = (await call(server_client, "fetch_email", sid_token=victim["sid_token"],
                          email_id=victim_mail)).json()
    name = fetched["mail_attachments"][0]["name"]
    answer = await call(server_client, "fetch_attachment", sid_token=thief["sid_token"],
                        email_id=victim_mail, file_name=name)
    assert answer.status_code == 404 and b"%PDF" not in answer.content


async def test_attachment_names_never_become_files_on_disk(server, server_config, server_client) -> None:
    await _mailbox_with_mail(server, server_client, "nodisk")
    names = {p.name for p in Path(server_config.data_dir).rglob("*")}
    assert not [n for n in names if "DROP" in n or n.endswith(".pdf")], names


def _encoded_subject(size: int) -> bytes:
    data = ("\u202e\u6f22" * (size // 6)).encode()
    chunks = [data[i:i + 45] for i in range(0, len(data), 45)]
    words = "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c).decode()}?=" for c in chunks)
    return b"From: x@example.org\r\nSubject: " + words.encode() + b"\r\n\r\nbody\r\n"


def test_a_long_rfc2047_header_parses_in_bounded_time_and_memory() -> None:
    """policy.default's header parser needs 650 MB for a 320 KB Subject of encoded
    words (2.5 GB for 640 KB; a 1 MB one got the server killed)."""
    raw = _encoded_subject(320_000)
    tracemalloc.start()
    try:
        mail = parse_message(raw)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(mail.subject) > 100_000 and mail.subject.startswith("\u202e\u6f22")
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert_linear(_encoded_subject, 320_000, parse_message)  # time as growth, not seconds


async def test_a_megabyte_subject_over_smtp_is_stored_whole(server, server_client) -> None:
    session = await take_address(server_client, "bigsubject")
    raw = _encoded_subject(1_000_000)
    await deliver(server.smtp_port, session["email_addr"], raw)
    listed = (await call(server_client, "get_email_list", sid_token=session["sid_token"])).json()
    assert len(listed["list"][0]["mail_subject"]) > 300_000


async def _connect(port: int, path: str) -> tuple[int, bytes, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    status = int(head.split(b" ", 2)[1])
    return status, head, writer


async def test_stream_limit_holds_under_200_concurrent_connects_from_one_client(start_server) -> None:
    srv = await start_server(sse_per_ip=10, sse_per_session=50)  # the per-IP limit, not the per-session one
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        token = (await new_session(client))["mailbox_event_token"]
        path = f"/events/mailbox?token={token}"
        results = await asyncio.gather(*(_connect(srv.http_port, path) for _ in range(200)))
        try:
            statuses = sorted(status for status, _, _ in results)
            assert statuses.count(200) == 10 and statuses.count(429) == 190, statuses
            assert all(b"retry-after" in head.lower() for status, head, _ in results if status == 429)
            assert srv.control.stream_count() == 10
            # The server still answers everything else.
            assert (await call(client, "get_domains")).status_code == 200
        finally:
            for _, _, writer in results:
                writer.close()
        await srv.control.wait_streams(0, timeout=5)
        status, _, writer = await _connect(srv.http_port, path)  # the slots came back
        writer.close()
        assert status == 200
