"""Storage behind one interface (`Store`): SQLite (`SqliteStore`), the embedded default, or
PostgreSQL (`PostgresStore`), the log of record shared by several processes."""

from server.store.interface import Store
from server.store.migrations import SCHEMA_VERSION
from server.store.org_records import (
    JourneyBoardRecord,
    JourneyRecord,
    JourneyStepRecord,
    LinkRecord,
    MembershipRecord,
    OrgRecord,
    UserRecord,
)
from server.store.postgres import PostgresStore, is_postgres_url
from server.store.records import (
    BoardRecord,
    ChangeRecord,
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
    "ChangeRecord",
    "CheckpointRecord",
    "DocHistory",
    "DuplicateKeyError",
    "JourneyBoardRecord",
    "JourneyRecord",
    "JourneyStepRecord",
    "LinkRecord",
    "MembershipRecord",
    "OrgRecord",
    "ParticipantRecord",
    "PostgresStore",
    "ReactionRecord",
    "SqliteStore",
    "Store",
    "StoreClosedError",
    "UserRecord",
    "VisionRecord",
    "VisionVersionRecord",
    "VoteRefusedError",
    "VoteResult",
    "is_postgres_url",
]
