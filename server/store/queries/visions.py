"""The `visions`, `vision_boards`, `vision_versions` and `vision_reactions` tables."""

from __future__ import annotations

import sqlite3

from server.store.records import ReactionRecord, VisionRecord, VisionVersionRecord

_VISION = "SELECT v.id, v.board_id, v.data, v.rev, v.updated FROM visions v"


def insert(conn: sqlite3.Connection, record: VisionRecord) -> None:
    conn.execute(
        "INSERT INTO visions (id, board_id, data, rev, updated) VALUES (?, ?, ?, ?, ?)",
        (record.id, record.board_id, record.data, record.rev, record.updated),
    )
    link(conn, record.id, record.board_id)


def link(conn: sqlite3.Connection, vision_id: str, board_id: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO vision_boards (board_id, vision_id) VALUES (?, ?)",
        (board_id, vision_id),
    )


def _record(row: tuple[str, str, str, int, int] | None) -> VisionRecord | None:
    return VisionRecord(*row) if row else None


def one(conn: sqlite3.Connection, vision_id: str) -> VisionRecord | None:
    return _record(conn.execute(f"{_VISION} WHERE v.id = ?", (vision_id,)).fetchone())


def of_board(conn: sqlite3.Connection, board_id: str) -> VisionRecord | None:
    row = conn.execute(
        f"{_VISION} JOIN vision_boards b ON b.vision_id = v.id WHERE b.board_id = ?",
        (board_id,),
    ).fetchone()
    return _record(row)


def boards(conn: sqlite3.Connection, vision_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT b.board_id FROM vision_boards b JOIN boards ON boards.id = b.board_id"
        " WHERE b.vision_id = ? ORDER BY boards.created, b.board_id",
        (vision_id,),
    )
    return [row[0] for row in rows.fetchall()]


def update(
    conn: sqlite3.Connection, vision_id: str, data: str, expected_rev: int, at: int
) -> int | None:
    """Write `data` if the document is still at `expected_rev`; the new rev, or None."""
    cursor = conn.execute(
        "UPDATE visions SET data = ?, rev = rev + 1, updated = ? WHERE id = ? AND rev = ?",
        (data, at, vision_id, expected_rev),
    )
    return expected_rev + 1 if cursor.rowcount == 1 else None


def set_comment_token_hash(conn: sqlite3.Connection, vision_id: str, token_hash: bytes) -> None:
    conn.execute("UPDATE visions SET comment_token_hash = ? WHERE id = ?", (token_hash, vision_id))


def by_comment_token_hash(conn: sqlite3.Connection, token_hash: bytes) -> VisionRecord | None:
    row = conn.execute(f"{_VISION} WHERE v.comment_token_hash = ?", (token_hash,)).fetchone()
    return _record(row)


def insert_version(conn: sqlite3.Connection, record: VisionVersionRecord, data: str) -> None:
    conn.execute(
        "INSERT INTO vision_versions (id, vision_id, name, at, data) VALUES (?, ?, ?, ?, ?)",
        (record.id, record.vision_id, record.name, record.at, data),
    )


def versions(conn: sqlite3.Connection, vision_id: str) -> list[VisionVersionRecord]:
    rows = conn.execute(
        "SELECT id, vision_id, name, at FROM vision_versions WHERE vision_id = ? ORDER BY at, id",
        (vision_id,),
    )
    return [VisionVersionRecord(*row) for row in rows.fetchall()]


def version_data(conn: sqlite3.Connection, vision_id: str, version_id: str) -> str | None:
    row = conn.execute(
        "SELECT data FROM vision_versions WHERE vision_id = ? AND id = ?",
        (vision_id, version_id),
    ).fetchone()
    return str(row[0]) if row else None


def insert_reaction(conn: sqlite3.Connection, record: ReactionRecord) -> None:
    conn.execute(
        "INSERT INTO vision_reactions (id, vision_id, statement, kind, comment, name, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            record.id,
            record.vision_id,
            record.statement,
            record.kind,
            record.comment,
            record.name,
            record.at,
        ),
    )


def reactions(conn: sqlite3.Connection, vision_id: str) -> list[ReactionRecord]:
    rows = conn.execute(
        "SELECT id, vision_id, statement, kind, comment, name, at FROM vision_reactions"
        " WHERE vision_id = ? ORDER BY at, id",
        (vision_id,),
    )
    return [ReactionRecord(*row) for row in rows.fetchall()]


def set_logo(
    conn: sqlite3.Connection, vision_id: str, media_type: str, data: bytes, at: int
) -> None:
    conn.execute(
        "INSERT INTO vision_logos (vision_id, media_type, data, updated) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (vision_id) DO UPDATE SET media_type = excluded.media_type,"
        " data = excluded.data, updated = excluded.updated",
        (vision_id, media_type, data, at),
    )


def logo(conn: sqlite3.Connection, vision_id: str) -> tuple[str, bytes] | None:
    row = conn.execute(
        "SELECT media_type, data FROM vision_logos WHERE vision_id = ?", (vision_id,)
    ).fetchone()
    return (str(row[0]), bytes(row[1])) if row else None


def delete_logo(conn: sqlite3.Connection, vision_id: str) -> None:
    conn.execute("DELETE FROM vision_logos WHERE vision_id = ?", (vision_id,))
