"""The `updates` log and the `snapshots` table: what is stored of each doc."""

from __future__ import annotations

import sqlite3

from boards.schema import now_ms
from server.store.records import ChangeRecord, DocHistory


def append_update(conn: sqlite3.Connection, doc: str, update: bytes, sender: str = "") -> int:
    cursor = conn.execute(
        "INSERT INTO updates (doc, data, created, sender) VALUES (?, ?, ?, ?)",
        (doc, update, now_ms(), sender),
    )
    return int(cursor.lastrowid or 0)


def recent_changes(conn: sqlite3.Connection, doc: str, limit: int) -> list[ChangeRecord]:
    rows = conn.execute(
        "SELECT id, created, sender, length(data) FROM updates WHERE doc = ?"
        " ORDER BY id DESC LIMIT ?",
        (doc, limit),
    ).fetchall()
    return [ChangeRecord(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]


def load_doc(conn: sqlite3.Connection, doc: str) -> DocHistory:
    row = conn.execute("SELECT data FROM snapshots WHERE doc = ?", (doc,)).fetchone()
    rows = conn.execute("SELECT data FROM updates WHERE doc = ? ORDER BY id", (doc,)).fetchall()
    return DocHistory(row[0] if row else None, [r[0] for r in rows])


def compact(conn: sqlite3.Connection, doc: str, state: bytes) -> int:
    row = conn.execute("SELECT max(id), count(*) FROM updates WHERE doc = ?", (doc,))
    upto, count = row.fetchone()
    conn.execute(
        "INSERT INTO snapshots (doc, data, upto, created) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(doc) DO UPDATE SET data = excluded.data,"
        " upto = max(snapshots.upto, excluded.upto), created = excluded.created",
        (doc, state, upto or 0, now_ms()),
    )
    if upto is not None:
        conn.execute("DELETE FROM updates WHERE doc = ? AND id <= ?", (doc, upto))
    return int(count)


def first_snapshot(conn: sqlite3.Connection, doc: str, state: bytes, created: int) -> None:
    conn.execute(
        "INSERT INTO snapshots (doc, data, upto, created) VALUES (?, ?, 0, ?)",
        (doc, state, created),
    )
