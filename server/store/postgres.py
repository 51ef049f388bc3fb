"""`PostgresStore`: the `Store` on PostgreSQL, the log of record of several processes.

Appends go through the group-commit `AppendWriter` task; every other write is one
short transaction of its own on a pooled connection, and reads use the pool too. What
several processes must agree on is decided by the database, never by a process's
memory: the order of a doc's updates (its sequence in `doc_heads`), a voter's budget
(an advisory lock per voter around the check and the write) and who compacts a doc
(`pg_try_advisory_xact_lock`, and the snapshot is folded from the stored rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, Self

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool
from pycrdt import Doc

from boards.schema import now_ms
from server.store import records
from server.store.migrations import MIGRATIONS, SCHEMA_VERSION, newer_schema_error
from server.store.pgwriter import AppendWriter
from server.store.postgres_accounts import AccountTables
from server.store.queries import erase
from server.store.records import (
    BoardRecord,
    ChangeRecord,
    CheckpointRecord,
    DocHistory,
    ParticipantRecord,
)

log = logging.getLogger(__name__)

# Keys of the advisory locks; the second number keeps each use in its own key space.
_MIGRATION_LOCK = 0x53414D53  # "SAMS"
_COMPACT_SPACE = 1
_VOTER_SPACE = 2
_DOC_SPACE = 3
_BOARD_COLUMNS = (
    "id, title, template, language, join_code, facilitator_key_hash, created,"
    " wall_key_hash, anonymous, wall_key, cofacilitator_key_hash"
)
# The columns that hold a board's keys, as `_set_keys` may write them.
_KEY_COLUMNS = frozenset(
    {"facilitator_key_hash", "wall_key_hash", "wall_key", "cofacilitator_key_hash", "join_code"}
)


_VISION = "SELECT v.id, v.board_id, v.data, v.rev, v.updated FROM visions v"
_LINK_VISION = (
    "INSERT INTO vision_boards (board_id, vision_id) VALUES (%s, %s)"
    " ON CONFLICT (board_id) DO UPDATE SET vision_id = excluded.vision_id"
)


class PostgresStore(AccountTables):
    """A PostgreSQL database behind every board, used as an async context manager."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        self._pool = AsyncConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, kwargs={"connect_timeout": 10}
        )
        self._writer = AppendWriter(self._pool)
        self._open = False
        # A doc lock holds a pooled connection while its block uses others (a read, the
        # writer's commit): queue for locks here, never with every connection taken.
        self._doc_locks: dict[str, asyncio.Lock] = {}
        self._lock_slots = asyncio.Semaphore(max(1, pool_size // 2))

    async def __aenter__(self) -> Self:
        await self._pool.open(wait=True, timeout=30)
        try:
            async with self._pool.connection() as conn:
                await _migrate(conn)
        except BaseException:
            await self._pool.close()
            raise
        self._writer.start()
        self._open = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Commit every queued append, then close the pool."""
        if not self._open:
            return
        self._open = False
        await self._writer.close()
        await self._pool.close()

    def _check_open(self) -> None:
        if not self._open:
            raise records.StoreClosedError("the store is not open")

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_open()
        async with self._pool.connection() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._check_open()
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute(sql, params)
        except psycopg.errors.UniqueViolation as exc:
            raise records.DuplicateKeyError(str(exc)) from exc

    # -- documents ---------------------------------------------------------------------

    def append_update(
        self, doc: str, update: bytes, sender: str | None = None
    ) -> asyncio.Future[int]:
        """Append one update to `doc`'s log; resolves to its sequence number after commit."""
        return self._writer.append(doc, update, sender or "")

    async def recent_changes(self, doc: str, limit: int) -> list[ChangeRecord]:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT seq, created, sender, octet_length(data) FROM updates WHERE doc = %s"
                " ORDER BY seq DESC LIMIT %s",
                (doc, limit),
            )
            rows = await cursor.fetchall()
        return [ChangeRecord(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]

    async def load_doc(self, doc: str) -> DocHistory:
        return await self.history_after(doc, None)

    def damage(self) -> str | None:
        """PostgreSQL checks its own pages and reports a corrupt one as an error: None."""
        return None

    async def history_after(self, doc: str, after: int | None) -> DocHistory:
        """What is stored of `doc` past sequence number `after` (None: all of it).

        The snapshot is part of the answer when it reaches past `after`: a compaction
        may have deleted rows the caller has not seen, and the snapshot holds them.
        """
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            # One snapshot of the database for both reads: never across a compaction.
            await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor = await conn.execute("SELECT data, upto FROM snapshots WHERE doc = %s", (doc,))
            snap = await cursor.fetchone()
            snapshot: bytes | None = None
            upto = 0
            if snap is not None:
                upto = int(snap[1])
                if after is None or upto > after:
                    snapshot = bytes(snap[0])
            since = upto if after is None else max(after, upto)
            cursor = await conn.execute(
                "SELECT seq, data FROM updates WHERE doc = %s AND seq > %s ORDER BY seq",
                (doc, since),
            )
            rows = await cursor.fetchall()
        last = int(rows[-1][0]) if rows else since
        return DocHistory(snapshot, [bytes(row[1]) for row in rows], upto=last)

    async def heads(self, docs: Sequence[str]) -> dict[str, int]:
        """The last sequence number of each doc that has one."""
        rows = await self._fetch(
            "SELECT doc, seq FROM doc_heads WHERE doc = ANY(%s)", (list(docs),)
        )
        return {str(doc): int(seq) for doc, seq in rows}

    async def erased(self, docs: Sequence[str]) -> set[str]:
        """Those of `docs` that belong to a board deleted for good."""
        by_hash: dict[bytes, list[str]] = {}
        for doc in docs:
            by_hash.setdefault(erase.erased_hash(doc.split("/", 1)[0]), []).append(doc)
        rows = await self._fetch(
            "SELECT id_hash FROM erased_boards WHERE id_hash = ANY(%s)", (list(by_hash),)
        )
        return {doc for row in rows for doc in by_hash[bytes(row[0])]}

    @contextlib.asynccontextmanager
    async def doc_lock(self, doc: str) -> AsyncIterator[None]:
        """Hold `doc`'s lock, shared by every process, for the duration of the block."""
        self._check_open()
        # One waiter per doc takes a slot; the slots leave half the pool for the block.
        async with (
            self._doc_locks.setdefault(doc, asyncio.Lock()),
            self._lock_slots,
            self._pool.connection() as conn,
            conn.transaction(),
        ):
            await conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_DOC_SPACE, doc))
            yield

    async def compact(self, doc: str, state: bytes) -> int:
        """Fold `doc`'s stored log into its snapshot; returns how many rows it folded in.

        `state` (the caller's copy) is not used: a process's memory may lag behind the
        log that other processes write, so the snapshot is made from the stored rows,
        and exactly the rows it covers are deleted, in one transaction. Only one process
        compacts a doc at a time; another that tries meanwhile folds nothing.
        """
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", (_COMPACT_SPACE, doc)
            )
            row = await cursor.fetchone()
            if row is None or not row[0]:
                return 0
            cursor = await conn.execute("SELECT data, upto FROM snapshots WHERE doc = %s", (doc,))
            snap = await cursor.fetchone()
            upto = int(snap[1]) if snap else 0
            cursor = await conn.execute(
                "SELECT seq, data FROM updates WHERE doc = %s AND seq > %s ORDER BY seq",
                (doc, upto),
            )
            rows = await cursor.fetchall()
            if not rows:
                return 0
            parts = ([bytes(snap[0])] if snap else []) + [bytes(r[1]) for r in rows]
            state = parts[0] if len(parts) == 1 else await asyncio.to_thread(_fold, parts)
            last = int(rows[-1][0])
            await conn.execute(
                "INSERT INTO snapshots (doc, data, upto, created) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (doc) DO UPDATE SET data = excluded.data, upto = excluded.upto,"
                " created = excluded.created",
                (doc, state, last, now_ms()),
            )
            await conn.execute("DELETE FROM updates WHERE doc = %s AND seq <= %s", (doc, last))
        return len(rows)

    # -- boards and participants -------------------------------------------------------

    async def create_board(self, board: BoardRecord, initial_state: bytes) -> None:
        """Insert a board and its first content snapshot in one transaction."""
        try:
            async with self._pool.connection() as conn, conn.transaction():
                # The record's fields are the columns, in their order.
                await conn.execute(
                    f"INSERT INTO boards ({_BOARD_COLUMNS})"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    dataclasses.astuple(board),
                )
                await conn.execute(
                    "INSERT INTO snapshots (doc, data, upto, created) VALUES (%s, %s, 0, %s)",
                    (board.id, initial_state, board.created),
                )
        except psycopg.errors.UniqueViolation as exc:
            raise records.DuplicateKeyError(str(exc)) from exc

    async def _board(self, column: str, value: str) -> BoardRecord | None:
        assert column in ("id", "join_code")
        rows = await self._fetch(
            f"SELECT {_BOARD_COLUMNS} FROM boards WHERE {column} = %s", (value,)
        )
        return _board(rows[0]) if rows else None

    async def get_board(self, board_id: str) -> BoardRecord | None:
        return await self._board("id", board_id)

    async def get_board_by_code(self, join_code: str) -> BoardRecord | None:
        return await self._board("join_code", join_code)

    async def list_boards(self) -> list[BoardRecord]:
        rows = await self._fetch(f"SELECT {_BOARD_COLUMNS} FROM boards ORDER BY created, id")
        return [_board(row) for row in rows]

    async def set_board_flags(self, board_id: str, *, anonymous: bool) -> None:
        await self._write("UPDATE boards SET anonymous = %s WHERE id = %s", (anonymous, board_id))

    async def set_wall_key_hash(self, board_id: str, key_hash: bytes) -> None:
        await self._write(
            "UPDATE boards SET wall_key_hash = %s WHERE id = %s", (key_hash, board_id)
        )

    async def _set_keys(self, board_id: str, keys: dict[str, bytes | str | None]) -> bool:
        assert keys and set(keys) <= _KEY_COLUMNS, f"expected key columns, got {sorted(keys)}"
        self._check_open()
        assignments = ", ".join(f"{column} = %s" for column in keys)
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                f"UPDATE boards SET {assignments} WHERE id = %s",  # columns from the set above
                (*keys.values(), board_id),
            )
            return cursor.rowcount == 1

    async def set_facilitator_key_hash(self, board_id: str, key_hash: bytes) -> bool:
        return await self._set_keys(board_id, {"facilitator_key_hash": key_hash})

    async def set_cofacilitator_key_hash(self, board_id: str, key_hash: bytes | None) -> None:
        await self._set_keys(board_id, {"cofacilitator_key_hash": key_hash})

    async def set_join_code(self, board_id: str, join_code: str) -> None:
        try:
            await self._set_keys(board_id, {"join_code": join_code})
        except psycopg.errors.UniqueViolation as exc:
            raise records.DuplicateKeyError(str(exc)) from exc

    async def set_wall_key(self, board_id: str, key: str, key_hash: bytes) -> None:
        await self._set_keys(board_id, {"wall_key": key, "wall_key_hash": key_hash})

    async def create_participant(self, participant: ParticipantRecord, token_hash: bytes) -> None:
        await self._write(
            "INSERT INTO participants (id, board_id, name, token_hash, created)"
            " VALUES (%s, %s, %s, %s, %s)",
            (
                participant.id,
                participant.board_id,
                participant.name,
                token_hash,
                participant.created,
            ),
        )

    async def list_participants(self, board_id: str) -> list[ParticipantRecord]:
        rows = await self._fetch(
            "SELECT id, board_id, name, created, removed FROM participants WHERE board_id = %s"
            " ORDER BY created, id",
            (board_id,),
        )
        return [ParticipantRecord(*row) for row in rows]

    async def participant_by_token_hash(self, token_hash: bytes) -> ParticipantRecord | None:
        rows = await self._fetch(
            "SELECT id, board_id, name, created, removed FROM participants WHERE token_hash = %s",
            (token_hash,),
        )
        return ParticipantRecord(*rows[0]) if rows else None

    async def remove_participant(self, board_id: str, participant_id: str, at: int) -> bool:
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "UPDATE participants SET removed = %s"
                " WHERE board_id = %s AND id = %s AND removed IS NULL",
                (at, board_id, participant_id),
            )
            return cursor.rowcount == 1

    # -- votes -------------------------------------------------------------------------

    async def cast_vote(
        self, board_id: str, voter: str, target: str, delta: int, budget: int, per_item: int = 0
    ) -> records.VoteResult:
        """Add `delta` (+1 or -1) dots; the voter's lock makes check and write atomic
        across every process (a second vote of the same voter waits for the first)."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                (_VOTER_SPACE, f"{board_id}\x1f{voter}"),
            )
            mine = await _votes_of(conn, board_id, voter)
            used = sum(mine.values())
            current = mine.get(target, 0)
            if delta > 0 and used + delta > budget:
                raise records.VoteRefusedError(
                    "budget_exhausted", f"all {budget} votes are used; take one back first"
                )
            if delta > 0 and per_item > 0 and current + delta > per_item:
                raise records.VoteRefusedError(
                    "item_limit",
                    f"at most {per_item} votes on one item; put the next one elsewhere",
                )
            if delta < 0 and current + delta < 0:
                raise records.VoteRefusedError(
                    "no_vote_to_remove", "there is no vote of yours to remove"
                )
            await conn.execute(
                "INSERT INTO votes (board_id, voter, target, count) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (board_id, voter, target)"
                " DO UPDATE SET count = votes.count + %s",
                (board_id, voter, target, current + delta, delta),
            )
            cursor = await conn.execute(
                "SELECT coalesce(sum(count), 0) FROM votes WHERE board_id = %s AND target = %s",
                (board_id, target),
            )
            row = await cursor.fetchone()
            total = int(row[0]) if row else 0
            mine = await _votes_of(conn, board_id, voter)
        return records.VoteResult(budget - used - delta, mine, total)

    async def votes_used(self, board_id: str) -> dict[str, int]:
        """voter -> dots placed, voters with none left out."""
        rows = await self._fetch(
            "SELECT voter, sum(count) FROM votes WHERE board_id = %s"
            " GROUP BY voter HAVING sum(count) > 0 ORDER BY voter",
            (board_id,),
        )
        return {str(voter): int(total) for voter, total in rows}

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]:
        async with self._pool.connection() as conn:
            return await _votes_of(conn, board_id, voter)

    async def vote_tallies(self, board_id: str) -> dict[str, int]:
        """Every target's total on a board (targets with no votes left out)."""
        rows = await self._fetch(
            "SELECT target, sum(count) FROM votes WHERE board_id = %s"
            " GROUP BY target HAVING sum(count) > 0 ORDER BY target",
            (board_id,),
        )
        return {str(target): int(total) for target, total in rows}

    async def clear_votes(self, board_id: str) -> None:
        await self._write("DELETE FROM votes WHERE board_id = %s", (board_id,))

    # -- checkpoints -------------------------------------------------------------------

    async def create_checkpoint(
        self, record: CheckpointRecord, content: bytes, session: bytes
    ) -> None:
        await self._write(
            "INSERT INTO checkpoints (id, board_id, name, at, content, session)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (record.id, record.board_id, record.name, record.at, content, session),
        )

    async def list_checkpoints(self, board_id: str) -> list[CheckpointRecord]:
        rows = await self._fetch(
            "SELECT id, board_id, name, at FROM checkpoints WHERE board_id = %s ORDER BY at, id",
            (board_id,),
        )
        return [CheckpointRecord(*row) for row in rows]

    async def checkpoint_states(
        self, board_id: str, checkpoint_id: str
    ) -> tuple[bytes, bytes] | None:
        """The content and session doc states saved in a checkpoint."""
        rows = await self._fetch(
            "SELECT content, session FROM checkpoints WHERE board_id = %s AND id = %s",
            (board_id, checkpoint_id),
        )
        return (bytes(rows[0][0]), bytes(rows[0][1])) if rows else None

    # -- the målbild (visions) ---------------------------------------------------------

    async def create_vision(self, record: records.VisionRecord) -> None:
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO visions (id, board_id, data, rev, updated)"
                " VALUES (%s, %s, %s, %s, %s)",
                (record.id, record.board_id, record.data, record.rev, record.updated),
            )
            await conn.execute(_LINK_VISION, (record.board_id, record.id))

    async def _vision(self, where: str, params: Sequence[Any]) -> records.VisionRecord | None:
        rows = await self._fetch(f"{_VISION} {where}", params)
        return records.VisionRecord(*rows[0]) if rows else None

    async def get_vision(self, vision_id: str) -> records.VisionRecord | None:
        return await self._vision("WHERE v.id = %s", (vision_id,))

    async def vision_of_board(self, board_id: str) -> records.VisionRecord | None:
        return await self._vision(
            "JOIN vision_boards b ON b.vision_id = v.id WHERE b.board_id = %s", (board_id,)
        )

    async def link_vision(self, vision_id: str, board_id: str) -> None:
        await self._write(_LINK_VISION, (board_id, vision_id))

    async def vision_boards(self, vision_id: str) -> list[str]:
        rows = await self._fetch(
            "SELECT b.board_id FROM vision_boards b JOIN boards ON boards.id = b.board_id"
            " WHERE b.vision_id = %s ORDER BY boards.created, b.board_id",
            (vision_id,),
        )
        return [str(row[0]) for row in rows]

    async def update_vision(self, vision_id: str, data: str, expected_rev: int) -> int | None:
        """Write `data` if the document is still at `expected_rev`; the new rev, or None."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "UPDATE visions SET data = %s, rev = rev + 1, updated = %s"
                " WHERE id = %s AND rev = %s",
                (data, now_ms(), vision_id, expected_rev),
            )
            return expected_rev + 1 if cursor.rowcount == 1 else None

    async def set_vision_comment_token_hash(self, vision_id: str, token_hash: bytes) -> None:
        await self._write(
            "UPDATE visions SET comment_token_hash = %s WHERE id = %s", (token_hash, vision_id)
        )

    async def vision_by_comment_token_hash(self, token_hash: bytes) -> records.VisionRecord | None:
        return await self._vision("WHERE v.comment_token_hash = %s", (token_hash,))

    async def create_vision_version(self, record: records.VisionVersionRecord, data: str) -> None:
        await self._write(
            "INSERT INTO vision_versions (id, vision_id, name, at, data)"
            " VALUES (%s, %s, %s, %s, %s)",
            (record.id, record.vision_id, record.name, record.at, data),
        )

    async def list_vision_versions(self, vision_id: str) -> list[records.VisionVersionRecord]:
        rows = await self._fetch(
            "SELECT id, vision_id, name, at FROM vision_versions WHERE vision_id = %s"
            " ORDER BY at, id",
            (vision_id,),
        )
        return [records.VisionVersionRecord(*row) for row in rows]

    async def vision_version_data(self, vision_id: str, version_id: str) -> str | None:
        rows = await self._fetch(
            "SELECT data FROM vision_versions WHERE vision_id = %s AND id = %s",
            (vision_id, version_id),
        )
        return str(rows[0][0]) if rows else None

    async def add_reaction(self, record: records.ReactionRecord) -> None:
        await self._write(
            "INSERT INTO vision_reactions (id, vision_id, statement, kind, comment, name, at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s)",
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

    async def list_reactions(self, vision_id: str) -> list[records.ReactionRecord]:
        rows = await self._fetch(
            "SELECT id, vision_id, statement, kind, comment, name, at FROM vision_reactions"
            " WHERE vision_id = %s ORDER BY at, id",
            (vision_id,),
        )
        return [records.ReactionRecord(*row) for row in rows]

    async def set_vision_logo(self, vision_id: str, media_type: str, data: bytes) -> None:
        await self._write(
            "INSERT INTO vision_logos (vision_id, media_type, data, updated)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (vision_id) DO UPDATE SET"
            " media_type = excluded.media_type, data = excluded.data, updated = excluded.updated",
            (vision_id, media_type, data, now_ms()),
        )

    async def vision_logo(self, vision_id: str) -> tuple[str, bytes] | None:
        rows = await self._fetch(
            "SELECT media_type, data FROM vision_logos WHERE vision_id = %s", (vision_id,)
        )
        return (str(rows[0][0]), bytes(rows[0][1])) if rows else None

    async def delete_vision_logo(self, vision_id: str) -> None:
        await self._write("DELETE FROM vision_logos WHERE vision_id = %s", (vision_id,))


def _fold(parts: list[bytes]) -> bytes:
    """The stored parts of a doc as one update, the way a doc holds them: what was deleted
    keeps its ids but not its content. `merge_updates` would keep a deleted text (a name
    the retention period replaced, a note taken back) in the snapshot; SQLite's snapshot,
    made from the live doc, never has it. The Doc is made and dropped in this one thread
    (the caller's worker), never shared."""
    doc: Doc[Any] = Doc()
    for part in parts:
        doc.apply_update(part)
    return doc.get_update()


def _board(row: tuple[Any, ...]) -> BoardRecord:
    board_id, title, template, language, join_code, key_hash, created, wall_hash, anon = row[:9]
    wall_key, cofacilitator_hash = row[9:]
    return BoardRecord(
        board_id,
        title,
        template,
        language,
        join_code,
        bytes(key_hash),
        int(created),
        bytes(wall_hash) if wall_hash is not None else None,
        bool(anon),
        wall_key=wall_key,
        cofacilitator_key_hash=bytes(cofacilitator_hash) if cofacilitator_hash else None,
    )


async def _votes_of(conn: AsyncConnection[Any], board_id: str, voter: str) -> dict[str, int]:
    cursor = await conn.execute(
        "SELECT target, count FROM votes WHERE board_id = %s AND voter = %s AND count > 0"
        " ORDER BY target",
        (board_id, voter),
    )
    return {str(target): int(count) for target, count in await cursor.fetchall()}


async def _migrate(conn: AsyncConnection[Any]) -> None:
    """Run the missing steps of `MIGRATIONS` in one transaction; refuse a newer database.

    An advisory lock makes processes that start together take turns: the first
    migrates, the others find the schema up to date.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await conn.execute("CREATE TABLE IF NOT EXISTS samsyn_schema (version INTEGER NOT NULL)")
        cursor = await conn.execute("SELECT version FROM samsyn_schema")
        row = await cursor.fetchone()
        if row is None:
            await conn.execute("INSERT INTO samsyn_schema (version) VALUES (0)")
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise newer_schema_error(version)
        for target in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[target].postgresql:
                await conn.execute(statement)
            await conn.execute("UPDATE samsyn_schema SET version = %s", (target + 1,))
            log.info("store: migrated PostgreSQL to schema version %d", target + 1)
