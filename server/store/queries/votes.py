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
    per_item: int | None = None,
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
    if delta > 0 and per_item is not None and current + delta > per_item:
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


def used_by_voter(conn: sqlite3.Connection, board_id: str) -> dict[str, int]:
    """How many dots each voter has placed (voters with none left out)."""
    rows = conn.execute(
        "SELECT voter, sum(count) FROM votes WHERE board_id = ?"
        " GROUP BY voter HAVING sum(count) > 0 ORDER BY voter",
        (board_id,),
    )
    return {voter: int(used) for voter, used in rows.fetchall()}


def tallies(conn: sqlite3.Connection, board_id: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT target, sum(count) FROM votes WHERE board_id = ?"
        " GROUP BY target HAVING sum(count) > 0 ORDER BY target",
        (board_id,),
    )
    return {target: int(total) for target, total in rows.fetchall()}


def clear(conn: sqlite3.Connection, board_id: str) -> None:
    conn.execute("DELETE FROM votes WHERE board_id = ?", (board_id,))
