"""Exports are built in a small pool of worker processes, so no export blocks the loop.

A Word file of a 100,000-note board takes minutes of CPU, and Markdown or JSON seconds:
in a thread that holds the GIL the whole time, so every other board on the process
waits. Here the event loop only takes a snapshot of the board (the doc's encoded state,
the vote tallies and the counts: plain data, see `snapshot`) and ships those bytes to a
worker process, which decodes the doc, builds the `Board` and renders the format.

Why our own workers and not `concurrent.futures.ProcessPoolExecutor`: the pool's job is
also to *stop* work. An export past `SAMSYN_EXPORT_TIMEOUT_S`, or one whose client went
away, must stop burning CPU; a `ProcessPoolExecutor` cannot cancel a running call, and
killing one of its processes breaks the whole pool (every other call fails with
`BrokenProcessPool`). Here each worker is one process with one pipe and one job at a
time, so the job's owner kills exactly that process (SIGKILL: a docx in lxml never looks
at a flag) and the next export starts a fresh one. Workers start lazily, at the first
export, from a forkserver that has imported the writers once (a new worker is a fork of
it, in milliseconds, and never a fork of the server with its sockets and threads).

Capacity: at most `workers` exports render at once and `WAITING_PER_WORKER` times as many
wait their turn in order; past that an export is refused at once with 503
(`exports_busy`), so a crowd of Word downloads cannot pile up behind each other for
minutes. The timeout counts rendering only, not the wait for a worker. Workers run at a
lower CPU priority than the server (`os.nice`), so on a small machine the event loop
still gets the CPU it needs while every core renders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

from pycrdt import Doc

from boards.export import Rendered, render
from boards.facilitation import tallies_public
from boards.model import CheckpointInfo, board_from_doc
from server.errors import Unavailable
from server.services.principals import Principal
from server.services.session import Session, session_doc_name
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)

WAITING_PER_WORKER = 4
# Below the server's priority: the loop answers everyone while the workers render.
_NICENESS = 10
# A worker asked to exit (at shutdown) that does not within this long is killed.
_EXIT_GRACE_S = 2.0


class ExportUnavailable(Unavailable):
    """No export now: every worker is busy and the queue is full, or the export ran past
    its time (and was stopped), or the server is shutting down."""


@dataclass(frozen=True, slots=True)
class ExportJob:
    """What a worker needs to render one export: plain data, pickled across the pipe."""

    state: bytes  # the content doc's encoded state (`Doc.get_update()`)
    fmt: str
    authors: bool
    tallies: Mapping[str, int]
    anonymous: bool
    participants: int
    checkpoints: tuple[CheckpointInfo, ...]


def build(job: ExportJob) -> Rendered:
    """Decode the doc and render it: what a worker runs (and a test may run inline)."""
    doc: Doc[Any] = Doc()
    doc.apply_update(job.state)
    board = board_from_doc(
        doc,
        tallies=job.tallies,
        anonymous=job.anonymous,
        participants=job.participants,
        checkpoints=job.checkpoints,
    )
    return render(board, job.fmt, authors=job.authors)


async def snapshot(
    store: Store, rooms: Rooms, principal: Principal, record: BoardRecord, fmt: str
) -> ExportJob:
    """The board as a worker needs it, taken on the loop in one step after the reads.

    Tallies hide while a vote is open with hidden tallies for all but the facilitator;
    authors are named only if the facilitator chose.
    """
    async with rooms.use(session_doc_name(record.id)) as room:
        session = Session(room)
        hidden = not principal.is_facilitator and not tallies_public(session.get("voting"))
        authors = bool(session.get("board").get("authors_in_export"))
    tallies, participants, checkpoints = await asyncio.gather(
        store.vote_tallies(record.id),
        store.list_participants(record.id),
        store.list_checkpoints(record.id),
    )
    async with rooms.use(record.id) as room:
        state = room.doc.get_update()
    return ExportJob(
        state=state,
        fmt=fmt,
        authors=authors,
        tallies={} if hidden else dict(tallies),
        anonymous=record.anonymous,
        participants=len(participants),
        checkpoints=tuple(CheckpointInfo(c.id, c.name, c.at) for c in checkpoints),
    )


def _serve(conn: Connection) -> None:
    """A worker's life: one job at a time until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the server ends its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(_NICENESS)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", build(job))
        except Exception as exc:  # a writer's bug: the server logs it, the worker goes on
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def exchange(self, job: ExportJob) -> tuple[str, Any]:
        """Send the job and wait for the reply; runs on an I/O thread."""
        self.conn.send(job)
        reply: tuple[str, Any] = self.conn.recv()
        return reply

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()

    def close(self) -> None:
        """Reap the process and free the pipe; only once no thread uses the pipe."""
        self.process.join(_EXIT_GRACE_S)
        if self.process.is_alive():
            self.kill()
            self.process.join(_EXIT_GRACE_S)
        self.conn.close()


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


