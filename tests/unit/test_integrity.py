"""The file checks before a store opens: a database killed mid-checkpoint is whole."""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

import pytest

from server.store.integrity import DatabaseFileError, inspect_file, quick_check

_WAL_HEADER = 32
_FRAME_HEADER = 24


def _killed_mid_checkpoint(tmp_path: Path) -> Path:
    """A copy of a WAL database as a SIGKILL during a checkpoint leaves it: page 1, with
    the new page count, already in the main file, the pages after the old end not yet,
    and the log still holding every page."""
    live = tmp_path / "live.db"
    conn = sqlite3.connect(live)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE boards (id TEXT PRIMARY KEY)")
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.executemany(
        "INSERT INTO notes (text) VALUES (?)", [("idé om biblioteket " * 50,) for _ in range(2000)]
    )
    conn.commit()
    # Copied while the connection holds the log open (closing would checkpoint it away).
    killed = tmp_path / "killed.db"
    shutil.copy(live, killed)
    shutil.copy(live.with_name("live.db-wal"), killed.with_name("killed.db-wal"))
    conn.close()
    wal = killed.with_name("killed.db-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    last_page_one = None
    offset = _WAL_HEADER
    while offset + _FRAME_HEADER + page_size <= len(wal):
        (page,) = struct.unpack(">I", wal[offset : offset + 4])
        if page == 1:
            last_page_one = wal[offset + _FRAME_HEADER : offset + _FRAME_HEADER + page_size]
        offset += _FRAME_HEADER + page_size
    assert last_page_one is not None
    with killed.open("r+b") as file:
        file.write(last_page_one)
    pages = int.from_bytes(last_page_one[28:32], "big")
    assert killed.stat().st_size < pages * page_size  # what the old check called truncated
    return killed


def test_a_database_killed_mid_checkpoint_opens_with_all_its_rows(tmp_path: Path) -> None:
    killed = _killed_mid_checkpoint(tmp_path)
    inspect_file(killed)
    quick_check(killed)
    conn = sqlite3.connect(killed)
    assert conn.execute("SELECT count(*) FROM notes").fetchone() == (2000,)
    conn.close()


def test_the_same_file_without_its_log_is_truncated(tmp_path: Path) -> None:
    killed = _killed_mid_checkpoint(tmp_path)
    killed.with_name("killed.db-wal").unlink()
    with pytest.raises(DatabaseFileError, match="is truncated"):
        inspect_file(killed)
