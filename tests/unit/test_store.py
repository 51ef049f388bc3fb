"""The store on a real database: log, snapshots, compaction, group commit, migrations.

Tests that take `open_store` run on both backends: a SQLite file and a fresh PostgreSQL
database (Debian's postgresql, started by the suite); the rest are SQLite's own.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from server.store import (
    SCHEMA_VERSION,
    BoardRecord,
    PostgresStore,
    VisionRecord,
    VisionVersionRecord,
)
from server.store import SqliteStore as Store
from tests.support.yjs import replay

AnyStore = Store | PostgresStore
OpenStore = Callable[[], AnyStore]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """A factory of stores on one database: each call opens it again, like a restart."""
    if request.param == "sqlite":
        return lambda: Store(tmp_path / "s.db")
    url: str = request.getfixturevalue("pg_url")
    return lambda: PostgresStore(url)


def _notes(doc: Doc[Any]) -> dict[str, Any]:
    return doc.get("notes", type=Map).to_py() or {}


def _edits(count: int) -> tuple[Doc[Any], list[bytes]]:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    notes = doc.get("notes", type=Map)
    for i in range(count):
        notes[f"n{i}"] = Map({"text": Text(f"lapp {i}"), "x": float(i)})
        if i % 3 == 0:
            text = notes[f"n{i}"]["text"]
            text.insert(0, "✱ ")
    return doc, updates


async def test_log_then_compaction_keeps_the_doc_equal(open_store: OpenStore) -> None:
    source, updates = _edits(50)
    async with open_store() as store:
        await asyncio.gather(*(store.append_update("doc", u) for u in updates))
        before = replay(await store.load_doc("doc"))
        assert _notes(before) == _notes(source)
        folded = await store.compact("doc", before.get_update())
        assert folded == len(updates)
        history = await store.load_doc("doc")
        assert history.updates == []
        assert _notes(replay(history)) == _notes(source)
        # Updates after a snapshot land in the log and load on top of it.
        source.get("notes", type=Map)["late"] = Map({"text": Text("sen")})
        await store.append_update("doc", updates[-1])
        await store.append_update("doc", source.get_update(before.get_state()))
        assert _notes(replay(await store.load_doc("doc"))) == _notes(source)


async def test_the_log_records_who_sent_each_update(open_store: OpenStore) -> None:
    _, updates = _edits(3)
    async with open_store() as store:
        await store.append_update("doc", updates[0], "participant:p1:Anna")
        await store.append_update("doc", updates[1])
        await store.append_update("doc", updates[2], "facilitator::")
        await store.append_update("other", updates[0], "participant:p2:Bo")
        changes = await store.recent_changes("doc", 10)
        assert [c.sender for c in changes] == ["facilitator::", "", "participant:p1:Anna"]
        assert [c.size for c in changes] == [len(u) for u in reversed(updates[:3])]
        positions = [c.position for c in changes]
        assert positions == sorted(positions, reverse=True)
        assert [c.sender for c in await store.recent_changes("doc", 1)] == ["facilitator::"]
        # The log keeps the rows since its last compaction: then they are folded away.
        await store.compact("doc", b"")
        assert await store.recent_changes("doc", 10) == []
        assert [c.sender for c in await store.recent_changes("other", 10)] == ["participant:p2:Bo"]


async def test_everything_survives_reopening(open_store: OpenStore) -> None:
    source, updates = _edits(10)
    async with open_store() as store:
        for update in updates:
            await store.append_update("a", update)
    async with open_store() as store:
        assert _notes(replay(await store.load_doc("a"))) == _notes(source)
        assert (await store.load_doc("b")).snapshot is None


async def test_close_finishes_queued_writes(open_store: OpenStore) -> None:
    _, updates = _edits(200)
    store = open_store()
    await store.__aenter__()
    futures = [store.append_update("doc", u) for u in updates]
    await store.close()
    assert all(f.done() and f.exception() is None for f in futures)
    async with open_store() as again:
        assert len((await again.load_doc("doc")).updates) == len(updates)


async def test_a_failing_job_does_not_sink_its_batch(open_store: OpenStore) -> None:
    board = BoardRecord("b1", "T", "blank", "sv", "ACDEFG", b"h" * 32, 1)
    async with open_store() as store:
        await store.create_board(board, b"\x00\x00")
        # Queued together, they share one transaction: the duplicate fails alone.
        first = store.append_update("x", b"\x00\x00")
        dup = asyncio.ensure_future(store.create_board(board, b"\x00\x00"))
        last = store.append_update("x", b"\x00\x00")
        results = await asyncio.gather(first, dup, last, return_exceptions=True)
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert isinstance(results[0], int) and isinstance(results[2], int)
        assert len((await store.load_doc("x")).updates) == 2
        assert await store.get_board_by_code("ACDEFG") == board


async def test_schema_version_and_wal(tmp_path: Path) -> None:
    async with Store(tmp_path / "s.db"):
        pass
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"boards", "participants", "updates", "snapshots"} <= tables
    conn.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this Samsyn"):
        async with Store(tmp_path / "s.db"):
            pass


async def test_deleting_boards_of_a_malbild_passes_it_on_then_deletes_it(tmp_path: Path) -> None:
    """A målbild started on a board passes to the next board of its lineage when that
    board is deleted, and goes (with its versions) when its last board is."""
    first = BoardRecord("b1", "Dag 1", "blank", "sv", "ACDEFG", b"h" * 32, 1)
    second = BoardRecord("b2", "Dag 2", "blank", "sv", "ACDEFH", b"i" * 32, 2)
    async with Store(tmp_path / "v.db") as store:
        for board in (first, second):
            await store.create_board(board, b"\x00\x00")
        await store.create_vision(VisionRecord("v1", "b1", '{"statements": []}', 1, 3))
        await store.link_vision("v1", "b2")
        await store.create_vision_version(VisionVersionRecord("r1", "v1", "0.5", 4), "{}")
        assert (await store.board_footprint("b1"))["målbild links"] == 1

        assert await store.delete_board("b1")
        kept = await store.get_vision("v1")
        assert kept is not None and kept.board_id == "b2"
        assert await store.vision_boards("v1") == ["b2"]

        assert await store.delete_board("b2")
        assert await store.get_vision("v1") is None
        assert await store.list_vision_versions("v1") == []
        assert await store.list_boards() == []
