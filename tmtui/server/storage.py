"""SQLite storage: mailboxes, sessions, messages and attachment blobs.

One connection, used only from the server's event loop thread: every query is
small and indexed (a 10,000-message list page is an index range scan), so the
loop never waits long, and a single writer needs no locking. WAL journal with
synchronous=NORMAL: commits are cheap and nothing committed is lost when the
server stops. Parameterised SQL only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tmtui.server.mailparse import ParsedMail

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE,
    local TEXT NOT NULL,
    domain TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    event_token TEXT NOT NULL UNIQUE,
    started_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    ip TEXT NOT NULL,
    lang TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_mailbox ON sessions(mailbox_id);
CREATE INDEX IF NOT EXISTS sessions_by_ip ON sessions(ip, started_at);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions(expires_at);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    folder TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    mail_from TEXT NOT NULL,
    subject TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    attached INTEGER NOT NULL DEFAULT 0,
    body_html TEXT NOT NULL  -- last, so list queries never touch its overflow pages
);
CREATE INDEX IF NOT EXISTS messages_by_mailbox ON messages(mailbox_id, id DESC);
CREATE INDEX IF NOT EXISTS messages_by_folder ON messages(mailbox_id, folder);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_by_message ON attachments(message_id);
"""

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


_MAILBOX_COLS = "id, address, local, domain"
_SESSION_COLS = "sid, mailbox_id, event_token, started_at, expires_at, ip, lang"
_LIST_COLS = "id, folder, received_at, mail_from, subject, excerpt, read, attached"


class Storage:
    """All SQL of the server. Methods are synchronous and commit their own writes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread=False: the connection is created by whoever starts the
        # server but used only on the server loop's thread afterwards.
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    def _write(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        with self._db:  # commit (or roll back) this write now
            return self._db.execute(sql, params)

    # -- meta ---------------------------------------------------------------
    def meta_get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def meta_set(self, key: str, value: str) -> None:
        self._write("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value))

    # -- mailboxes ----------------------------------------------------------
    def mailbox_by_address(self, address: str) -> Mailbox | None:
        row = self._db.execute(f"SELECT {_MAILBOX_COLS} FROM mailboxes WHERE address = ?", (address,)).fetchone()
        return None if row is None else Mailbox(*row)

    def mailbox_by_id(self, mailbox_id: int) -> Mailbox | None:
        row = self._db.execute(f"SELECT {_MAILBOX_COLS} FROM mailboxes WHERE id = ?", (mailbox_id,)).fetchone()
        return None if row is None else Mailbox(*row)

    def create_mailbox(self, local: str, domain: str, now: float) -> Mailbox:
        address = f"{local}@{domain}"
        cur = self._write("INSERT INTO mailboxes(address, local, domain, created_at) VALUES (?, ?, ?, ?)",
                          (address, local, domain, now))
        return Mailbox(int(cur.lastrowid or 0), address, local, domain)

    def delete_mailbox(self, mailbox_id: int) -> None:
        self._write("DELETE FROM mailboxes WHERE id = ?", (mailbox_id,))

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

    def expired_sessions(self, now: float) -> list[Session]:
        rows = self._db.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE expires_at <= ?", (now,))
        return [Session(*row) for row in rows]

    def save_session(self, s: Session) -> None:
        self._write(
            f"INSERT INTO sessions({_SESSION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(sid) DO UPDATE SET "
            "mailbox_id = excluded.mailbox_id, event_token = excluded.event_token, started_at = excluded.started_at, "
            "expires_at = excluded.expires_at, ip = excluded.ip, lang = excluded.lang",
            (s.sid, s.mailbox_id, s.event_token, s.started_at, s.expires_at, s.ip, s.lang))

    def delete_session(self, sid: str) -> None:
        self._write("DELETE FROM sessions WHERE sid = ?", (sid,))

    # -- messages -----------------------------------------------------------
    def add_message(self, mailbox_id: int, folder: str, received_at: int, mail: ParsedMail) -> int:
        return self.add_messages(mailbox_id, [(folder, received_at, mail)])[0]

    def add_messages(self, mailbox_id: int, items: Iterable[tuple[str, int, ParsedMail]]) -> list[int]:
        """Insert many messages in one transaction (bulk seeding stays fast)."""
        ids: list[int] = []
        with self._db:
            for folder, received_at, mail in items:
                cur = self._db.execute(
                    "INSERT INTO messages(mailbox_id, folder, received_at, mail_from, subject, excerpt, attached, "
                    "body_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (mailbox_id, folder, received_at, mail.mail_from, mail.subject, mail.excerpt,
                     1 if mail.attachments else 0, mail.body_html))
                message_id = int(cur.lastrowid or 0)
                self._db.executemany(
                    "INSERT INTO attachments(message_id, name, type, size, data) VALUES (?, ?, ?, ?, ?)",
                    [(message_id, a.name, a.type, len(a.data), a.data) for a in mail.attachments])
                ids.append(message_id)
        return ids

    def list_messages(self, mailbox_id: int, offset: int, limit: int) -> list[MessageRow]:
        rows = self._db.execute(
            f"SELECT {_LIST_COLS} FROM messages WHERE mailbox_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (mailbox_id, limit, offset))
        return [MessageRow(*row) for row in rows]

    def message(self, mailbox_id: int, folder: str, message_id: int) -> tuple[MessageRow, str] | None:
        row = self._db.execute(
            f"SELECT {_LIST_COLS}, body_html FROM messages WHERE id = ? AND mailbox_id = ? AND folder = ?",
            (message_id, mailbox_id, folder)).fetchone()
        return None if row is None else (MessageRow(*row[:-1]), row[-1])

    def attachments_of(self, message_id: int) -> list[AttachmentInfo]:
        rows = self._db.execute("SELECT name, size, type FROM attachments WHERE message_id = ? ORDER BY id",
                                (message_id,))
        return [AttachmentInfo(*row) for row in rows]

    def attachment_data(self, message_id: int, name: str) -> bytes:
        row = self._db.execute("SELECT data FROM attachments WHERE message_id = ? AND name = ? ORDER BY id LIMIT 1",
                               (message_id, name)).fetchone()
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

    def folder_counts(self, mailbox_id: int) -> dict[str, int]:
        counts = dict.fromkeys(FOLDERS, 0)
        for folder, n in self._db.execute(
                "SELECT folder, COUNT(*) FROM messages WHERE mailbox_id = ? GROUP BY folder", (mailbox_id,)):
            counts[folder] = n
        return counts
