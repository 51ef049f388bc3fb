"""`Store`: what rooms, services and routes need of storage, whatever the backend.

SQLite (`server.store.sqlite.SqliteStore`) is the one backend today; a PostgreSQL
backend implements this protocol and nothing above the store changes. Two promises
every backend keeps: a future or coroutine that resolves means the write is durable,
and writes of one process apply in the order they were made (a compaction after the
appends it covers).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Protocol, Self

from server.store.records import (
    BoardRecord,
    CheckpointRecord,
    DocHistory,
    ParticipantRecord,
    ReactionRecord,
    VisionRecord,
    VisionVersionRecord,
    VoteResult,
)


class Store(Protocol):
    """Boards, participants, votes, checkpoints and the update log of every doc."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    # -- documents (the two first are the `UpdateLog` a room uses)
    def append_update(self, doc: str, update: bytes) -> asyncio.Future[int]:
        """Queue one update of `doc`; resolves once it is durable."""
        ...

    async def compact(self, doc: str, state: bytes) -> int:
        """Replace `doc`'s log with `state`; returns how many log rows it folded in."""
        ...

    async def load_doc(self, doc: str) -> DocHistory: ...

    # -- boards and participants
    async def create_board(self, board: BoardRecord, initial_state: bytes) -> None: ...
    async def get_board(self, board_id: str) -> BoardRecord | None: ...
    async def get_board_by_code(self, join_code: str) -> BoardRecord | None: ...
    async def list_boards(self) -> list[BoardRecord]: ...
    async def set_board_flags(self, board_id: str, *, anonymous: bool) -> None: ...
    async def set_wall_key_hash(self, board_id: str, key_hash: bytes) -> None: ...
    async def set_facilitator_key_hash(self, board_id: str, key_hash: bytes) -> bool:
        """Replace the facilitator's key (the old one stops working); False: no board."""
        ...

    async def set_cofacilitator_key_hash(self, board_id: str, key_hash: bytes | None) -> None:
        """Set the co-facilitator's key, replacing any; None revokes it."""
        ...

    async def set_wall_key(self, board_id: str, key: str, key_hash: bytes) -> None:
        """Replace the wall key, kept in clear (for the panel) and as its hash."""
        ...

    async def create_participant(
        self, participant: ParticipantRecord, token_hash: bytes
    ) -> None: ...
    async def list_participants(self, board_id: str) -> list[ParticipantRecord]: ...
    async def participant_by_token_hash(self, token_hash: bytes) -> ParticipantRecord | None: ...

    # -- votes
    async def cast_vote(
        self, board_id: str, voter: str, target: str, delta: int, budget: int, per_item: int = 0
    ) -> VoteResult:
        """Add `delta` dots; raises VoteRefusedError past the budget or past `per_item` dots
        of this voter on this target (0: no maximum) (check and write atomic)."""
        ...

    async def votes_used(self, board_id: str) -> dict[str, int]:
        """voter -> dots placed, voters with none left out."""
        ...

    async def votes_of(self, board_id: str, voter: str) -> dict[str, int]: ...
    async def vote_tallies(self, board_id: str) -> dict[str, int]: ...
    async def clear_votes(self, board_id: str) -> None: ...

    # -- checkpoints
    async def create_checkpoint(
        self, record: CheckpointRecord, content: bytes, session: bytes
    ) -> None: ...
    async def list_checkpoints(self, board_id: str) -> list[CheckpointRecord]: ...
    async def checkpoint_states(
        self, board_id: str, checkpoint_id: str
    ) -> tuple[bytes, bytes] | None: ...

    # -- the målbild document of a board lineage (boards/vision.py)
    async def create_vision(self, record: VisionRecord) -> None:
        """Insert a målbild and link its starting board to it."""
        ...

    async def get_vision(self, vision_id: str) -> VisionRecord | None: ...
    async def vision_of_board(self, board_id: str) -> VisionRecord | None: ...
    async def link_vision(self, vision_id: str, board_id: str) -> None:
        """Let `board_id` (a board continued from the lineage) share the målbild."""
        ...

    async def vision_boards(self, vision_id: str) -> list[str]:
        """The boards that share the målbild, oldest first."""
        ...

    async def update_vision(self, vision_id: str, data: str, expected_rev: int) -> int | None:
        """Write `data` if still at `expected_rev` (check and write atomic); new rev or None."""
        ...

    async def set_vision_comment_token_hash(self, vision_id: str, token_hash: bytes) -> None: ...
    async def vision_by_comment_token_hash(self, token_hash: bytes) -> VisionRecord | None: ...
    async def create_vision_version(self, record: VisionVersionRecord, data: str) -> None:
        """Store an immutable snapshot; raises sqlite3.IntegrityError on a name used twice."""
        ...

    async def list_vision_versions(self, vision_id: str) -> list[VisionVersionRecord]: ...
    async def vision_version_data(self, vision_id: str, version_id: str) -> str | None: ...
    async def add_reaction(self, record: ReactionRecord) -> None: ...
    async def list_reactions(self, vision_id: str) -> list[ReactionRecord]: ...
