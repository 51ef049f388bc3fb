"""The `boards` table."""

from __future__ import annotations

import sqlite3
from typing import Any

from server.store.records import BoardRecord

_COLUMNS = (
    "id, title, template, language, join_code, facilitator_key_hash, created,"
    " wall_key_hash, anonymous"
)


def _board(row: tuple[Any, ...]) -> BoardRecord:
    board_id, title, template, language, join_code, key_hash, created, wall_hash, anon = row
    return BoardRecord(
        board_id, title, template, language, join_code, key_hash, created, wall_hash, bool(anon)
    )


def insert(conn: sqlite3.Connection, board: BoardRecord) -> None:
    conn.execute(
        f"INSERT INTO boards ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            board.id,
            board.title,
            board.template,
            board.language,
            board.join_code,
            board.facilitator_key_hash,
            board.created,
            board.wall_key_hash,
            int(board.anonymous),
        ),
    )


def one(conn: sqlite3.Connection, column: str, value: str) -> BoardRecord | None:
    """The board whose `column` (id or join_code) is `value`."""
    assert column in ("id", "join_code")
    row = conn.execute(f"SELECT {_COLUMNS} FROM boards WHERE {column} = ?", (value,)).fetchone()
    return _board(row) if row else None


def every(conn: sqlite3.Connection) -> list[BoardRecord]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM boards ORDER BY created")
    return [_board(row) for row in rows.fetchall()]


def set_flags(conn: sqlite3.Connection, board_id: str, *, anonymous: bool) -> None:
    conn.execute("UPDATE boards SET anonymous = ? WHERE id = ?", (int(anonymous), board_id))


def set_wall_key_hash(conn: sqlite3.Connection, board_id: str, key_hash: bytes) -> None:
    conn.execute("UPDATE boards SET wall_key_hash = ? WHERE id = ?", (key_hash, board_id))
