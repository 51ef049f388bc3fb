"""The schema of both backends, as one list of numbered steps with SQL per dialect.

Step i takes a database from schema version i to i + 1, on SQLite and on PostgreSQL
alike, so the two never drift apart in what they hold; only the spelling differs (BLOB
and BYTEA, an autoincrement row id in SQLite's log and a per-doc sequence number in
PostgreSQL's, which processes on several machines share). The SQLite statements make
the same tables the first databases got from sqlite-utils. `migrate` runs the missing
steps on SQLite; `server.store.postgres` runs them on PostgreSQL.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Step:
    """One schema version's change, written for each backend."""

    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]


# Index i holds the step from schema version i to i + 1. Append, never edit.
MIGRATIONS: list[Step] = [
    Step(
        sqlite=(
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
        postgresql=(
            "CREATE TABLE boards (id TEXT PRIMARY KEY, title TEXT NOT NULL,"
            " template TEXT NOT NULL, language TEXT NOT NULL, join_code TEXT NOT NULL,"
            " facilitator_key_hash BYTEA NOT NULL, created BIGINT)",
            "CREATE UNIQUE INDEX idx_boards_join_code ON boards (join_code)",
            "CREATE TABLE participants (id TEXT PRIMARY KEY,"
            " board_id TEXT NOT NULL REFERENCES boards(id), name TEXT NOT NULL,"
            " token_hash BYTEA NOT NULL, created BIGINT)",
            "CREATE UNIQUE INDEX idx_participants_token_hash ON participants (token_hash)",
            "CREATE INDEX idx_participants_board_id ON participants (board_id)",
            # The log of record: `seq` numbers each doc's updates 1, 2, 3, ... in commit
            # order; `doc_heads` holds the last number given out (its row lock orders
            # appends of one doc across processes).
            "CREATE TABLE updates (doc TEXT NOT NULL, seq BIGINT NOT NULL,"
            " data BYTEA NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (doc, seq))",
            "CREATE TABLE doc_heads (doc TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            "CREATE TABLE snapshots (doc TEXT PRIMARY KEY, data BYTEA NOT NULL,"
            " upto BIGINT NOT NULL, created BIGINT NOT NULL)",
        ),
    ),
    Step(
        sqlite=(
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
        postgresql=(
            "ALTER TABLE boards ADD COLUMN wall_key_hash BYTEA",
            "ALTER TABLE boards ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT false",
            "CREATE TABLE votes (board_id TEXT NOT NULL REFERENCES boards(id),"
            " voter TEXT NOT NULL, target TEXT NOT NULL, count INTEGER NOT NULL,"
            " PRIMARY KEY (board_id, voter, target))",
            "CREATE TABLE checkpoints (id TEXT PRIMARY KEY,"
            " board_id TEXT NOT NULL REFERENCES boards(id), name TEXT NOT NULL,"
            " at BIGINT NOT NULL, content BYTEA NOT NULL, session BYTEA NOT NULL)",
            "CREATE INDEX idx_checkpoints_board_id_at ON checkpoints (board_id, at)",
        ),
    ),
    Step(
        # The wall key in clear, so that the facilitator's panel can show the wall link
        # again (it opens a read-only view of what the database holds anyway); the
        # co-facilitator's key only as a hash, like the facilitator's.
        sqlite=(
            'ALTER TABLE "boards" ADD COLUMN "wall_key" TEXT',
            'ALTER TABLE "boards" ADD COLUMN "cofacilitator_key_hash" BLOB',
        ),
        postgresql=(
            "ALTER TABLE boards ADD COLUMN wall_key TEXT",
            "ALTER TABLE boards ADD COLUMN cofacilitator_key_hash BYTEA",
        ),
    ),
    Step(
        # The målbild of a board lineage: started on `board_id`, shared by the boards that
        # continue from it (`vision_boards`), with named immutable versions and reactions.
        sqlite=(
            "CREATE TABLE visions (id TEXT PRIMARY KEY,"
            " board_id TEXT NOT NULL REFERENCES boards(id), data TEXT NOT NULL,"
            " rev INTEGER NOT NULL, updated INTEGER NOT NULL, comment_token_hash BLOB)",
            "CREATE UNIQUE INDEX idx_visions_comment_token_hash ON visions (comment_token_hash)",
            "CREATE TABLE vision_boards (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
            " vision_id TEXT NOT NULL REFERENCES visions(id))",
            "CREATE TABLE vision_versions (id TEXT PRIMARY KEY,"
            " vision_id TEXT NOT NULL REFERENCES visions(id), name TEXT NOT NULL,"
            " at INTEGER NOT NULL, data TEXT NOT NULL, UNIQUE (vision_id, name))",
            "CREATE TABLE vision_reactions (id TEXT PRIMARY KEY,"
            " vision_id TEXT NOT NULL REFERENCES visions(id), statement TEXT NOT NULL,"
            " kind TEXT NOT NULL, comment TEXT NOT NULL, name TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE INDEX idx_vision_reactions_vision_id ON vision_reactions (vision_id, at)",
        ),
        postgresql=(
            "CREATE TABLE visions (id TEXT PRIMARY KEY,"
            " board_id TEXT NOT NULL REFERENCES boards(id), data TEXT NOT NULL,"
            " rev BIGINT NOT NULL, updated BIGINT NOT NULL, comment_token_hash BYTEA)",
            "CREATE UNIQUE INDEX idx_visions_comment_token_hash ON visions (comment_token_hash)",
            "CREATE TABLE vision_boards (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
            " vision_id TEXT NOT NULL REFERENCES visions(id))",
            "CREATE TABLE vision_versions (id TEXT PRIMARY KEY,"
            " vision_id TEXT NOT NULL REFERENCES visions(id), name TEXT NOT NULL,"
            " at BIGINT NOT NULL, data TEXT NOT NULL, UNIQUE (vision_id, name))",
            "CREATE TABLE vision_reactions (id TEXT PRIMARY KEY,"
            " vision_id TEXT NOT NULL REFERENCES visions(id), statement TEXT NOT NULL,"
            " kind TEXT NOT NULL, comment TEXT NOT NULL, name TEXT NOT NULL, at BIGINT NOT NULL)",
            "CREATE INDEX idx_vision_reactions_vision_id ON vision_reactions (vision_id, at)",
        ),
    ),
    Step(
        # Accounts: organisations (a library, a region), their members, sign-in sessions,
        # single-use links (invites, set-password); boards and journeys an org owns.
        sqlite=(
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
        postgresql=(
            "CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
            " created BIGINT NOT NULL)",
            "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
            " password_hash TEXT, created BIGINT NOT NULL)",
            "CREATE TABLE memberships (org_id TEXT NOT NULL REFERENCES orgs(id),"
            " user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL,"
            " PRIMARY KEY (org_id, user_id))",
            "CREATE TABLE user_sessions (id_hash BYTEA PRIMARY KEY,"
            " user_id TEXT NOT NULL REFERENCES users(id), created BIGINT NOT NULL,"
            " expires BIGINT NOT NULL)",
            "CREATE TABLE links (token_hash BYTEA PRIMARY KEY, kind TEXT NOT NULL,"
            " org_id TEXT, user_id TEXT, role TEXT, expires BIGINT NOT NULL,"
            " used BIGINT NOT NULL DEFAULT 0)",
            "CREATE TABLE board_orgs (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
            " org_id TEXT NOT NULL REFERENCES orgs(id))",
            "CREATE INDEX idx_board_orgs_org_id ON board_orgs (org_id)",
            "CREATE TABLE journeys (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id),"
            " title TEXT NOT NULL, language TEXT NOT NULL, created BIGINT NOT NULL)",
            "CREATE TABLE journey_steps (journey_id TEXT NOT NULL REFERENCES journeys(id),"
            " step BIGINT NOT NULL, status TEXT NOT NULL, starts TEXT, ends TEXT,"
            " PRIMARY KEY (journey_id, step))",
            "CREATE TABLE journey_boards (board_id TEXT PRIMARY KEY REFERENCES boards(id),"
            " journey_id TEXT NOT NULL REFERENCES journeys(id), step BIGINT NOT NULL,"
            " grp TEXT NOT NULL DEFAULT '', created BIGINT NOT NULL)",
            "CREATE INDEX idx_journey_boards_journey ON journey_boards (journey_id, step)",
        ),
    ),
    # Who sent each update ("role:participant id:name", empty for the server's own), so
    # the facilitator can see who changed the board (GET /api/boards/{id}/changes).
    Step(
        sqlite=("ALTER TABLE updates ADD COLUMN sender TEXT NOT NULL DEFAULT ''",),
        postgresql=("ALTER TABLE updates ADD COLUMN sender TEXT NOT NULL DEFAULT ''",),
    ),
    # Boards deleted for good, as the SHA-256 of their id (and when), nothing else of
    # them: a process that still holds one of their docs in memory is refused when it
    # writes, and closes it; the file keeps no trace of the id itself.
    Step(
        sqlite=("CREATE TABLE erased_boards (id_hash BLOB PRIMARY KEY, erased INTEGER NOT NULL)",),
        postgresql=(
            "CREATE TABLE erased_boards (id_hash BYTEA PRIMARY KEY, erased BIGINT NOT NULL)",
        ),
    ),
    # When the facilitator removed a participant (epoch ms; NULL while they take part):
    # their token stops working, the row stays so their notes keep an author and a name.
    Step(
        sqlite=('ALTER TABLE "participants" ADD COLUMN "removed" INTEGER',),
        postgresql=("ALTER TABLE participants ADD COLUMN removed BIGINT",),
    ),
    # The library's logo on the målbild's documents (Word header, print page): one image
    # per målbild, PNG or JPEG, its type checked by the service before it gets here.
    Step(
        sqlite=(
            "CREATE TABLE vision_logos (vision_id TEXT PRIMARY KEY REFERENCES visions(id),"
            " media_type TEXT NOT NULL, data BLOB NOT NULL, updated INTEGER NOT NULL)",
        ),
        postgresql=(
            "CREATE TABLE vision_logos (vision_id TEXT PRIMARY KEY REFERENCES visions(id),"
            " media_type TEXT NOT NULL, data BYTEA NOT NULL, updated BIGINT NOT NULL)",
        ),
    ),
    # The order a step's boards were made in (the groups as the facilitator listed them):
    # boards made in the same millisecond no longer fall back to the order of their ids.
    Step(
        sqlite=("ALTER TABLE journey_boards ADD COLUMN position INTEGER NOT NULL DEFAULT 0",),
        postgresql=("ALTER TABLE journey_boards ADD COLUMN position BIGINT NOT NULL DEFAULT 0",),
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def newer_schema_error(version: int) -> RuntimeError:
    return RuntimeError(
        f"database schema version {version} is newer than this Samsyn "
        f"understands ({SCHEMA_VERSION}); upgrade Samsyn"
    )


def migrate(conn: sqlite3.Connection) -> None:
    """Run the missing steps, each in its own transaction; refuse a newer database."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise newer_schema_error(version)
    for target in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[target].sqlite:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={target + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        log.info("store: migrated to schema version %d", target + 1)
