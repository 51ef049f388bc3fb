"""A thread that owns one SQLite connection and runs queued jobs: the write engine.

`Writer` runs every statement that changes the database. It takes whatever jobs are
waiting, runs them in one transaction (each in its own savepoint, so one failing job
does not sink the others) and commits once: group commit. Futures are resolved on the
event loop only after the commit, so a write that was acknowledged is on disk (in the
WAL) and survives a crash of the process. The shape is datasette's
`execute_write_fn`: callers hand in a function of the connection, the SQL lives with
the tables (`server/store/queries/`), not here.

`Reader` is the same thread-and-queue on a second connection, for reads only: each
batch is one read transaction (a consistent snapshot in WAL mode), and no read ever
waits behind a write batch.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from server.errors import Damaged, Unavailable
from server.store.integrity import RESTORE_HINT, is_damage
from server.store.records import StoreClosedError

log = logging.getLogger(__name__)

T = TypeVar("T")
Outcome = tuple["asyncio.Future[Any]", Any, BaseException | None]

# Jobs taken into one transaction at most; bounds the latency of a single commit.
MAX_BATCH = 512


@dataclass(slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]


class _Engine:
    """One thread, one connection, a FIFO of jobs; subclasses say how a batch runs."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        name: str = "samsyn-store-writer",
        setup: Callable[[sqlite3.Connection], None] | None = None,
        on_damage: Callable[[str], None] | None = None,
    ) -> None:
        self._connect = connect
        # Told (on the thread) when SQLite says the file is corrupt, for /healthz.
        self._on_damage = on_damage
        self._name = name
        # Runs on the thread before the first job (the writer migrates the schema).
        self._setup = setup
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=self._name, daemon=True
        )
        self._thread.start()
        try:
            await ready
        except BaseException:
            self._thread = None
            raise

    async def close(self) -> None:
        """Finish every queued job, then stop the thread."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(None)
        await asyncio.to_thread(thread.join)
        self._thread = None

    def _submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        if self._thread is None or self._loop is None:
            raise StoreClosedError("the store is not open")
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.put(_Job(fn, future))
        return future

    def _run(self, ready: asyncio.Future[None]) -> None:
        loop = self._loop
        assert loop is not None
        try:
            conn = self._connect()
            if self._setup is not None:
                self._setup(conn)
        except BaseException as exc:
            loop.call_soon_threadsafe(_settle, ready, None, exc)
            return
        loop.call_soon_threadsafe(_settle, ready, None, None)
        try:
            stopping = False
            while not stopping:
                first = self._queue.get()
                if first is None:
                    break
                batch = [first]
                while len(batch) < MAX_BATCH:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is None:
                        stopping = True
                        break
                    batch.append(job)
                try:
                    outcomes = self._run_batch(conn, batch)
                except Exception as exc:
                    # Never leave callers waiting on a thread that died: fail the batch.
                    log.exception("store: a batch of %d jobs failed", len(batch))
                    failed = self._damaged(exc)
                    outcomes = [(job.future, None, failed) for job in batch]
                loop.call_soon_threadsafe(_settle_all, outcomes)
        finally:
            conn.close()

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> list[Outcome]:
        raise NotImplementedError

    def _damaged(self, exc: BaseException) -> BaseException:
        """A corrupt file's error as `Damaged` (503, and /healthz degraded); others as they are."""
        if not is_damage(exc):
            return exc
        log.error("store: the database file is damaged: %s", exc)
        if self._on_damage is not None:
            self._on_damage(str(exc))
        damaged = Damaged(
            "storage_damaged", f"the database file is damaged ({exc}); {RESTORE_HINT}"
        )
        damaged.__cause__ = exc
        return damaged


class Writer(_Engine):
    """Every write, committed in groups; see the module docstring."""

    def execute_write_fn(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `fn` to run on the thread; the future settles after its batch commits."""
        return self._submit(fn)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                conn.execute("SAVEPOINT job")
                try:
                    result = job.fn(conn)
                except Exception as exc:
                    if not conn.in_transaction:
                        # SQLite rolled the whole transaction back itself (a full disk,
                        # an I/O error): every job of the batch failed with this one.
                        raise
                    conn.execute("ROLLBACK TO job")
                    outcomes.append((job.future, None, self._damaged(exc)))
                else:
                    outcomes.append((job.future, result, None))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.error("store: transaction of %d jobs failed: %s", len(batch), exc)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failed = self._damaged(exc)
            # The whole batch is lost, whatever each job was: say so as one kind (503).
            if not isinstance(failed, Damaged):
                failed = _unavailable(exc)
            return [(job.future, None, failed) for job in batch]
        return outcomes


class Reader(_Engine):
    """The same engine on its own connection, for reads: one read transaction a batch."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        on_damage: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(connect, name="samsyn-store-reader", on_damage=on_damage)

    def execute_fn(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue the read `fn`; it sees every write committed before its batch began."""
        return self._submit(fn)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        # One snapshot for the batch: a doc's snapshot and its log rows are read together,
        # never across a compaction that the writer commits in between.
        conn.execute("BEGIN")
        try:
            for job in batch:
                try:
                    outcomes.append((job.future, job.fn(conn), None))
                except Exception as exc:
                    outcomes.append((job.future, None, self._damaged(exc)))
        finally:
            try:
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except sqlite3.Error as exc:
                # A damaged page can fail the end of a read too: the reads are answered
                # already, and the thread must live on for the next batch.
                log.error("store: ending a read transaction failed: %s", exc)
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        return outcomes


def _unavailable(exc: sqlite3.Error) -> Unavailable:
    failed = Unavailable("storage_unavailable", f"the database could not save: {exc}")
    failed.__cause__ = exc
    return failed


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


def _settle_all(outcomes: list[Outcome]) -> None:
    for future, result, exc in outcomes:
        _settle(future, result, exc)
