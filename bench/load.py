"""The load: clients spread over worker processes, each with its own event loop.

The parent and the workers (kept from one load to the next) talk over pipes in four
steps, each bounded by a timeout: workers report "up" once given a load, connect their
clients on "connect" and report "ready", start writing on "start" at a common
CLOCK_MONOTONIC instant, and report "done" with their measurements once every client has
every mark or the drain timeout has passed.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import math
import multiprocessing
import time
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, TypeVar
from urllib.parse import urlsplit

from bench.client import BenchClient, clock_us

_T = TypeVar("_T")
_START_DELAY_US = 300_000  # lets every worker receive "start" before the first write
_SPAWN_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class LoadConfig:
    """What to run: `clients` sockets over the boards in `urls`, the first `writers` writing.

    Client i joins board i % len(urls), so with as many writers as boards each board has
    one. With cursor_rate set, every client also moves its cursor (awareness) that often.
    """

    urls: tuple[str, ...]
    origin: str  # the Origin header sent; empty: each url's own, as its page would send
    clients: int
    writers: int
    rate: float
    duration: float
    warmup: float
    cursor_rate: float = 0.0
    procs: int = 2
    connect_timeout: float = 30.0
    drain_timeout: float = 15.0
    docs: str = "writers"  # who applies updates to a pycrdt Doc: "all" or "writers"
    # The board behind each url, when several urls lead to one board (one board served by
    # several processes); empty: every url is a board of its own.
    url_boards: tuple[int, ...] = ()

    @property
    def writes_per_writer(self) -> int:
        return math.ceil(self.rate * (self.warmup + self.duration))

    @property
    def warmup_writes(self) -> int:
        return math.ceil(self.rate * self.warmup)

    def board_of(self, client: int) -> int:
        """The index of the url that client `client` connects to."""
        return client % len(self.urls)

    def doc_of(self, client: int) -> int:
        """The board client `client` is on: its url's board, or its url itself."""
        url = self.board_of(client)
        return self.url_boards[url] if self.url_boards else url


@dataclass(slots=True)
class LoadResult:
    """Everything the workers measured, merged."""

    connect_all_s: float = 0.0
    connect_s: list[float] = field(default_factory=list)
    connect_failures: int = 0
    latencies_us: array[int] = field(default_factory=lambda: array("q"))
    delivered: int = 0
    expected: int = 0
    incomplete_clients: int = 0
    writers_live: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    run_s: float = 0.0
    load_cpu_s: float = 0.0
    state_bytes: list[int] = field(default_factory=list)  # each joiner's sync step 2
    sent_update_bytes: int = 0
    cursor_moves: int = 0
    phase_at: dict[str, float] = field(default_factory=dict)  # time.monotonic() of each


class LoadError(RuntimeError):
    """A worker failed or did not answer in time."""


def run_load(config: LoadConfig, on_phase: Callable[[str], None] | None = None) -> LoadResult:
    """Run the load; call on_phase("connect"|"start"|"end") as it goes."""
    phase = on_phase or (lambda _name: None)
    procs = max(1, min(config.procs, config.clients))
    pipes = _WORKERS.take(procs)
    try:
        for w, pipe in enumerate(pipes):
            pipe.send(("load", config, list(range(w, config.clients, procs))))
        _gather(pipes, "up", _SPAWN_TIMEOUT_S)

        result = LoadResult()

        def enter(name: str) -> None:
            result.phase_at[name] = time.monotonic()
            phase(name)

        enter("connect")
        started = time.perf_counter()
        _broadcast(pipes, ("connect",))
        readies = _gather(pipes, "ready", config.connect_timeout + 10)
        result.connect_all_s = time.perf_counter() - started
        live_writers: list[int] = []
        for ready in readies:
            for index, seconds, state_bytes, errors in ready["clients"]:
                if seconds is None:
                    result.connect_failures += 1
                    _count(result.errors, errors)
                    continue
                result.connect_s.append(seconds)
                result.state_bytes.append(state_bytes)
                if index < config.writers:
                    live_writers.append(index)
        result.writers_live = len(live_writers)

        enter("start")
        start_us = clock_us() + _START_DELAY_US
        _broadcast(pipes, ("start", start_us, sorted(live_writers)))
        run_timeout = config.warmup + config.duration + config.drain_timeout + 30
        dones = _gather(pipes, "done", run_timeout)
        result.run_s = (clock_us() - start_us) / 1e6
        enter("end")
        for done in dones:
            result.latencies_us.frombytes(done["latencies"])
            result.delivered += done["delivered"]
            result.expected += done["expected"]
            result.incomplete_clients += done["incomplete"]
            result.load_cpu_s += done["cpu_s"]
            result.sent_update_bytes += done["sent_update_bytes"]
            result.cursor_moves += done["cursor_moves"]
            for message, count in done["errors"].items():
                result.errors[message] = result.errors.get(message, 0) + count
        return result
    except BaseException:
        # A worker that failed or timed out may be anywhere in its load: start afresh.
        _WORKERS.close()
        raise


