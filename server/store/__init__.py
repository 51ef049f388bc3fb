"""Storage behind one interface (`Store`); SQLite is the backend (`SqliteStore`)."""

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
from server.store.records import (
    BoardRecord,
    CheckpointRecord,
    DocHistory,
    ParticipantRecord,
    StoreClosedError,
    VoteRefusedError,
    VoteResult,
)
from server.store.sqlite import SqliteStore

__all__ = [
    "SCHEMA_VERSION",
    "BoardRecord",
    "CheckpointRecord",
    "DocHistory",
    "JourneyBoardRecord",
    "JourneyRecord",
    "JourneyStepRecord",
    "LinkRecord",
    "MembershipRecord",
    "OrgRecord",
    "ParticipantRecord",
    "SqliteStore",
    "Store",
    "StoreClosedError",
    "UserRecord",
    "VoteRefusedError",
    "VoteResult",
]