class ExportWorkers:
    """The pool: `await render(job)`; owned by the app's lifespan (`async with`)."""

    def __init__(self, workers: int, timeout_s: float) -> None:
        self.workers = workers
        self.timeout_s = timeout_s
        self.max_waiting = workers * WAITING_PER_WORKER
        self._slots = asyncio.Semaphore(workers)
        self._waiting = 0
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        # One thread per rendering worker, blocked on its pipe (never on the loop).
        self._io = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export-io")
        self._closed = False

    async def __aenter__(self) -> ExportWorkers:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def pids(self) -> tuple[int, ...]:
        """The worker processes alive now (idle or rendering), for operators and tests."""
        return tuple(sorted(w.pid for w in [*self._idle, *self._busy]))

    def waiting(self) -> int:
        """Exports waiting for a free worker now."""
        return self._waiting

    def busy_pids(self) -> tuple[int, ...]:
        """The worker processes rendering an export now."""
        return tuple(sorted(w.pid for w in self._busy))

    async def render(self, job: ExportJob) -> Rendered:
        """The export, rendered by a worker; `ExportUnavailable` if none can take it or it
        ran past the timeout. Cancelling the call kills the worker rendering it."""
        if self._closed:
            raise ExportUnavailable("shutting_down", "the server is shutting down")
        if self._slots.locked() and self._waiting >= self.max_waiting:
            raise ExportUnavailable(
                "exports_busy",
                f"expected a free export worker, got all {self.workers} busy and "
                f"{self._waiting} exports waiting; try again in a minute",
            )
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        try:
            return await self._render_on_a_worker(job)
        finally:
            self._slots.release()

    async def _render_on_a_worker(self, job: ExportJob) -> Rendered:
        worker = self._idle.pop() if self._idle else await self._start()
        self._busy.add(worker)
        future = self._io.submit(worker.exchange, job)
        try:
            async with asyncio.timeout(self.timeout_s):
                status, value = await asyncio.wrap_future(future)
        except TimeoutError:
            self._retire(worker, future)
            raise ExportUnavailable(
                "export_timeout",
                f"expected the {job.fmt} export within {self.timeout_s:g} s, got none: it was "
                "stopped; try a lighter format (Markdown, CSV) or ask the operator to raise "
                "SAMSYN_EXPORT_TIMEOUT_S",
            ) from None
        except (EOFError, OSError) as exc:  # the worker died (out of memory, killed)
            self._retire(worker, future)
            raise ExportUnavailable(
                "export_failed",
                f"expected the {job.fmt} export, got a worker that stopped ({exc!r}); try again",
            ) from None
        except BaseException:  # cancelled: the client left, or the server shuts down
            self._retire(worker, future)
            raise
        self._busy.discard(worker)
        if self._closed:
            self._retire(worker, future)
        else:
            self._idle.append(worker)
        if status != "ok":
            raise RuntimeError(f"export worker {worker.pid} failed: {value}")
        assert isinstance(value, Rendered)
        return value

    async def _start(self) -> _Worker:
        loop = asyncio.get_running_loop()
        # Starting talks to the forkserver (it starts it the first time): off the loop.
        pending = loop.run_in_executor(None, self._spawn)
        try:
            return await asyncio.shield(pending)
        except asyncio.CancelledError:
            # The worker still arrives; it goes back to the pool rather than leak.
            pending.add_done_callback(self._adopt)
            raise

    def _adopt(self, pending: asyncio.Future[_Worker]) -> None:
        if not pending.cancelled() and pending.exception() is None:
            worker = pending.result()
            if self._closed:  # the I/O threads are gone too
                threading.Thread(target=self._shut, args=(worker,), daemon=True).start()
            else:
                self._idle.append(worker)

    def _spawn(self) -> _Worker:
        ctx = _context()
        parent, child = ctx.Pipe(duplex=True)
        process = ctx.Process(target=_serve, args=(child,), name="samsyn-export", daemon=True)
        process.start()
        child.close()
        log.info("export worker %s started", process.pid)
        return _Worker(process, parent)

    def _retire(self, worker: _Worker, future: Future[tuple[str, Any]]) -> None:
        """Kill a worker now (its CPU stops at once) and reap it once its thread lets go."""
        self._busy.discard(worker)
        worker.kill()
        log.info("export worker %s stopped", worker.pid)
        # The I/O thread sees the pipe close and returns; then the pipe may be closed and
        # the process reaped, on a thread (the callback may run on the loop).
        future.add_done_callback(
            lambda _: threading.Thread(target=worker.close, daemon=True).start()
        )

    @staticmethod
    def _shut(worker: _Worker) -> None:
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        worker.close()

    async def close(self) -> None:
        """Stop every worker: idle ones exit, rendering ones are killed."""
        self._closed = True
        idle, self._idle = self._idle, []
        for worker in list(self._busy):
            worker.kill()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, self._shut, w) for w in idle))
        self._io.shutdown(wait=False, cancel_futures=True)