class _Workers:
    """The load's worker processes, kept from one load to the next.

    Spawning a worker and importing what it needs takes 1.5-3 s of a 2-core machine; a
    full run has some sixty loads. Between loads a worker waits on its pipe and uses no
    CPU; each load gets a fresh event loop and fresh clients.
    """

    def __init__(self) -> None:
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._pipes: list[Connection] = []

    def take(self, count: int) -> list[Connection]:
        """`count` idle workers' pipes, spawning them if the ones kept do not fit."""
        if len(self._pipes) != count or not all(p.is_alive() for p in self._processes):
            self.close()
            ctx = multiprocessing.get_context("spawn")
            for _ in range(count):
                parent_end, child_end = ctx.Pipe()
                worker = ctx.Process(target=_worker_main, args=(child_end,), daemon=True)
                worker.start()
                child_end.close()
                self._pipes.append(parent_end)
                self._processes.append(worker)
            try:
                _gather(self._pipes, "idle", _SPAWN_TIMEOUT_S)
            except LoadError:
                self.close()
                raise
        return self._pipes

    def close(self) -> None:
        """Ask every worker to exit; terminate those that do not."""
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.send(("exit",))
        for worker in self._processes:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=5)
        for pipe in self._pipes:
            pipe.close()
        self._processes.clear()
        self._pipes.clear()


_WORKERS = _Workers()
atexit.register(_WORKERS.close)


def _broadcast(pipes: list[Connection], message: tuple[Any, ...]) -> None:
    for pipe in pipes:
        pipe.send(message)


