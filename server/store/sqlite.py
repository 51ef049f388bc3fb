"""`SqliteStore`: the `Store` on one SQLite file in WAL mode.

Writes go through the group-commit `Writer` thread, reads through a `Reader` thread
on a second connection: the credential lookup of a websocket connect never waits
behind a batch of writes. The SQL of each table is in `server/store/queries/`.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from boards.schema import now_ms
from server.store.integrity import inspect_file
from server.store.migrations import migrate
from server.store.queries import (
    boards,
    checkpoints,
    docs,
    erase,
    participants,
    visions,
    votes,
)
from server.store.records import (
    BoardRecord,
    ChangeRecord,
    CheckpointRecord,
    DocHistory,
    ParticipantRecord,
    ReactionRecord,
    VisionRecord,
    VisionVersionRecord,
    VoteResult,
)
from server.store.sqlite_accounts import AccountTables
from server.store.writer import Reader, Writer

T = TypeVar("T")


class SqliteStore(AccountTables):
    """The SQLite database behind every board, used as an async context manager."""

    def __init__(self, path: Path, *, synchronous: str = "NORMAL", serving: bool = False) -> None:
        self.path = path
        self._synchronous = synchronous
        # A server holds a shared flock on the file while it runs (SQLite's own locks are
        # fcntl locks, which flock does not touch): `samsyn restore` and `samsyn delete`
        # ask for an exclusive one to tell that nobody serves the file.
        self._serving = serving
        self._lock_fd: int | None = None
        self._damage: str | None = None
        self._writer = Writer(self._connect, setup=migrate, on_damage=self._note_damage)
        self._reader = Reader(lambda: self._connect(read_only=True), on_damage=self._note_damage)

    async def __aenter__(self) -> SqliteStore:
        if self.path.exists():
            # A 0-byte, foreign or truncated file would otherwise get a new, empty schema.
            inspect_file(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await self._writer.start()  # migrates first: the reader opens an up-to-date file
        try:
            await self._reader.start()
        except BaseException:
            await self._writer.close()
            raise
        if self._serving:
            self._lock_fd = os.open(self.path, os.O_RDONLY)
            fcntl.flock(self._lock_fd, fcntl.LOCK_SH)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Finish every queued job, then stop both threads."""
        await self._reader.close()
        await self._writer.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def _connect(self, *, read_only: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        if read_only:
            conn.execute("PRAGMA query_only=ON")
        return conn

    def _note_damage(self, detail: str) -> None:
        # Runs on a store thread; keeps the first damage met, for /healthz.
        if self._damage is None:
            self._damage = detail

    def damage(self) -> str | None:
        """What corruption of the file a read or write has met since it opened, or None."""
        return self._damage

    async def board_footprint(self, board_id: str) -> dict[str, int]:
        """Rows of each kind that deleting the board removes (see `queries.erase`)."""
        return await self._read(lambda conn: erase.footprint(conn, board_id))

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `fn` to run on the writer thread; the future settles after commit."""
        return self._writer.execute_write_fn(fn)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        return self._reader.execute_fn(fn)

    # -- documents ---------------------------------------------------------------------

    def append_update(
        self, doc: str, update: bytes, sender: str | None = None
    ) -> asyncio.Future[int]:
        """Append one update to `doc`'s log; resolves to its row id after commit."""
        return self.submit(lambda conn: docs.append_update(conn, doc, update, sender or ""))

    async def recent_changes(self, doc: str, limit: int) -> list[ChangeRecord]:
        return await self._read(lambda conn: docs.recent_changes(conn, doc, limit))

    async def load_doc(self, doc: str) -> DocHistory:
        return await self._read(lambda conn: docs.load_doc(conn, doc))

    async def compact(self, doc: str, state: bytes) -> int:
        """Replace `doc`'s log with `state`; returns how many log rows it folded in.

        `state` must contain every update appended so far: the caller encodes it on
        the event loop after applying them, and the FIFO queue runs this job after
        their appends, so the rows it deletes are exactly those the state covers.
        """
        return await self.submit(lambda conn: docs.compact(conn, doc, state))

    # -- boards and participants -------------------------------------------------------

    async def create_board(self, board: BoardRecord, initial_state: bytes) -> None:
        """Insert a board and its first content snapshot in one transaction."""

        def job(conn: sqlite3.Connection) -> None:
            boards.insert(conn, board)
            docs.first_snapshot(conn, board.id, initial_state, board.created)

        await self.submit(job)

    async def get_board(self, board_id: str) -> BoardRecord | None:
        return await self._read(lambda conn: boards.one(conn, "id", board_id))

    async def get_board_by_code(self, join_code: str) -> BoardRecord | None:
        return await self._read(lambda conn: boards.one(conn, "join_code", join_code))

    async def list_boards(self) -> list[BoardRecord]:
        return await self._read(boards.every)

    async def set_board_flags(self, board_id: str, *, anonymous: bool) -> None:
        await self.submit(lambda conn: boards.set_flags(conn, board_id, anonymous=anonymous))

    async def set_wall_key_hash(self, board_id: str, key_hash: bytes) -> None:
        await self.submit(lambda conn: boards.set_wall_key_hash(conn, board_id, key_hash))

    async def set_facilitator_key_hash(self, board_id: str, key_hash: bytes) -> bool:
        keys: dict[str, bytes | str | None] = {"facilitator_key_hash": key_hash}
        return await self.submit(lambda conn: boards.set_keys(conn, board_id, keys))

    async def set_cofacilitator_key_hash(self, board_id: str, key_hash: bytes | None) -> None:
        keys: dict[str, bytes | str | None] = {"cofacilitator_key_hash": key_hash}
        await self.submit(lambda conn: boards.set_keys(conn, board_id, keys))

    async def set_join_code(self, board_id: str, join_code: str) -> None:
        keys: dict[str, bytes | str | None] = {"join_code": join_code}
        await self.submit(lambda conn: boards.set_keys(conn, board_id, keys))

    async def set_wall_key(self, board_id: str, key: str, key_hash: bytes) -> None:
        keys: dict[str, bytes | str | None] = {"wall_key": key, "wall_key_hash": key_hash}
        await self.submit(lambda conn: boards.set_keys(conn, board_id, keys))

    async def create_participant(self, participant: ParticipantRecord, token_hash: bytes) -> None:
        await self.submit(lambda conn: participants.insert(conn, participant, token_hash))

    async def list_participants(self, board_id: str) -> list[ParticipantRecord]:
        return await self._read(lambda conn: participants.of_board(conn, board_id))

    async def participant_by_token_hash(self, token_hash: bytes) -> ParticipantRecord | None:
        return await self._read(lambda conn: participants.by_token_hash(conn, token_hash))

    async def remove_participant(self, board_id: str, participant_id: str, at: int) -> bool:
        return await self.submit(
            lambda conn: participants.remove(conn, board_id, participant_id, at)
        )

    # -- votes -------------------------------------------------------------------------

    async def cast_vote(
        self, board_id: str, voter: str, target: str, delta: int, budget: int, per_item: int = 0
    ) -> VoteResult:
        """Add `delta` (+1 or -1) dots; the budget check and the write are one job."""
        return await self.submit(
            lambda conn: votes.cast(conn, board_id, voter, target, delta, budget, per_item)
        )

    async def votes_used(self, board_id: str) -> dict[str, int]:
        return await self._read(lambda conn: votes.used_by_voter(conn, board_id))

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]:
        return await self._read(lambda conn: votes.mine(conn, board_id, voter))

    async def vote_tallies(self, board_id: str) -> dict[str, int]:
        """Every target's total on a board (targets with no votes left out)."""
        return await self._read(lambda conn: votes.tallies(conn, board_id))

    async def clear_votes(self, board_id: str) -> None:
        await self.submit(lambda conn: votes.clear(conn, board_id))

    # -- checkpoints -------------------------------------------------------------------

    async def create_checkpoint(
        self, record: CheckpointRecord, content: bytes, session: bytes
    ) -> None:
        await self.submit(lambda conn: checkpoints.insert(conn, record, content, session))

    async def list_checkpoints(self, board_id: str) -> list[CheckpointRecord]:
        return await self._read(lambda conn: checkpoints.of_board(conn, board_id))

    async def checkpoint_states(
        self, board_id: str, checkpoint_id: str
    ) -> tuple[bytes, bytes] | None:
        """The content and session doc states saved in a checkpoint."""
        return await self._read(lambda conn: checkpoints.states(conn, board_id, checkpoint_id))

    # -- the målbild -------------------------------------------------------------------

    async def create_vision(self, record: VisionRecord) -> None:
        await self.submit(lambda conn: visions.insert(conn, record))

    async def get_vision(self, vision_id: str) -> VisionRecord | None:
        return await self._read(lambda conn: visions.one(conn, vision_id))

    async def vision_of_board(self, board_id: str) -> VisionRecord | None:
        return await self._read(lambda conn: visions.of_board(conn, board_id))

    async def link_vision(self, vision_id: str, board_id: str) -> None:
        await self.submit(lambda conn: visions.link(conn, vision_id, board_id))

    async def vision_boards(self, vision_id: str) -> list[str]:
        return await self._read(lambda conn: visions.boards(conn, vision_id))

    async def update_vision(self, vision_id: str, data: str, expected_rev: int) -> int | None:
        at = now_ms()
        return await self.submit(
            lambda conn: visions.update(conn, vision_id, data, expected_rev, at)
        )

    async def set_vision_comment_token_hash(self, vision_id: str, token_hash: bytes) -> None:
        await self.submit(lambda conn: visions.set_comment_token_hash(conn, vision_id, token_hash))

    async def vision_by_comment_token_hash(self, token_hash: bytes) -> VisionRecord | None:
        return await self._read(lambda conn: visions.by_comment_token_hash(conn, token_hash))

    async def create_vision_version(self, record: VisionVersionRecord, data: str) -> None:
        await self.submit(lambda conn: visions.insert_version(conn, record, data))

    async def list_vision_versions(self, vision_id: str) -> list[VisionVersionRecord]:
        return await self._read(lambda conn: visions.versions(conn, vision_id))

    async def vision_version_data(self, vision_id: str, version_id: str) -> str | None:
        return await self._read(lambda conn: visions.version_data(conn, vision_id, version_id))

    async def add_reaction(self, record: ReactionRecord) -> None:
        await self.submit(lambda conn: visions.insert_reaction(conn, record))

    async def list_reactions(self, vision_id: str) -> list[ReactionRecord]:
        return await self._read(lambda conn: visions.reactions(conn, vision_id))

    async def set_vision_logo(self, vision_id: str, media_type: str, data: bytes) -> None:
        at = now_ms()
        await self.submit(lambda conn: visions.set_logo(conn, vision_id, media_type, data, at))

    async def vision_logo(self, vision_id: str) -> tuple[str, bytes] | None:
        return await self._read(lambda conn: visions.logo(conn, vision_id))

    async def delete_vision_logo(self, vision_id: str) -> None:
        await self.submit(lambda conn: visions.delete_logo(conn, vision_id))
