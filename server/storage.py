"""Which storage a process runs on: the SQLite file alone, or PostgreSQL (and Redis).

The one place that reads the settings for storage, so that the app's lifespan stays
the same for both: it gets a `Store` for the routes, the `DocLog` its rooms load
through, and the relay (None for SQLite) whose hooks it hands the rooms.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from server.settings import Settings
from server.store import SqliteStore, Store
from server.sync.rooms import DocLog

if TYPE_CHECKING:
    from server.cluster.relay import Relay

# PostgreSQL's store and the Redis relay are imported where they are opened: psycopg and
# redis-py take a third of a second to import, which a server on SQLite need not pay.


@contextlib.asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[tuple[Store, DocLog, Relay | None]]:
    """Open the store (and the relay between processes); close both on the way out."""
    if not settings.database_url:
        async with SqliteStore(
            settings.db, synchronous=settings.sqlite_synchronous, serving=True
        ) as sqlite:
            yield sqlite, sqlite, None
        return
    from server.cluster.relay import Relay, RelayConfig
    from server.store.postgres import PostgresStore

    config = RelayConfig(
        poll_s=settings.cluster_poll_s,
        stream_maxlen=settings.redis_stream_maxlen,
        awareness_timeout_s=settings.awareness_timeout_s,
    )
    async with (
        PostgresStore(settings.database_url, pool_size=settings.pg_pool_size) as store,
        Relay(store, settings.redis_url or None, config) as relay,
    ):
        yield store, relay, relay


def offline_store(target: Path | str) -> Store:
    """The store an offline tool (`samsyn export`, `samsyn user add`, ...) opens: a
    postgresql:// URL or a SQLite file. Without a relay: processes serving the same
    PostgreSQL database see its writes through their poll of the log."""
    if isinstance(target, str):
        from server.store.postgres import PostgresStore

        return PostgresStore(target, pool_size=2)
    return SqliteStore(target)
