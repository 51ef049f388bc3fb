"""SQLite storage: boards, participants, the append-only update log and snapshots.

Every statement runs on one writer thread fed by a queue. The thread takes whatever
jobs are waiting, runs them in one transaction (each in its own savepoint, so one
failing job does not sink the others) and commits once: group commit. Futures are
resolved on the event loop only after the commit, so an update acknowledged by
`append_update` is on disk (in the WAL) and survives a crash of the process.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import sqlite_utils

log = logging.getLogger(__name__)

T = TypeVar("T")

# Jobs taken into one transaction at most; bounds the latency of a single commit.
_MAX_BATCH = 512


class StoreClosedError(RuntimeError):
    """The store was used before it was opened or after it was closed."""


@dataclass(frozen=True, slots=True)
class BoardRecord:
    id: str
    title: str
    template: str
    language: str
    join_code: str
    facilitator_key_hash: bytes
    created: int
    wall_key_hash: bytes | None = None
    anonymous: bool = False


_BOARD_COLUMNS = (
    "id, title, template, language, join_code, facilitator_key_hash, created,"
    " wall_key_hash, anonymous"
)


def _board(row: tuple[Any, ...]) -> BoardRecord:
    board_id, title, template, language, join_code, key_hash, created, wall_hash, anon = row
    return BoardRecord(
        board_id, title, template, language, join_code, key_hash, created, wall_hash, bool(anon)
    )


class VoteRefusedError(Exception):
    """A vote that the budget does not allow; `code` is the API error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


@dataclass(frozen=True, slots=True)
class VoteResult:
    remaining: int
    mine: dict[str, int]
    total: int  # the target's tally after this vote


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    id: str
    board_id: str
    name: str
    at: int


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    id: str
    board_id: str
    name: str
    created: int


@dataclass(frozen=True, slots=True)
class DocHistory:
    """What is stored of one doc: its snapshot (if any) and the log rows after it."""

    snapshot: bytes | None
    updates: list[bytes]


@dataclass(slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]


def _migrate_1(db: sqlite_utils.Database) -> None:
    db.table("boards").create(
        {
            "id": str,
            "title": str,
            "template": str,
            "language": str,
            "join_code": str,
            "facilitator_key_hash": bytes,
            "created": int,
        },
        pk="id",
        not_null={"title", "template", "language", "join_code", "facilitator_key_hash"},
    )
    db.table("boards").create_index(["join_code"], unique=True)
    db.table("participants").create(
        {"id": str, "board_id": str, "name": str, "token_hash": bytes, "created": int},
        pk="id",
        not_null={"board_id", "name", "token_hash"},
        foreign_keys=[("board_id", "boards", "id")],
    )
    db.table("participants").create_index(["token_hash"], unique=True)
    db.table("participants").create_index(["board_id"])
    db.execute(
        "CREATE TABLE updates (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " doc TEXT NOT NULL, data BLOB NOT NULL, created INTEGER NOT NULL)"
    )
    db.table("updates").create_index(["doc", "id"])
    db.table("snapshots").create(
        {"doc": str, "data": bytes, "upto": int, "created": int},
        pk="doc",
        not_null={"data", "upto", "created"},
    )


def _migrate_2(db: sqlite_utils.Database) -> None:
    boards = db.table("boards")
    boards.add_column("wall_key_hash", bytes)
    boards.add_column("anonymous", int, not_null_default=0)
    db.execute(
        "CREATE TABLE votes (board_id TEXT NOT NULL REFERENCES boards(id),"
        " voter TEXT NOT NULL, target TEXT NOT NULL, count INTEGER NOT NULL,"
        " PRIMARY KEY (board_id, voter, target))"
    )
    db.table("checkpoints").create(
        {
            "id": str,
            "board_id": str,
            "name": str,
            "at": int,
            "content": bytes,
            "session": bytes,
        },
        pk="id",
        not_null={"board_id", "name", "at", "content", "session"},
        foreign_keys=[("board_id", "boards", "id")],
    )
    db.table("checkpoints").create_index(["board_id", "at"])


# Index i holds the step from schema version i to i + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_migrate_1, _migrate_2]
SCHEMA_VERSION = len(MIGRATIONS)


def _now_ms() -> int:
    return int(time.time() * 1000)


