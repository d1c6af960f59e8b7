"""Storage (issue 13): a mail stored once per transaction, writes off the event loop, quotas,
the storage cap, and the migration of a version 1 database."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.mail import build_mail, deliver
from tests.support.wire import call, take_address
from tmtui.server.runner import DB_NAME, ReferenceServer

# The tables as tmtui wrote them before issue 13 (schema version 1: a full copy per recipient).
V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE mailboxes (id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT NOT NULL UNIQUE, local TEXT NOT NULL,
    domain TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE sessions (sid TEXT PRIMARY KEY, mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    event_token TEXT NOT NULL UNIQUE, started_at REAL NOT NULL, expires_at REAL NOT NULL, ip TEXT NOT NULL,
    lang TEXT NOT NULL);
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE, folder TEXT NOT NULL,
    received_at INTEGER NOT NULL, mail_from TEXT NOT NULL, subject TEXT NOT NULL, excerpt TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0, attached INTEGER NOT NULL DEFAULT 0, body_html TEXT NOT NULL);
CREATE INDEX messages_by_mailbox ON messages(mailbox_id, id DESC);
CREATE TABLE attachments (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages(id)
    ON DELETE CASCADE, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
"""


@contextlib.contextmanager
def database(srv: ReferenceServer) -> Iterator[sqlite3.Connection]:
    """The server's database, read-only, from outside."""
    with contextlib.closing(sqlite3.connect(f"{(srv.data_dir / DB_NAME).as_uri()}?mode=ro", uri=True)) as db:
        yield db


def rows(srv: ReferenceServer, table: str) -> int:
    with database(srv) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def only_mail_id(client: httpx.AsyncClient, sid: str) -> str:
    listed = (await call(client, "get_email_list", sid_token=sid)).json()
    assert listed["count"] == 1, listed
    return str(listed["list"][0]["mail_id"])


async def test_one_transaction_is_stored_once_and_each_delete_is_per_mailbox(start_server) -> None:
    srv = await start_server()
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        sessions = [await take_address(client, user) for user in ("one", "two", "three")]
        data = bytes(range(256)) * 40
        await deliver(srv.smtp_port, ["one@a.test", "two@a.test", "three@a.test"],
                      build_mail("one@a.test", subject="shared", attachments=[("f.bin", data)]))
        assert (rows(srv, "contents"), rows(srv, "messages"), rows(srv, "attachments")) == (1, 3, 1)
        ids = [await only_mail_id(client, s["sid_token"]) for s in sessions]

        deleted = await call(client, "del_email", sid_token=sessions[0]["sid_token"], email_id=ids[0])
        assert deleted.json() == {"deleted": 1}
        # The others still have it, attachment and all.
        fetched = await call(client, "fetch_attachment", sid_token=sessions[1]["sid_token"], email_id=ids[1],
                             file_name="f.bin")
        assert fetched.content == data
        assert rows(srv, "contents") == 1
        srv.control.delete_mailbox("two@a.test")  # a cascade is a delete too
        assert rows(srv, "contents") == 1
        await call(client, "del_email", sid_token=sessions[2]["sid_token"], email_id=ids[2])
    # The content went with its last reference.
    assert (rows(srv, "contents"), rows(srv, "messages"), rows(srv, "attachments")) == (0, 0, 0)


async def test_a_blocked_writer_does_not_block_the_loop(start_server) -> None:
    srv = await start_server()
    gate = threading.Event()
    async with httpx.AsyncClient(base_url=srv.base_url, timeout=10) as client:
        session = await take_address(client, "patient")
        blocked = asyncio.ensure_future(srv._core.db.write(lambda _: gate.wait(30)))
        try:
            listing = asyncio.ensure_future(call(client, "get_email_list", sid_token=session["sid_token"]))
            # The writer is stuck, yet reads and /health are served...
            assert (await client.get("/health")).status_code == 200
            assert (await call(client, "get_domains")).status_code == 200
            # ...while the listing (which renews the session: a write) waits its turn.
            assert not listing.done()
        finally:
            gate.set()
        assert (await listing).status_code == 200
        assert await blocked is True


async def test_mailbox_quota_is_452_at_rcpt(start_server) -> None:
    srv = await start_server(mailbox_max_messages=2, mailbox_max_bytes=20_000)
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "counted")
        await take_address(client, "weighed")
    for _ in range(2):
        await deliver(srv.smtp_port, "counted@a.test", build_mail("counted@a.test"))
    with pytest.raises(smtplib.SMTPRecipientsRefused) as full:
        await deliver(srv.smtp_port, "counted@a.test", build_mail("counted@a.test"))
    assert full.value.recipients["counted@a.test"] == (452, b"4.2.2 Mailbox full")
    # Bytes: a 15 kB mail fits, a second one does not (smtplib declares its SIZE).
    await deliver(srv.smtp_port, "weighed@a.test", build_mail("weighed@a.test", text="x" * 15_000))
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        await deliver(srv.smtp_port, "weighed@a.test", build_mail("weighed@a.test", text="y" * 15_000))


async def test_storage_cap_is_452_at_mail_from(start_server) -> None:
    srv = await start_server(storage_max_bytes=4096)  # already used by the empty schema
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        await take_address(client, "capped")
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        await deliver(srv.smtp_port, "capped@a.test", build_mail("capped@a.test"))
    assert refused.value.smtp_code == 452 and b"4.3.1" in refused.value.smtp_error


def _v1_database(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO mailboxes VALUES (7, 'old@a.test', 'old', 'a.test', 1000)")
        db.execute("INSERT INTO sessions VALUES (?, 7, 'tok-old', 1000, 4e9, '127.0.0.1', 'en')", ("ab" * 24,))
        db.execute("INSERT INTO messages VALUES (41, 7, 'INBOX', 1001, 'A <a@x.org>', 'first', 'one', 0, 1, "
                   "'<p>1</p>')")
        db.execute("INSERT INTO messages VALUES (42, 7, 'Junk', 1002, 'B <b@x.org>', 'second', 'two', 1, 0, "
                   "'<p>2</p>')")
        db.execute("INSERT INTO attachments VALUES (1, 41, 'f.txt', 'text/plain', 5, ?)", (b"hello",))


async def test_a_version_1_database_is_migrated_with_its_ids(start_server, tmp_path: Path) -> None:
    _v1_database(tmp_path / "old" / DB_NAME)
    srv = await start_server(data_dir=tmp_path / "old", message_ttl_minutes=0, mailbox_idle_minutes=0)
    sid = "ab" * 24
    async with httpx.AsyncClient(base_url=srv.base_url) as client:
        listed = (await call(client, "get_email_list", sid_token=sid)).json()
        assert [(m["mail_id"], m["mail_subject"], m["mail_read"], m["attached"]) for m in listed["list"]] == [
            ("Junk:42", "second", 1, 0), ("41", "first", 0, 1)]
        fetched = (await call(client, "fetch_email", sid_token=sid, email_id="41")).json()
        assert fetched["mail_body"] == "<p>1</p>"
        assert fetched["mail_attachments"] == [{"name": "f.txt", "size": 5, "type": "text/plain"}]
        data = await call(client, "fetch_attachment", sid_token=sid, email_id="41", file_name="f.txt")
        assert data.content == b"hello"
        # New mail continues the ids; deleting still works.
        new_id = srv.control.deliver("old@a.test", build_mail("old@a.test", subject="third"))
        assert int(new_id) > 42
        assert (await call(client, "del_email", sid_token=sid, email_id="41")).json() == {"deleted": 1}
    with database(srv) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM attachments").fetchone()[0] == 0  # went with message 41
