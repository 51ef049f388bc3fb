"""Storage behind one interface (`Store`): SQLite (`SqliteStore`), the embedded default, or
PostgreSQL (`PostgresStore`), the log of record shared by several processes."""

from server.store.interface import Store
from server.store.migrations import SCHEMA_VERSION
from server.store.postgres import PostgresStore, is_postgres_url
from server.store.records import (
    BoardRecord,
    CheckpointRecord,
    DocHistory,
    DuplicateKeyError,
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
    "DuplicateKeyError",
    "ParticipantRecord",
    "PostgresStore",
    "ReactionRecord",
    "SqliteStore",
    "Store",
    "StoreClosedError",
    "VisionRecord",
    "VisionVersionRecord",
    "VoteRefusedError",
    "VoteResult",
    "is_postgres_url",
]
