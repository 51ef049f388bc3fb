"""A server on SQLite never imports the PostgreSQL or Redis clients: every `samsyn`
command and every start would pay a third of a second for them."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_on_sqlite_imports_neither_psycopg_nor_redis() -> None:
    code = (
        "import sys, server.cli, server.app, server.storage\n"
        "from server.store import SqliteStore\n"
        "print(sorted(m for m in ('psycopg', 'psycopg_pool', 'redis') if m in sys.modules))\n"
        "from server.store import PostgresStore\n"
        "print(PostgresStore.__module__, 'psycopg' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = done.stdout.splitlines()
    assert before == "[]"
    # Asked for, PostgreSQL's store is there as before.
    assert after == "server.store.postgres True"
