"""Deleting a board for good, and replacing participants' names after the retention period."""

from __future__ import annotations

import hashlib
import sqlite3

from boards.schema import now_ms


def _like_prefix(board_id: str) -> str:
    # Ids are url-safe base64 (no % or _ escapes needed beyond '_', which LIKE treats as a
    # wildcard): escape it so one board's prefix never matches another's docs.
    return board_id.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "/%"


def delete_board(conn: sqlite3.Connection, board_id: str) -> bool:
    """Every row of the board: docs (content, session, drafts), votes, checkpoints,
    participants, ownership and journey membership. False if there was no board."""
    if conn.execute("SELECT 1 FROM boards WHERE id = ?", (board_id,)).fetchone() is None:
        return False
    prefix = _like_prefix(board_id)
    for table in ("updates", "snapshots"):
        conn.execute(
            f"DELETE FROM {table} WHERE doc = ? OR doc LIKE ? ESCAPE '\\'", (board_id, prefix)
        )
    for table in ("votes", "checkpoints", "participants", "board_orgs", "journey_boards"):
        conn.execute(f"DELETE FROM {table} WHERE board_id = ?", (board_id,))
    for statement in VISION_STATEMENTS:
        conn.execute(statement.replace("%s", "?"), (board_id,))
    conn.execute("DELETE FROM boards WHERE id = ?", (board_id,))
    conn.execute(ERASED_INSERT.replace("%s", "?"), (erased_hash(board_id), now_ms()))
    return True


# The tombstone of a deleted board (both backends' spelling): its id's hash, and when.
ERASED_INSERT = (
    "INSERT INTO erased_boards (id_hash, erased) VALUES (%s, %s) ON CONFLICT (id_hash) DO NOTHING"
)


def erased_hash(board_id: str) -> bytes:
    """What `erased_boards` keeps of a deleted board's id."""
    return hashlib.sha256(board_id.encode()).digest()


# The målbild of a deleted board (both backends' spelling, `%s` the board id): the link
# goes; a målbild the board started moves to the oldest board that continues it, and one
# that no other board shares goes with its versions and reactions.
_ORPHANS = "SELECT id FROM visions WHERE board_id = %s"
VISION_STATEMENTS = (
    "DELETE FROM vision_boards WHERE board_id = %s",
    "UPDATE visions SET board_id = (SELECT l.board_id FROM vision_boards l"
    " JOIN boards b ON b.id = l.board_id WHERE l.vision_id = visions.id"
    " ORDER BY b.created, b.id LIMIT 1)"
    " WHERE board_id = %s"
    " AND EXISTS (SELECT 1 FROM vision_boards l WHERE l.vision_id = visions.id)",
    f"DELETE FROM vision_reactions WHERE vision_id IN ({_ORPHANS})",
    f"DELETE FROM vision_versions WHERE vision_id IN ({_ORPHANS})",
    f"DELETE FROM vision_logos WHERE vision_id IN ({_ORPHANS})",
    "DELETE FROM visions WHERE board_id = %s",
)


def footprint(conn: sqlite3.Connection, board_id: str) -> dict[str, int]:
    """How many rows of each kind `delete_board` would remove: docs' log rows and
    snapshots, drafts docs, checkpoints, votes and participants (with their names)."""
    prefix = _like_prefix(board_id)
    drafts = _like_prefix(board_id + "/drafts")

    def count(sql: str, *params: str) -> int:
        return int(conn.execute(sql, params).fetchone()[0])

    doc_rows = "FROM {} WHERE doc = ? OR doc LIKE ? ESCAPE '\\'"
    return {
        "log rows": count(f"SELECT count(*) {doc_rows.format('updates')}", board_id, prefix),
        "snapshots": count(f"SELECT count(*) {doc_rows.format('snapshots')}", board_id, prefix),
        "drafts docs": count(
            "SELECT count(DISTINCT doc) FROM (SELECT doc FROM updates UNION ALL"
            " SELECT doc FROM snapshots) WHERE doc LIKE ? ESCAPE '\\'",
            drafts,
        ),
        "checkpoints": count("SELECT count(*) FROM checkpoints WHERE board_id = ?", board_id),
        "votes": count("SELECT count(*) FROM votes WHERE board_id = ?", board_id),
        "målbild links": count("SELECT count(*) FROM vision_boards WHERE board_id = ?", board_id),
        "participants (names)": count(
            "SELECT count(*) FROM participants WHERE board_id = ?", board_id
        ),
    }


def participants_before(conn: sqlite3.Connection, before_ms: int) -> list[tuple[str, str, str]]:
    """(board id, participant id, name) of participants who joined before `before_ms` and
    still carry a name of their own, in join order per board."""
    rows = conn.execute(
        "SELECT board_id, id, name FROM participants WHERE created < ?"
        " AND name NOT GLOB 'Deltagare [0-9]*' ORDER BY board_id, created, id",
        (before_ms,),
    )
    return [(str(b), str(p), str(n)) for b, p, n in rows.fetchall()]


def rename_participants(conn: sqlite3.Connection, names: dict[str, str]) -> None:
    conn.executemany(
        "UPDATE participants SET name = ? WHERE id = ?", [(n, p) for p, n in names.items()]
    )
