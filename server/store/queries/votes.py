"""The `votes` table. `cast` checks the budget (and the per-item maximum) and writes in one
job, so it is atomic."""

from __future__ import annotations

import sqlite3

from server.store.records import VoteRefusedError, VoteResult


def cast(
    conn: sqlite3.Connection,
    board_id: str,
    voter: str,
    target: str,
    delta: int,
    budget: int,
    per_item: int = 0,
) -> VoteResult:
    used = conn.execute(
        "SELECT coalesce(sum(count), 0) FROM votes WHERE board_id = ? AND voter = ?",
        (board_id, voter),
    ).fetchone()[0]
    row = conn.execute(
        "SELECT count FROM votes WHERE board_id = ? AND voter = ? AND target = ?",
        (board_id, voter, target),
    ).fetchone()
    current = int(row[0]) if row else 0
    if delta > 0 and used + delta > budget:
        raise VoteRefusedError(
            "budget_exhausted", f"all {budget} votes are used; take one back first"
        )
    if delta > 0 and per_item > 0 and current + delta > per_item:
        raise VoteRefusedError(
            "item_limit", f"at most {per_item} votes on one item; put the next one elsewhere"
        )
    if delta < 0 and current + delta < 0:
        raise VoteRefusedError("no_vote_to_remove", "there is no vote of yours to remove")
    conn.execute(
        "INSERT INTO votes (board_id, voter, target, count) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (board_id, voter, target) DO UPDATE SET count = count + ?",
        (board_id, voter, target, current + delta, delta),
    )
    total = conn.execute(
        "SELECT coalesce(sum(count), 0) FROM votes WHERE board_id = ? AND target = ?",
        (board_id, target),
    ).fetchone()[0]
    return VoteResult(budget - used - delta, mine(conn, board_id, voter), total)


def mine(conn: sqlite3.Connection, board_id: str, voter: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT target, count FROM votes WHERE board_id = ? AND voter = ? AND count > 0"
        " ORDER BY target",
        (board_id, voter),
    )
    return {target: int(count) for target, count in rows.fetchall()}


def _sums(conn: sqlite3.Connection, board_id: str, by: str) -> dict[str, int]:
    """Dots per voter or per target (`by`, one of the two column names), zeros left out."""
    if by not in ("voter", "target"):
        raise ValueError(f"expected by='voter' or 'target', got {by!r}")
    rows = conn.execute(
        f"SELECT {by}, sum(count) FROM votes WHERE board_id = ?"
        f" GROUP BY {by} HAVING sum(count) > 0 ORDER BY {by}",
        (board_id,),
    )
    return {key: int(total) for key, total in rows.fetchall()}


def used_by_voter(conn: sqlite3.Connection, board_id: str) -> dict[str, int]:
    """How many dots each voter has placed (voters with none left out)."""
    return _sums(conn, board_id, "voter")


def tallies(conn: sqlite3.Connection, board_id: str) -> dict[str, int]:
    return _sums(conn, board_id, "target")


def clear(conn: sqlite3.Connection, board_id: str) -> None:
    conn.execute("DELETE FROM votes WHERE board_id = ?", (board_id,))
