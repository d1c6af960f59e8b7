"""All SQL of the server, on one sqlite3 connection (schema.py holds the tables).

A :class:`Storage` wraps either the writer's connection (used only on the
writer thread, see database.py) or the event loop's read-only one: reads are
small and indexed (a 10,000-message list page is an index range scan) and never
wait for the writer (WAL). Writes commit their own transaction. Parameterised
SQL only.

A mail is stored once per delivery (:meth:`Storage.deliver`): one ``contents``
row with its attachments, one ``messages`` row per recipient mailbox.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tmtui.server.mailparse import ParsedMail

FOLDERS = ("INBOX", "Junk")


@dataclass(frozen=True, slots=True)
class Mailbox:
    id: int
    address: str
    local: str
    domain: str


@dataclass(frozen=True, slots=True)
class Session:
    sid: str
    mailbox_id: int
    event_token: str
    started_at: float
    expires_at: float
    ip: str
    lang: str


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    folder: str
    received_at: int
    mail_from: str
    subject: str
    excerpt: str
    read: int
    attached: int


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    name: str
    size: int
    type: str


@dataclass(frozen=True, slots=True)
class Delivered:
    """One stored copy: which mailbox, where, under which id."""

    mailbox_id: int
    folder: str
    message_id: int


_MAILBOX_COLS = "id, address, local, domain"
_SESSION_COLS = "sid, mailbox_id, event_token, started_at, expires_at, ip, lang"
_LIST_COLS = "m.id, m.folder, m.received_at, c.mail_from, c.subject, c.excerpt, m.read, c.attached"
_INSERT_CONTENT = ("INSERT INTO contents(size, mail_from, subject, excerpt, attached, body_html) "
                   "VALUES (?, ?, ?, ?, ?, ?)")
_INSERT_ATTACHMENT = "INSERT INTO attachments(content_id, name, type, size, data) VALUES (?, ?, ?, ?, ?)"
_INSERT_MESSAGE = "INSERT INTO messages(mailbox_id, content_id, folder, received_at) VALUES (?, ?, ?, ?)"
_IDLE_MAILBOXES = ("SELECT b.id FROM mailboxes b WHERE b.active_at < ? "
                   "AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.mailbox_id = b.id) "
                   "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.mailbox_id = b.id)")
_VACUUM_PAGES = 2048  # pages freed per compact(): 8 MB at the default page size
_TOUCH_MAILBOX = "UPDATE mailboxes SET active_at = MAX(active_at, ?) WHERE id = ?"


class Storage:
    """The server's queries on one connection. Methods are synchronous; writes commit."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def close(self, checkpoint: bool = False) -> None:
        try:
            if checkpoint:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    def _write(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._db:  # commit (or roll back) this write now
            return self._db.execute(sql, params)

    # -- meta and housekeeping ---------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def meta_set(self, key: str, value: str) -> None:
        self._write("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    def free_pages(self) -> int:
        return int(self._db.execute("PRAGMA freelist_count").fetchone()[0])

    def used_bytes(self) -> int:
        """Bytes of the database file in use (free pages not counted)."""
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        free = self._db.execute("PRAGMA freelist_count").fetchone()[0]
        size = self._db.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def compact(self) -> None:
        """Give free pages back to the disk (a few MB at a time), then shrink the WAL file."""
        self._db.execute(f"PRAGMA incremental_vacuum({_VACUUM_PAGES})").fetchall()
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # -- mailboxes ----------------------------------------------------------
    def mailbox_by_address(self, address: str) -> Mailbox | None:
        row = self._db.execute(f"SELECT {_MAILBOX_COLS} FROM mailboxes WHERE address = ?", (address,)).fetchone()
        return None if row is None else Mailbox(*row)

    def mailbox_by_id(self, mailbox_id: int) -> Mailbox | None:
        row = self._db.execute(f"SELECT {_MAILBOX_COLS} FROM mailboxes WHERE id = ?", (mailbox_id,)).fetchone()
        return None if row is None else Mailbox(*row)

    def create_mailbox(self, local: str, domain: str, now: float) -> tuple[Mailbox, bool]:
        """The mailbox at local@domain, and whether it was created now (else it existed)."""
        address = f"{local}@{domain}"
        cur = self._write("INSERT INTO mailboxes(address, local, domain, created_at, active_at) "
                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT(address) DO NOTHING",
                          (address, local, domain, now, now))
        mailbox = self.mailbox_by_address(address)
        assert mailbox is not None  # just inserted, and only this thread deletes
        return mailbox, cur.rowcount > 0

    def delete_mailbox(self, mailbox_id: int) -> None:
        self._write("DELETE FROM mailboxes WHERE id = ?", (mailbox_id,))

    def touch_mailboxes(self, mailbox_ids: Iterable[int], now: float) -> None:
        with self._db:
            self._db.executemany(_TOUCH_MAILBOX, [(now, i) for i in mailbox_ids])

    def any_idle_mailbox(self, idle_before: float) -> bool:
        return self._db.execute(f"{_IDLE_MAILBOXES} LIMIT 1", (idle_before,)).fetchone() is not None

    def purge_idle_mailboxes(self, idle_before: float, limit: int) -> int:
        """Delete up to ``limit`` mailboxes with no session and no mail, idle since before ``idle_before``."""
        cur = self._write(f"DELETE FROM mailboxes WHERE id IN ({_IDLE_MAILBOXES} LIMIT ?)", (idle_before, limit))
        return cur.rowcount

    # -- sessions -----------------------------------------------------------
    def session(self, sid: str) -> Session | None:
        row = self._db.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE sid = ?", (sid,)).fetchone()
        return None if row is None else Session(*row)

    def session_by_token(self, token: str) -> Session | None:
        row = self._db.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE event_token = ?", (token,)).fetchone()
        return None if row is None else Session(*row)

    def sessions_of_mailbox(self, mailbox_id: int) -> list[Session]:
        rows = self._db.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE mailbox_id = ?", (mailbox_id,))
        return [Session(*row) for row in rows]

    def live_sessions_of_ip(self, ip: str, now: float) -> list[Session]:
        rows = self._db.execute(
            f"SELECT {_SESSION_COLS} FROM sessions WHERE ip = ? AND expires_at > ? ORDER BY started_at, rowid",
            (ip, now))
        return [Session(*row) for row in rows]

    def insert_session(self, s: Session) -> None:
        self._write(f"INSERT INTO sessions({_SESSION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (s.sid, s.mailbox_id, s.event_token, s.started_at, s.expires_at, s.ip, s.lang))

    def update_session(self, s: Session) -> bool:
        """Save a changed session; False if it is gone (ended meanwhile): never brings one back."""
        cur = self._write(
            "UPDATE sessions SET mailbox_id = ?, event_token = ?, expires_at = ? WHERE sid = ?",
            (s.mailbox_id, s.event_token, s.expires_at, s.sid))
        return cur.rowcount > 0

    def delete_session(self, session: Session, now: float) -> None:
        with self._db:
            self._db.execute("DELETE FROM sessions WHERE sid = ?", (session.sid,))
            self._db.execute(_TOUCH_MAILBOX, (now, session.mailbox_id))

    def any_expired_session(self, now: float) -> bool:
        return self._db.execute("SELECT 1 FROM sessions WHERE expires_at <= ? LIMIT 1", (now,)).fetchone() is not None

    def expire_sessions(self, now: float, limit: int) -> list[Session]:
        """Delete up to ``limit`` sessions past their expiry; returns them."""
        with self._db:
            rows = self._db.execute(
                f"DELETE FROM sessions WHERE sid IN (SELECT sid FROM sessions WHERE expires_at <= ? LIMIT ?) "
                f"RETURNING {_SESSION_COLS}", (now, limit)).fetchall()
            expired = [Session(*row) for row in rows]
            self._db.executemany(_TOUCH_MAILBOX, [(now, s.mailbox_id) for s in expired])
        return expired

    # -- messages -----------------------------------------------------------
    def _insert_content(self, mail: ParsedMail, size: int) -> int:
        cur = self._db.execute(_INSERT_CONTENT, (size, mail.mail_from, mail.subject, mail.excerpt,
                                                 1 if mail.attachments else 0, mail.body_html))
        content_id = int(cur.lastrowid or 0)
        self._db.executemany(_INSERT_ATTACHMENT,
                             [(content_id, a.name, a.type, len(a.data), a.data) for a in mail.attachments])
        return content_id

    def deliver(self, mailbox_ids: Sequence[int], folder: str, received_at: int, mail: ParsedMail,
                size: int) -> list[Delivered]:
        """Store ``mail`` once for every mailbox of ``mailbox_ids`` that still exists."""
        with self._db:
            existing = [row[0] for row in self._db.execute(
                "SELECT id FROM mailboxes WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (json.dumps(list(mailbox_ids)),))]
            if not existing:
                return []
            content_id = self._insert_content(mail, size)
            delivered = []
            for mailbox_id in existing:
                cur = self._db.execute(_INSERT_MESSAGE, (mailbox_id, content_id, folder, received_at))
                delivered.append(Delivered(mailbox_id, folder, int(cur.lastrowid or 0)))
                self._db.execute(_TOUCH_MAILBOX, (received_at, mailbox_id))
        return delivered

    def add_messages(self, mailbox_id: int, items: Iterable[tuple[str, int, ParsedMail, int]]) -> list[int]:
        """Insert many (folder, received_at, mail, size) in one transaction (bulk seeding stays fast)."""
        ids: list[int] = []
        with self._db:
            for folder, received_at, mail, size in items:
                content_id = self._insert_content(mail, size)
                cur = self._db.execute(_INSERT_MESSAGE, (mailbox_id, content_id, folder, received_at))
                ids.append(int(cur.lastrowid or 0))
        return ids

    def list_messages(self, mailbox_id: int, offset: int, limit: int) -> list[MessageRow]:
        # The page is picked on the index alone; only its rows are joined to their contents.
        rows = self._db.execute(
            f"SELECT {_LIST_COLS} FROM messages m JOIN contents c ON c.id = m.content_id "
            "WHERE m.id IN (SELECT id FROM messages WHERE mailbox_id = ? ORDER BY id DESC LIMIT ? OFFSET ?) "
            "ORDER BY m.id DESC", (mailbox_id, limit, offset))
        return [MessageRow(*row) for row in rows]

    def message(self, mailbox_id: int, folder: str, message_id: int) -> tuple[MessageRow, str, int] | None:
        """The message's list row, its HTML body and its content id."""
        row = self._db.execute(
            f"SELECT {_LIST_COLS}, c.id, c.body_html FROM messages m JOIN contents c ON c.id = m.content_id "
            "WHERE m.id = ? AND m.mailbox_id = ? AND m.folder = ?", (message_id, mailbox_id, folder)).fetchone()
        return None if row is None else (MessageRow(*row[:-2]), row[-1], row[-2])

    def attachments_of(self, content_id: int) -> list[AttachmentInfo]:
        rows = self._db.execute("SELECT name, size, type FROM attachments WHERE content_id = ? ORDER BY id",
                                (content_id,))
        return [AttachmentInfo(*row) for row in rows]

    def attachment_data(self, content_id: int, name: str) -> bytes:
        row = self._db.execute("SELECT data FROM attachments WHERE content_id = ? AND name = ? ORDER BY id LIMIT 1",
                               (content_id, name)).fetchone()
        return b"" if row is None else bytes(row[0])

    def mark_read(self, message_id: int) -> None:
        self._write("UPDATE messages SET read = 1 WHERE id = ? AND read = 0", (message_id,))

    def delete_messages(self, mailbox_id: int, ids: Iterable[tuple[str, int]]) -> dict[str, int]:
        """Delete (folder, id) pairs of one mailbox; returns deletions per folder."""
        deleted: dict[str, int] = {}
        with self._db:
            for folder, message_id in ids:
                cur = self._db.execute("DELETE FROM messages WHERE id = ? AND mailbox_id = ? AND folder = ?",
                                       (message_id, mailbox_id, folder))
                if cur.rowcount:
                    deleted[folder] = deleted.get(folder, 0) + cur.rowcount
        return deleted

    def any_message_before(self, received_before: int) -> bool:
        row = self._db.execute("SELECT 1 FROM messages WHERE received_at < ? LIMIT 1", (received_before,))
        return row.fetchone() is not None

    def expire_messages(self, received_before: int, limit: int) -> list[tuple[int, str]]:
        """Delete up to ``limit`` messages that arrived before ``received_before``; (mailbox, folder) of each."""
        with self._db:
            rows = self._db.execute(
                "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < ? LIMIT ?) "
                "RETURNING mailbox_id, folder", (received_before, limit)).fetchall()
        return [(int(mailbox_id), str(folder)) for mailbox_id, folder in rows]

    def folder_counts(self, mailbox_id: int) -> dict[str, int]:
        counts = dict.fromkeys(FOLDERS, 0)
        for folder, n in self._db.execute(
                "SELECT folder, COUNT(*) FROM messages WHERE mailbox_id = ? GROUP BY folder", (mailbox_id,)):
            counts[folder] = n
        return counts

    def usage(self, mailbox_id: int) -> tuple[int, int]:
        """(messages, bytes as received) held by a mailbox: what its quota counts."""
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(c.size), 0) FROM messages m JOIN contents c ON c.id = m.content_id "
            "WHERE m.mailbox_id = ?", (mailbox_id,)).fetchone()
        return int(row[0]), int(row[1])
