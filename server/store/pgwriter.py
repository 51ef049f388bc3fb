"""The PostgreSQL write engine: a task that commits waiting appends in one transaction.

The SQLite `Writer` thread's group commit, for PostgreSQL on the event loop: appends
queue up while a commit is under way, and the next transaction takes all of them. Each
doc's appends get the next numbers of its sequence from `doc_heads`, whose row lock
orders the appends of one doc across every process; docs are locked in sorted order,
so two processes' batches never wait on each other in a circle. A future resolves only
after its transaction committed, to the sequence number of its row.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from psycopg_pool import AsyncConnectionPool

from boards.schema import now_ms
from server.errors import Erased
from server.store.queries import erase
from server.store.records import StoreClosedError

log = logging.getLogger(__name__)

# Appends taken into one transaction at most; bounds the latency of a single commit.
MAX_BATCH = 512


@dataclass(slots=True)
class _Append:
    doc: str
    data: bytes
    future: asyncio.Future[int]
    sender: str = ""


class AppendWriter:
    """Appends to the update log, committed in groups by one task."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool
        self._queue: asyncio.Queue[_Append | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="samsyn-pg-writer")

    async def close(self) -> None:
        """Commit everything queued, then stop."""
        task = self._task
        if task is None:
            return
        self._task = None
        self._queue.put_nowait(None)
        await task

    def append(self, doc: str, data: bytes, sender: str = "") -> asyncio.Future[int]:
        if self._task is None:
            raise StoreClosedError("the store is not open")
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Append(doc, data, future, sender))
        return future

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH and not self._queue.empty():
                job = self._queue.get_nowait()
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            try:
                seqs = await self._commit(batch)
            except Exception as exc:
                log.error("store: transaction of %d appends failed: %s", len(batch), exc)
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            self.commits += 1
            for job, seq in zip(batch, seqs, strict=True):
                if job.future.done():
                    continue
                if isinstance(seq, Exception):
                    job.future.set_exception(seq)
                else:
                    job.future.set_result(seq)

    async def _commit(self, batch: list[_Append]) -> list[int | Exception]:
        by_doc: dict[str, list[int]] = defaultdict(list)
        for index, job in enumerate(batch):
            by_doc[job.doc].append(index)
        seqs: list[int | Exception] = [0] * len(batch)
        created = now_ms()
        async with self._pool.connection() as conn, conn.transaction():
            for doc in sorted(by_doc):
                indexes = by_doc[doc]
                if await _erased(conn, doc):
                    for index in indexes:
                        seqs[index] = Erased(
                            "board_erased", f"{doc!r} belongs to a board deleted for good"
                        )
                    continue
                cursor = await conn.execute(
                    "INSERT INTO doc_heads (doc, seq) VALUES (%s, %s) ON CONFLICT (doc)"
                    " DO UPDATE SET seq = doc_heads.seq + excluded.seq RETURNING seq",
                    (doc, len(indexes)),
                )
                row = await cursor.fetchone()
                assert row is not None
                first = int(row[0]) - len(indexes) + 1
                rows = []
                for offset, index in enumerate(indexes):
                    seqs[index] = first + offset
                    rows.append(
                        (doc, first + offset, batch[index].data, created, batch[index].sender)
                    )
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO updates (doc, seq, data, created, sender)"
                        " VALUES (%s, %s, %s, %s, %s)",
                        rows,
                    )
        return seqs


async def _erased(conn: Any, doc: str) -> bool:
    """True if `doc` belongs to a board deleted for good; otherwise the board's row stays
    locked (key share) until the transaction ends, so a delete waits for these appends
    and takes them with it. A doc of no board (a målbild's) is never erased here."""
    board_id = doc.split("/", 1)[0]
    await conn.execute("SELECT 1 FROM boards WHERE id = %s FOR KEY SHARE", (board_id,))
    cursor = await conn.execute(
        "SELECT 1 FROM erased_boards WHERE id_hash = %s", (erase.erased_hash(board_id),)
    )
    return await cursor.fetchone() is not None
