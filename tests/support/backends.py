"""Both storage backends for the tests of one module: override its `settings` fixture with
`params=BACKENDS` and `backend_settings`, and every test runs on a SQLite file and on a
fresh PostgreSQL database (Debian's postgresql, started once per session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from server.settings import Settings

BACKENDS = ["sqlite", "postgresql"]


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path, **values: Any) -> Settings:
    """The tests' settings on the backend of `request.param`."""
    settings = Settings(db=tmp_path / "samsyn.db", unload_grace_s=0.2, flush_ms=2.0, **values)
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return settings.with_overrides(database_url=url)
    return settings


def stored_bytes(settings: Settings) -> bytes:
    """What the database holds on disk: the SQLite file and its WAL, or the files of the
    PostgreSQL database's tables and indexes (after a CHECKPOINT writes every page out;
    the cluster's own write-ahead log is not the database's files)."""
    if not settings.database_url:
        files = [settings.db, settings.db.with_name(settings.db.name + "-wal")]
        return b"".join(p.read_bytes() for p in files if p.exists())
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        row = conn.execute(
            "SELECT current_setting('data_directory'), oid FROM pg_database"
            " WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    folder = Path(row[0]) / "base" / str(row[1])
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())