def _gather(pipes: list[Connection], expected: str, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    answers: list[dict[str, Any]] = []
    for number, pipe in enumerate(pipes):
        if not pipe.poll(max(deadline - time.monotonic(), 0.0)):
            raise LoadError(f"worker {number}: no {expected!r} within {timeout:.0f} s")
        try:
            kind, body = pipe.recv()
        except EOFError as exc:
            raise LoadError(f"worker {number} exited before {expected!r}") from exc
        if kind == "failed":
            raise LoadError(f"worker {number} failed before {expected!r}: {body}")
        if kind != expected:
            raise LoadError(f"worker {number}: expected {expected!r}, got {kind!r}")
        answers.append(body)
    return answers


def _count(counter: dict[str, int], messages: list[str]) -> None:
    for message in messages:
        counter[message] = counter.get(message, 0) + 1


def _worker_main(pipe: Connection) -> None:
    """Entry point of a worker process: one load after another, until "exit"."""
    try:
        import uvloop

        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    try:
        pipe.send(("idle", {}))
        while True:
            message = pipe.recv()
            if message[0] != "load":
                return
            _, config, indices = message
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                runner.run(_worker(pipe, config, indices))
    except EOFError:
        return  # the parent is gone
    except Exception as exc:
        pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        pipe.close()


async def _worker(pipe: Connection, config: LoadConfig, indices: list[int]) -> None:
    loop = asyncio.get_running_loop()
    pipe.send(("up", {}))
    await _receive(pipe, "connect", time.monotonic() + _SPAWN_TIMEOUT_S)
    cpu_at_connect = time.process_time()
    clients = [
        BenchClient(
            i,
            config.urls[config.board_of(i)],
            config.origin or _origin_of(config.urls[config.board_of(i)]),
            writer=i if i < config.writers else None,
            writers=config.writers,
            writes=config.writes_per_writer,
            full=config.docs == "all",
        )
        for i in indices
    ]
    connect_deadline = loop.time() + config.connect_timeout
    outcomes = await asyncio.gather(
        *(_by(connect_deadline, c.connect()) for c in clients), return_exceptions=True
    )
    live: list[BenchClient] = []
    report = []
    failed: list[BenchClient] = []
    for client, outcome in zip(clients, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            report.append((client.index, None, 0, [_describe(outcome), *client.errors]))
            failed.append(client)
        else:
            report.append((client.index, client.connect_s, client.state_bytes, []))
            live.append(client)
    # Dropped, not closed: a client the server left without its sync for this long is
    # one whose close handshake it would not answer either (3 s each, and a hundred of
    # them one after the other outlasted the parent's wait for "ready").
    for client in failed:
        client.abort()
    pipe.send(("ready", {"clients": report}))

    start_deadline = time.monotonic() + config.connect_timeout + 30
    _, start_us, live_writers = await _receive(pipe, "start", start_deadline)
    writes = config.writes_per_writer
    for client in live:
        board = config.doc_of(client.index)
        others = sum(config.doc_of(w) == board and w != client.writer for w in live_writers)
        client.expect(others * writes, config.warmup_writes)
    spread_us = 1e6 / config.rate / max(len(live_writers), 1) if config.rate else 0.0
    writing = [
        c.write(start_us + int(live_writers.index(c.index) * spread_us), config.rate, writes)
        for c in live
        if c.writer is not None and c.index in live_writers
    ]
    end_us = start_us + int((config.warmup + config.duration) * 1e6)
    drain_deadline = loop.time() + (end_us - clock_us()) / 1e6 + config.drain_timeout
    if config.cursor_rate:
        writing += [c.move_cursor(start_us, config.cursor_rate, end_us) for c in live]
    with contextlib.suppress(TimeoutError):
        await _by(drain_deadline, asyncio.gather(*writing))
    await asyncio.gather(
        *(_by(drain_deadline, c.wait_complete()) for c in live), return_exceptions=True
    )

    for client in live:
        client.verify()
    errors: dict[str, int] = {}
    for client in live:
        _count(errors, client.errors)
    await asyncio.gather(*(c.close() for c in live))
    latencies = array("q")
    for client in live:
        latencies.extend(client.latencies_us)
    done = {
        "latencies": latencies.tobytes(),
        "delivered": sum(c.received for c in live),
        "expected": sum(c.expected for c in live),
        "incomplete": sum(not c.complete for c in live),
        "errors": errors,
        "cpu_s": time.process_time() - cpu_at_connect,
        "sent_update_bytes": sum(c.sent_update_bytes for c in live),
        "cursor_moves": sum(c.cursor_moves for c in live),
    }
    pipe.send(("done", done))


async def _receive(pipe: Connection, expected: str, deadline: float) -> tuple[Any, ...]:
    """Wait for the parent's next message (until a time.monotonic() deadline) in a thread."""
    loop = asyncio.get_running_loop()
    ready = await loop.run_in_executor(None, pipe.poll, max(deadline - time.monotonic(), 0.0))
    if not ready:
        raise TimeoutError(f"no {expected!r} from the parent in time")
    message: tuple[Any, ...] = pipe.recv()
    if message[0] != expected:
        raise RuntimeError(f"expected {expected!r} from the parent, got {message[0]!r}")
    return message


async def _by(deadline: float, awaitable: Awaitable[_T]) -> _T:
    """Await under an event-loop-time deadline; TimeoutError after it."""
    async with asyncio.timeout_at(deadline):
        return await awaitable


def _origin_of(url: str) -> str:
    """The origin of the page a browser would have loaded a websocket url from."""
    parts = urlsplit(url)
    return f"{'https' if parts.scheme == 'wss' else 'http'}://{parts.netloc}"


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
