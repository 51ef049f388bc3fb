"""The SQLite schema, as numbered steps; `migrate` brings a database up to date.

The steps are plain SQL, so a reader sees the tables as SQLite holds them, and a second
backend writes its own DDL beside them. (The first databases were made through
sqlite-utils; these statements make the same tables, so both kinds open alike.)
"""

from __future__ import annotations

import logging
import sqlite3

log = logging.getLogger(__name__)

# Index i holds the step from schema version i to i + 1. Append, never edit.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        'CREATE TABLE "boards" ("id" TEXT PRIMARY KEY, "title" TEXT NOT NULL,'
        ' "template" TEXT NOT NULL, "language" TEXT NOT NULL, "join_code" TEXT NOT NULL,'
        ' "facilitator_key_hash" BLOB NOT NULL, "created" INTEGER)',
        'CREATE UNIQUE INDEX "idx_boards_join_code" ON "boards" ("join_code")',
        'CREATE TABLE "participants" ("id" TEXT PRIMARY KEY,'
        ' "board_id" TEXT NOT NULL REFERENCES "boards"("id"), "name" TEXT NOT NULL,'
        ' "token_hash" BLOB NOT NULL, "created" INTEGER)',
        'CREATE UNIQUE INDEX "idx_participants_token_hash" ON "participants" ("token_hash")',
        'CREATE INDEX "idx_participants_board_id" ON "participants" ("board_id")',
        "CREATE TABLE updates (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " doc TEXT NOT NULL, data BLOB NOT NULL, created INTEGER NOT NULL)",
        'CREATE INDEX "idx_updates_doc_id" ON "updates" ("doc", "id")',
        'CREATE TABLE "snapshots" ("doc" TEXT PRIMARY KEY, "data" BLOB NOT NULL,'
        ' "upto" INTEGER NOT NULL, "created" INTEGER NOT NULL)',
    ),
    (
        'ALTER TABLE "boards" ADD COLUMN "wall_key_hash" BLOB',
        'ALTER TABLE "boards" ADD COLUMN "anonymous" INTEGER NOT NULL DEFAULT 0',
        "CREATE TABLE votes (board_id TEXT NOT NULL REFERENCES boards(id),"
        " voter TEXT NOT NULL, target TEXT NOT NULL, count INTEGER NOT NULL,"
        " PRIMARY KEY (board_id, voter, target))",
        'CREATE TABLE "checkpoints" ("id" TEXT PRIMARY KEY,'
        ' "board_id" TEXT NOT NULL REFERENCES "boards"("id"), "name" TEXT NOT NULL,'
        ' "at" INTEGER NOT NULL, "content" BLOB NOT NULL, "session" BLOB NOT NULL)',
        'CREATE INDEX "idx_checkpoints_board_id_at" ON "checkpoints" ("board_id", "at")',
    ),
    (
        # Accounts: organisations (a library, a region), their members, sign-in sessions,
        # single-use links (invites, set-password); boards and journeys an org owns.
        "CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
        " created INTEGER NOT NULL)",
        "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
        " password_hash TEXT, created INTEGER NOT NULL)",
        "CREATE TABLE memberships (org_id TEXT NOT NULL REFERENCES orgs(id),"
        " user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL,"
        " PRIMARY KEY (org_id, user_id))",
        "CREATE TABLE user_sessions (id_hash BLOB PRIMARY KEY,"
        " user_id TEXT NOT NULL REFERENCES users(id), created INTEGER NOT NULL,"
        " expires INTEGER NOT NULL)",
        "CREATE TABLE links (token_hash BLOB PRIMARY KEY, kind TEXT NOT NULL,"
        " org_id TEXT, user_id TEXT, role TEXT, expires INTEGER NOT NULL,"
        " used INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE board_orgs (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
        " org_id TEXT NOT NULL REFERENCES orgs(id))",
        "CREATE INDEX idx_board_orgs_org_id ON board_orgs (org_id)",
        "CREATE TABLE journeys (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id),"
        " title TEXT NOT NULL, language TEXT NOT NULL, created INTEGER NOT NULL)",
        "CREATE TABLE journey_steps (journey_id TEXT NOT NULL REFERENCES journeys(id),"
        " step INTEGER NOT NULL, status TEXT NOT NULL, starts TEXT, ends TEXT,"
        " PRIMARY KEY (journey_id, step))",
        "CREATE TABLE journey_boards (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
        " journey_id TEXT NOT NULL REFERENCES journeys(id), step INTEGER NOT NULL,"
        " grp TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL)",
        "CREATE INDEX idx_journey_boards_journey ON journey_boards (journey_id, step)",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Run the missing steps, each in its own transaction; refuse a newer database."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"database schema version {version} is newer than this Samsyn "
            f"understands ({SCHEMA_VERSION}); upgrade Samsyn"
        )
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("store: migrated to schema version %d", target + 1)
