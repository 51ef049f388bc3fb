"""The `journeys`, `journey_steps` and `journey_boards` tables."""

from __future__ import annotations

import dataclasses
import sqlite3

from server.store.org_records import JourneyBoardRecord, JourneyRecord, JourneyStepRecord

_JOURNEY = "SELECT id, org_id, title, language, created FROM journeys"


def insert(conn: sqlite3.Connection, journey: JourneyRecord, steps: int) -> None:
    conn.execute(
        "INSERT INTO journeys (id, org_id, title, language, created) VALUES (?, ?, ?, ?, ?)",
        (journey.id, journey.org_id, journey.title, journey.language, journey.created),
    )
    conn.executemany(
        "INSERT INTO journey_steps (journey_id, step, status) VALUES (?, ?, 'planned')",
        [(journey.id, step) for step in range(1, steps + 1)],
    )


def one(conn: sqlite3.Connection, journey_id: str) -> JourneyRecord | None:
    row = conn.execute(f"{_JOURNEY} WHERE id = ?", (journey_id,)).fetchone()
    return JourneyRecord(*row) if row else None


def of_org(conn: sqlite3.Connection, org_id: str) -> list[JourneyRecord]:
    rows = conn.execute(f"{_JOURNEY} WHERE org_id = ? ORDER BY created", (org_id,))
    return [JourneyRecord(*row) for row in rows.fetchall()]


def steps(conn: sqlite3.Connection, journey_id: str) -> list[JourneyStepRecord]:
    rows = conn.execute(
        "SELECT journey_id, step, status, starts, ends FROM journey_steps"
        " WHERE journey_id = ? ORDER BY step",
        (journey_id,),
    )
    return [JourneyStepRecord(*row) for row in rows.fetchall()]


def set_step(conn: sqlite3.Connection, step: JourneyStepRecord) -> None:
    conn.execute(
        "UPDATE journey_steps SET status = ?, starts = ?, ends = ?"
        " WHERE journey_id = ? AND step = ?",
        (step.status, step.starts, step.ends, step.journey_id, step.step),
    )


def add_board(conn: sqlite3.Connection, record: JourneyBoardRecord) -> None:
    conn.execute(
        "INSERT INTO journey_boards (board_id, journey_id, step, grp, created, position)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        dataclasses.astuple(record),  # the columns in the record's order
    )


def boards(conn: sqlite3.Connection, journey_id: str) -> list[JourneyBoardRecord]:
    rows = conn.execute(
        "SELECT board_id, journey_id, step, grp, created, position FROM journey_boards"
        " WHERE journey_id = ? ORDER BY step, position, created, board_id",
        (journey_id,),
    )
    return [JourneyBoardRecord(*row) for row in rows.fetchall()]


def delete(conn: sqlite3.Connection, journey_id: str) -> None:
    """The journey's own rows; its boards are deleted one by one before this."""
    conn.execute("DELETE FROM journey_boards WHERE journey_id = ?", (journey_id,))
    conn.execute("DELETE FROM journey_steps WHERE journey_id = ?", (journey_id,))
    conn.execute("DELETE FROM journeys WHERE id = ?", (journey_id,))