class Store:
    """The SQLite database behind every board, used as an async context manager."""

    def __init__(self, path: Path, *, synchronous: str = "NORMAL") -> None:
        self.path = path
        self._synchronous = synchronous
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> Store:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._run_writer, args=(ready,), name="samsyn-store-writer", daemon=True
        )
        self._thread.start()
        await ready
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Finish every queued job, then stop the writer thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        await asyncio.to_thread(thread.join)
        self._thread = None

    # -- the writer thread -------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    def _run_writer(self, ready: asyncio.Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        try:
            conn = self._connect()
            self._migrate(conn)
        except BaseException as exc:
            loop.call_soon_threadsafe(_settle, ready, None, exc)
            return
        loop.call_soon_threadsafe(_settle, ready, None, None)
        try:
            stopping = False
            while not stopping:
                first = self._queue.get()
                if first is None:
                    break
                batch = [first]
                while len(batch) < _MAX_BATCH:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is None:
                        stopping = True
                        break
                    batch.append(job)
                outcomes = self._run_batch(conn, batch)
                loop.call_soon_threadsafe(_settle_all, outcomes)
        finally:
            conn.close()

    def _run_batch(
        self, conn: sqlite3.Connection, batch: list[_Job]
    ) -> list[tuple[asyncio.Future[Any], Any, BaseException | None]]:
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    if not conn.in_transaction:
                        # SQLite rolled the whole transaction back itself (a full disk,
                        # an I/O error): every job of the batch failed with this one.
                        raise
                    conn.execute("ROLLBACK TO job")
                    outcomes.append((job.future, None, exc))
                else:
                    outcomes.append((job.future, result, None))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.error("store: transaction of %d jobs failed: %s", len(batch), exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            return [(job.future, None, exc) for job in batch]
        return outcomes

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {version} is newer than this Samsyn "
                f"understands ({SCHEMA_VERSION}); upgrade Samsyn"
            )
        db = sqlite_utils.Database(conn)
        for target in range(version, SCHEMA_VERSION):
            conn.execute("BEGIN IMMEDIATE")
            try:
                MIGRATIONS[target](db)
                conn.execute(f"PRAGMA user_version={target + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            log.info("store: migrated %s to schema version %d", db.conn, target + 1)

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `fn` to run on the writer thread; the future settles after commit."""
        if self._thread is None or self._loop is None:
            raise StoreClosedError("the store is not open")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put(_Job(fn, future))
        return future

    # -- documents ---------------------------------------------------------------------

    def append_update(self, doc: str, update: bytes) -> asyncio.Future[int]:
        """Append one update to `doc`'s log; resolves to its row id after commit."""

        def job(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO updates (doc, data, created) VALUES (?, ?, ?)",
                (doc, update, _now_ms()),
            )
            return int(cursor.lastrowid or 0)

        return self.submit(job)

    async def load_doc(self, doc: str) -> DocHistory:
        def job(conn: sqlite3.Connection) -> DocHistory:
            row = conn.execute("SELECT data FROM snapshots WHERE doc = ?", (doc,)).fetchone()
            rows = conn.execute(
                "SELECT data FROM updates WHERE doc = ? ORDER BY id", (doc,)
            ).fetchall()
            return DocHistory(row[0] if row else None, [r[0] for r in rows])

        return await self.submit(job)

    async def compact(self, doc: str, state: bytes) -> int:
        """Replace `doc`'s log with `state`; returns how many log rows it folded in.

        `state` must contain every update appended so far: the caller encodes it on
        the event loop after applying them, and the FIFO queue runs this job after
        their appends, so the rows it deletes are exactly those the state covers.
        """

        def job(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT max(id), count(*) FROM updates WHERE doc = ?", (doc,))
            upto, count = row.fetchone()
            conn.execute(
                "INSERT INTO snapshots (doc, data, upto, created) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(doc) DO UPDATE SET data = excluded.data,"
                " upto = max(snapshots.upto, excluded.upto), created = excluded.created",
                (doc, state, upto or 0, _now_ms()),
            )
            if upto is not None:
                conn.execute("DELETE FROM updates WHERE doc = ? AND id <= ?", (doc, upto))
            return int(count)

        return await self.submit(job)

    # -- boards and participants -------------------------------------------------------

    async def create_board(self, board: BoardRecord, initial_state: bytes) -> None:
        """Insert a board and its first content snapshot in one transaction."""

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO boards ({_BOARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            conn.execute(
                "INSERT INTO snapshots (doc, data, upto, created) VALUES (?, ?, 0, ?)",
                (board.id, initial_state, board.created),
            )

        await self.submit(job)

    async def get_board(self, board_id: str) -> BoardRecord | None:
        return await self._one_board("id", board_id)

    async def get_board_by_code(self, join_code: str) -> BoardRecord | None:
        return await self._one_board("join_code", join_code)

    async def _one_board(self, column: str, value: str) -> BoardRecord | None:
        def job(conn: sqlite3.Connection) -> BoardRecord | None:
            row = conn.execute(
                f"SELECT {_BOARD_COLUMNS} FROM boards WHERE {column} = ?", (value,)
            ).fetchone()
            return _board(row) if row else None

        return await self.submit(job)

    async def list_boards(self) -> list[BoardRecord]:
        def job(conn: sqlite3.Connection) -> list[BoardRecord]:
            rows = conn.execute(f"SELECT {_BOARD_COLUMNS} FROM boards ORDER BY created")
            return [_board(row) for row in rows.fetchall()]

        return await self.submit(job)

    async def create_participant(self, participant: ParticipantRecord, token_hash: bytes) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO participants (id, board_id, name, token_hash, created)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    participant.id,
                    participant.board_id,
                    participant.name,
                    token_hash,
                    participant.created,
                ),
            )

        await self.submit(job)

    async def set_board_flags(self, board_id: str, *, anonymous: bool) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE boards SET anonymous = ? WHERE id = ?", (int(anonymous), board_id))

        await self.submit(job)

    async def set_wall_key_hash(self, board_id: str, key_hash: bytes) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE boards SET wall_key_hash = ? WHERE id = ?", (key_hash, board_id))

        await self.submit(job)

    async def list_participants(self, board_id: str) -> list[ParticipantRecord]:
        def job(conn: sqlite3.Connection) -> list[ParticipantRecord]:
            rows = conn.execute(
                "SELECT id, board_id, name, created FROM participants WHERE board_id = ?"
                " ORDER BY created, id",
                (board_id,),
            )
            return [ParticipantRecord(*row) for row in rows.fetchall()]

        return await self.submit(job)

    # -- votes -------------------------------------------------------------------------

    async def cast_vote(
        self, board_id: str, voter: str, target: str, delta: int, budget: int
    ) -> VoteResult:
        """Add `delta` (+1 or -1) dots; the budget check and the write are one job."""

        def job(conn: sqlite3.Connection) -> VoteResult:
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
            return VoteResult(budget - used - delta, _Votes.mine(conn, board_id, voter), total)

        return await self.submit(job)

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]:
        return await self.submit(lambda conn: _Votes.mine(conn, board_id, voter))

    async def vote_tallies(self, board_id: str) -> dict[str, int]:
        """Every target's total on a board (targets with no votes left out)."""

        def job(conn: sqlite3.Connection) -> dict[str, int]:
            rows = conn.execute(
                "SELECT target, sum(count) FROM votes WHERE board_id = ?"
                " GROUP BY target HAVING sum(count) > 0 ORDER BY target",
                (board_id,),
            )
            return {target: int(total) for target, total in rows.fetchall()}

        return await self.submit(job)

    async def clear_votes(self, board_id: str) -> None:
        await self.submit(
            lambda conn: conn.execute("DELETE FROM votes WHERE board_id = ?", (board_id,))
        )

    # -- checkpoints -------------------------------------------------------------------

    async def create_checkpoint(
        self, record: CheckpointRecord, content: bytes, session: bytes
    ) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO checkpoints (id, board_id, name, at, content, session)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (record.id, record.board_id, record.name, record.at, content, session),
            )

        await self.submit(job)

    async def list_checkpoints(self, board_id: str) -> list[CheckpointRecord]:
        def job(conn: sqlite3.Connection) -> list[CheckpointRecord]:
            rows = conn.execute(
                "SELECT id, board_id, name, at FROM checkpoints WHERE board_id = ? ORDER BY at, id",
                (board_id,),
            )
            return [CheckpointRecord(*row) for row in rows.fetchall()]

        return await self.submit(job)

    async def checkpoint_states(
        self, board_id: str, checkpoint_id: str
    ) -> tuple[bytes, bytes] | None:
        """The content and session doc states saved in a checkpoint."""

        def job(conn: sqlite3.Connection) -> tuple[bytes, bytes] | None:
            row = conn.execute(
                "SELECT content, session FROM checkpoints WHERE board_id = ? AND id = ?",
                (board_id, checkpoint_id),
            ).fetchone()
            return (row[0], row[1]) if row else None

        return await self.submit(job)

    async def participant_by_token_hash(self, token_hash: bytes) -> ParticipantRecord | None:
        def job(conn: sqlite3.Connection) -> ParticipantRecord | None:
            row = conn.execute(
                "SELECT id, board_id, name, created FROM participants WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            return ParticipantRecord(*row) if row else None

        return await self.submit(job)


class _Votes:
    """Vote statements; run only inside writer-thread jobs, so they are serialised."""

    @staticmethod
    def mine(conn: sqlite3.Connection, board_id: str, voter: str) -> dict[str, int]:
        rows = conn.execute(
            "SELECT target, count FROM votes WHERE board_id = ? AND voter = ? AND count > 0"
            " ORDER BY target",
            (board_id, voter),
        )
        return {target: int(count) for target, count in rows.fetchall()}


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _settle_all(outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, exc in outcomes:
        _settle(future, result, exc)
