"""The `boards` table."""

from __future__ import annotations

import sqlite3
from typing import Any

from server.store.records import BoardRecord

_COLUMNS = (
    "id, title, template, language, join_code, facilitator_key_hash, created,"
    " wall_key_hash, anonymous, wall_key, cofacilitator_key_hash"
)
# The columns that hold a board's keys, as `set_keys` may write them.
KEY_COLUMNS = frozenset(
    {"facilitator_key_hash", "wall_key_hash", "wall_key", "cofacilitator_key_hash", "join_code"}
)


def _board(row: tuple[Any, ...]) -> BoardRecord:
    board_id, title, template, language, join_code, key_hash, created, wall_hash, anon = row[:9]
    return BoardRecord(
        board_id,
        title,
        template,
        language,
        join_code,
        key_hash,
        created,
        wall_hash,
        bool(anon),
        wall_key=row[9],
        cofacilitator_key_hash=row[10],
    )


def insert(conn: sqlite3.Connection, board: BoardRecord) -> None:
    conn.execute(
        f"INSERT INTO boards ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            board.wall_key,
            board.cofacilitator_key_hash,
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


def set_keys(conn: sqlite3.Connection, board_id: str, keys: dict[str, bytes | str | None]) -> bool:
    """Write some key columns of one board; False when there is no such board."""
    assert keys and set(keys) <= KEY_COLUMNS, f"expected key columns, got {sorted(keys)}"
    assignments = ", ".join(f"{column} = ?" for column in keys)
    cursor = conn.execute(
        f"UPDATE boards SET {assignments} WHERE id = ?", (*keys.values(), board_id)
    )
    return cursor.rowcount == 1
