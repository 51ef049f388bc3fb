"""Fixtures are factories: each test gets its own database and server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.settings import Settings
from tests.support.servers import InProcessServer, ServerProcess, run_server
from tests.support.services import PostgresServer, RedisServer, running


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "samsyn.db", unload_grace_s=0.2, flush_ms=2.0)


@pytest.fixture
async def app_server(settings: Settings) -> AsyncIterator[InProcessServer]:
    """A real uvicorn on a free port, in this test's event loop."""
    async with run_server(settings) as server:
        yield server


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """`samsyn serve` in a child process with its own SQLite file."""
    server = ServerProcess(tmp_path / "live.db").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    """A not-yet-started server process; the test starts, kills and restarts it."""
    server = ServerProcess(tmp_path / "proc.db")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where tests save screenshots: `SAMSYN_SCREENSHOTS` (e.g. docs/) or a temporary folder."""
    import os

    target = os.environ.get("SAMSYN_SCREENSHOTS")
    return Path(target) if target else tmp_path


# -- scale-out services (tests/support/services.py) ---------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the session (it takes seconds to start); see `pg_url`."""
    with running(PostgresServer()) as server:
        yield server


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty PostgreSQL database for this test."""
    return postgres_server.new_database()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own (it starts in milliseconds; tests kill it)."""
    with running(RedisServer()) as server:
        yield server
