"""The `checkpoints` table: saved content and session states of a board."""

from __future__ import annotations

import sqlite3

from server.store.records import CheckpointRecord


def insert(
    conn: sqlite3.Connection, record: CheckpointRecord, content: bytes, session: bytes
) -> None:
    conn.execute(
        "INSERT INTO checkpoints (id, board_id, name, at, content, session)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (record.id, record.board_id, record.name, record.at, content, session),
    )


def of_board(conn: sqlite3.Connection, board_id: str) -> list[CheckpointRecord]:
    rows = conn.execute(
        "SELECT id, board_id, name, at FROM checkpoints WHERE board_id = ? ORDER BY at, id",
        (board_id,),
    )
    return [CheckpointRecord(*row) for row in rows.fetchall()]


def states(
    conn: sqlite3.Connection, board_id: str, checkpoint_id: str
) -> tuple[bytes, bytes] | None:
    row = conn.execute(
        "SELECT content, session FROM checkpoints WHERE board_id = ? AND id = ?",
        (board_id, checkpoint_id),
    ).fetchone()
    return (row[0], row[1]) if row else None
