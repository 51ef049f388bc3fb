"""The `participants` table."""

from __future__ import annotations

import sqlite3

from server.store.records import ParticipantRecord

_COLUMNS = "id, board_id, name, created, removed"


def insert(conn: sqlite3.Connection, participant: ParticipantRecord, token_hash: bytes) -> None:
    conn.execute(
        "INSERT INTO participants (id, board_id, name, token_hash, created) VALUES (?, ?, ?, ?, ?)",
        (participant.id, participant.board_id, participant.name, token_hash, participant.created),
    )


def of_board(conn: sqlite3.Connection, board_id: str) -> list[ParticipantRecord]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM participants WHERE board_id = ? ORDER BY created, id",
        (board_id,),
    )
    return [ParticipantRecord(*row) for row in rows.fetchall()]


def by_token_hash(conn: sqlite3.Connection, token_hash: bytes) -> ParticipantRecord | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM participants WHERE token_hash = ?", (token_hash,)
    ).fetchone()
    return ParticipantRecord(*row) if row else None


def remove(conn: sqlite3.Connection, board_id: str, participant_id: str, at: int) -> bool:
    """Mark the participant removed; False if the board has no such participant taking part."""
    cursor = conn.execute(
        "UPDATE participants SET removed = ? WHERE board_id = ? AND id = ? AND removed IS NULL",
        (at, board_id, participant_id),
    )
    return cursor.rowcount == 1
