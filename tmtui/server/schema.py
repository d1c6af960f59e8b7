"""The database schema (version 2) and the migration from version 1.

Version 2 stores a mail once per SMTP transaction: ``contents`` holds what was
received (sender, subject, body, and its attachments), ``messages`` is one row
per recipient mailbox pointing at it. Deleting a message never touches another
mailbox's copy; a trigger deletes the content with its last reference, however
that reference went (del_email, expiry, a deleted mailbox's cascade).

Version 1 (before issue 13) kept one full copy per recipient in ``messages``.
:func:`open_database` migrates it in one transaction, keeping every message id
(clients hold them), so a data directory survives the upgrade.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

VERSION = 2
WAL_LIMIT_BYTES = 8 * 1024 * 1024  # the WAL file shrinks back to this after a checkpoint

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    address TEXT NOT NULL UNIQUE,
    local TEXT NOT NULL,
    domain TEXT NOT NULL,
    created_at REAL NOT NULL,
    active_at REAL NOT NULL DEFAULT 0  -- creation, last arrival or last session end: idleness counts from here
);
CREATE INDEX IF NOT EXISTS mailboxes_by_activity ON mailboxes(active_at);
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
CREATE TABLE IF NOT EXISTS contents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    size INTEGER NOT NULL,  -- bytes as received: what mailbox quotas count
    mail_from TEXT NOT NULL,
    subject TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    attached INTEGER NOT NULL DEFAULT 0,
    body_html TEXT NOT NULL  -- last, so list queries never touch its overflow pages
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    content_id INTEGER NOT NULL REFERENCES contents(id),
    folder TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_by_mailbox ON messages(mailbox_id, id DESC);
CREATE INDEX IF NOT EXISTS messages_by_folder ON messages(mailbox_id, folder);
CREATE INDEX IF NOT EXISTS messages_by_content ON messages(content_id);
CREATE INDEX IF NOT EXISTS messages_by_age ON messages(received_at);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_by_content ON attachments(content_id);
CREATE TRIGGER IF NOT EXISTS contents_go_with_their_last_message AFTER DELETE ON messages
WHEN NOT EXISTS (SELECT 1 FROM messages WHERE content_id = old.content_id)
BEGIN
    DELETE FROM contents WHERE id = old.content_id;
END;
"""

# Version 1 -> 2, run with foreign keys off (dropping the old tables must not cascade).
MIGRATE_1_TO_2 = """
CREATE TABLE contents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    size INTEGER NOT NULL,
    mail_from TEXT NOT NULL,
    subject TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    attached INTEGER NOT NULL DEFAULT 0,
    body_html TEXT NOT NULL
);
INSERT INTO contents(id, size, mail_from, subject, excerpt, attached, body_html)
    SELECT m.id,
           length(CAST(m.body_html AS BLOB))
               + COALESCE((SELECT SUM(a.size) FROM attachments a WHERE a.message_id = m.id), 0),
           m.mail_from, m.subject, m.excerpt, m.attached, m.body_html
    FROM messages m;
CREATE TABLE messages_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    content_id INTEGER NOT NULL REFERENCES contents(id),
    folder TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0
);
INSERT INTO messages_v2(id, mailbox_id, content_id, folder, received_at, read)
    SELECT id, mailbox_id, id, folder, received_at, read FROM messages;
CREATE TABLE attachments_v2 (
    id INTEGER PRIMARY KEY,
    content_id INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
INSERT INTO attachments_v2(id, content_id, name, type, size, data)
    SELECT id, message_id, name, type, size, data FROM attachments;
DROP TABLE attachments;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
ALTER TABLE attachments_v2 RENAME TO attachments;
ALTER TABLE mailboxes ADD COLUMN active_at REAL NOT NULL DEFAULT 0;
UPDATE mailboxes SET active_at = created_at;
"""


class SchemaError(RuntimeError):
    """The database was written by a newer tmtui."""


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute("SELECT * FROM pragma_table_info(?)", (table,))}


def _migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > VERSION:
        raise SchemaError(f"the database has schema version {version}; this tmtui knows {VERSION}")
    if version == 0 and "body_html" in _columns(db, "messages"):
        db.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before BEGIN
        try:
            db.executescript(f"BEGIN;\n{MIGRATE_1_TO_2}\nCOMMIT;")
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise
        finally:
            db.execute("PRAGMA foreign_keys=ON")


def open_database(path: Path) -> sqlite3.Connection:
    """The writer's connection: WAL, foreign keys on, schema current (created or migrated)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists() or path.stat().st_size == 0
    # check_same_thread=False: opened by whoever starts the server, then used by the writer thread only.
    db = sqlite3.connect(path, check_same_thread=False)
    try:
        if fresh:
            # Only an empty database can take this; freed pages can then go back to the disk.
            db.execute("PRAGMA auto_vacuum=INCREMENTAL")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        db.execute("PRAGMA busy_timeout=5000")
        db.execute("PRAGMA foreign_keys=ON")
        _migrate(db)
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version={VERSION}")
    except BaseException:
        db.close()
        raise
    return db


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection for the event loop's thread (WAL: readers never wait for the writer)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    db.execute("PRAGMA busy_timeout=2000")
    return db
