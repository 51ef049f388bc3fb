"""Storage behind one interface (`Store`): SQLite (`SqliteStore`), the embedded default, or
PostgreSQL (`PostgresStore`), the log of record shared by several processes.

`PostgresStore` is imported on first use: psycopg takes a fifth of a second to import,
which a laptop on SQLite (every `samsyn` command, every start) need not pay.
"""

from typing import TYPE_CHECKING, Any

from server.store.interface import Store, is_postgres_url
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

if TYPE_CHECKING:
    from server.store.postgres import PostgresStore


def __getattr__(name: str) -> Any:
    if name == "PostgresStore":
        from server.store.postgres import PostgresStore

        return PostgresStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
