"""Storage behind one interface (`Store`); SQLite is the backend (`SqliteStore`)."""

from server.store.interface import Store
from server.store.migrations import SCHEMA_VERSION
from server.store.records import (
    BoardRecord,
    CheckpointRecord,
    DocHistory,
    ParticipantRecord,
    ReactionRecord,
    StoreClosedError,
    VisionRecord,
    VisionVersionRecord,
    VoteRefusedError,
    VoteResult,
)
from server.store.sqlite import SqliteStore

__all__ = [
    "SCHEMA_VERSION",
    "BoardRecord",
    "CheckpointRecord",
    "DocHistory",
    "ParticipantRecord",
    "ReactionRecord",
    "SqliteStore",
    "Store",
    "StoreClosedError",
    "VisionRecord",
    "VisionVersionRecord",
    "VoteRefusedError",
    "VoteResult",
]
