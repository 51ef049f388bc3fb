"""Reads run on their own connection: a lookup is answered while a write batch is busy."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from server.store import BoardRecord, SqliteStore


async def test_a_credential_lookup_does_not_wait_behind_a_write_batch(tmp_path: Path) -> None:
    board = BoardRecord("b1", "T", "blank", "sv", "ACDEFG", b"h" * 32, 1)
    release = threading.Event()

    def slow_write(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE boards SET title = 'ny' WHERE id = 'b1'")
        # Holds the writer (and its open transaction) until the test lets it go.
        assert release.wait(timeout=10), "the test never released the writer"

    async with SqliteStore(tmp_path / "s.db") as store:
        await store.create_board(board, b"\x00\x00")
        busy = store.submit(slow_write)
        try:
            async with asyncio.timeout(5):
                # Answered from the last commit while the writer is stuck mid-batch.
                assert await store.get_board("b1") == board
                assert await store.participant_by_token_hash(b"x" * 32) is None
            assert not busy.done()
        finally:
            release.set()
        await busy
        found = await store.get_board("b1")
        assert found is not None and found.title == "ny"
