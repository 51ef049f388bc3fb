"""PostgreSQL as the log of record of several processes: two stores on one database."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from pycrdt import Doc, Map, Text

from server.store import (
    SCHEMA_VERSION,
    BoardRecord,
    ParticipantRecord,
    PostgresStore,
    VoteRefusedError,
)
from tests.support.yjs import replay


def _updates(prefix: str, count: int) -> tuple[Doc[Any], list[bytes]]:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    notes = doc.get("notes", type=Map)
    for i in range(count):
        notes[f"{prefix}{i}"] = Map({"text": Text(f"{prefix} {i}")})
    return doc, updates


def _notes(doc: Doc[Any]) -> dict[str, Any]:
    return doc.get("notes", type=Map).to_py() or {}


async def test_two_processes_number_one_doc_without_gaps_or_repeats(pg_url: str) -> None:
    _, first = _updates("a", 60)
    _, second = _updates("b", 60)
    async with PostgresStore(pg_url) as one, PostgresStore(pg_url) as two:
        seqs = await asyncio.gather(
            *(one.append_update("doc", u) for u in first),
            *(two.append_update("doc", u) for u in second),
        )
        assert sorted(seqs) == list(range(1, 121))
        # Each process's own appends keep their order.
        assert seqs[:60] == sorted(seqs[:60]) and seqs[60:] == sorted(seqs[60:])
        assert (await one.heads(["doc", "none"])) == {"doc": 120}
        later = await two.history_after("doc", 100)
        assert later.snapshot is None and later.upto == 120 and len(later.updates) == 20


async def test_compaction_on_two_processes_at_once_runs_once_and_loses_nothing(
    pg_url: str,
) -> None:
    source, updates = _updates("n", 200)
    async with PostgresStore(pg_url) as one, PostgresStore(pg_url) as two:
        for update in updates:
            await one.append_update("doc", update)
        _, late = _updates("late", 20)
        # Both compact while appends go on: one folds, the other folds nothing.
        results = await asyncio.gather(
            one.compact("doc", b""),
            two.compact("doc", b""),
            *(two.append_update("doc", u) for u in late),
        )
        folded = sorted(results[:2])
        # The 200 rows are folded by one of them only (the other folds nothing, or only
        # late rows if it started after the first had committed), and no row twice.
        assert folded[0] <= 20 and folded[1] >= 200
        history = await one.load_doc("doc")
        assert len(history.updates) + sum(folded) == 220
        doc = replay(history)
        expected = {**_notes(source), **{f"late{i}": {"text": f"late {i}"} for i in range(20)}}
        assert _notes(doc) == expected
        # A process that saw everything up to 150 catches up with the snapshot in it.
        behind = await two.history_after("doc", 150)
        assert behind.snapshot is not None and behind.upto == 220


async def test_the_vote_budget_holds_over_two_processes(pg_url: str) -> None:
    board = BoardRecord("b1", "T", "blank", "sv", "ACDEFG", b"h" * 32, 1)
    async with PostgresStore(pg_url) as one, PostgresStore(pg_url) as two:
        await one.create_board(board, b"\x00\x00")
        await one.create_participant(ParticipantRecord("p1", "b1", "Anna", 1), b"t" * 32)

        async def vote(store: PostgresStore) -> str:
            try:
                await store.cast_vote("b1", "p1", "c1", 1, 5)
            except VoteRefusedError as exc:
                return exc.code
            return "ok"

        outcomes = await asyncio.gather(*(vote(one if i % 2 else two) for i in range(20)))
        assert sorted(outcomes) == ["budget_exhausted"] * 15 + ["ok"] * 5
        assert await two.votes_of("b1", "p1") == {"c1": 5}
        assert await one.vote_tallies("b1") == {"c1": 5}


async def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    stores = [PostgresStore(pg_url) for _ in range(3)]
    await asyncio.gather(*(store.__aenter__() for store in stores))
    for store in stores:
        await store.close()
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cursor = await conn.execute("SELECT version FROM samsyn_schema")
        assert await cursor.fetchall() == [(SCHEMA_VERSION,)]


async def test_a_newer_schema_is_refused(pg_url: str) -> None:
    async with PostgresStore(pg_url):
        pass
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute("UPDATE samsyn_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="newer than this Samsyn"):
        async with PostgresStore(pg_url):
            pass


async def test_many_writers_queueing_for_a_doc_lock_never_starve_the_pool(pg_url: str) -> None:
    # Each block needs more connections while it holds the lock (a read, a commit):
    # with every pooled connection spent on waiting for the lock, none could finish.
    async with PostgresStore(pg_url, pool_size=4) as store:
        order: list[int] = []

        async def server_write(i: int) -> None:
            async with store.doc_lock("b1/session"):
                await store.history_after("b1/session", 0)
                await store.append_update("b1/session", b"\x00\x00")
                order.append(i)

        async with asyncio.timeout(20):
            await asyncio.gather(*(server_write(i) for i in range(40)))
        assert sorted(order) == list(range(40))
        assert (await store.heads(["b1/session"])) == {"b1/session": 40}
