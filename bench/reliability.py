"""Reliability under crashes: `samsyn serve` killed with SIGKILL again and again under load,
and a reconnect storm of many clients after a restart.

    .venv/bin/python -m bench.reliability --cycles 20 --writers 6 --readers 4
    .venv/bin/python -m bench.reliability --cycles 0 --storm 1000 --json out.json

Kill cycles: one server on a free port with its own SQLite file; writers (stock y-websocket
providers in one node process, static/test/reliability-client.mjs) keep adding notes and
appending to them, readers watch. Each cycle waits a random moment, kills the server with
SIGKILL, takes what the readers hold (everything they received from the server), reads
the board from the SQLite file as the next start will (before any client can send its
copy back and hide a loss) and counts every note or appended word the readers had and the
file does not: a loss. Then it starts the server again on the same port and file, and
waits until every provider, reconnecting with its own backoff, is synced again. At the
end the writers stop, a fresh client reads the board: everything the readers ever held
must be in it, and every provider must hold exactly it.

Storm: N readers (one node process) on a board of `--storm-notes` notes; the server is
restarted (SIGTERM, then SIGKILL) and all N reconnect by themselves. /healthz is polled
every 50 ms throughout; the figures are its latency from the restarted server's first
answer until every client holds the board again, and whether every poll in that window
was a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import websockets
from pycrdt import Doc, Map, Text

from bench.probe import HealthFigures, Probe, health_figures
from bench.procfs import tree_stats
from server.store.sqlite import SqliteStore
from server.sync import protocol

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
SAMSYN = Path(sys.executable).parent / "samsyn"
METRICS_TOKEN = "reliability"
# One address and the facilitator's key for every client: the operator lifts the limits
# meant for strangers, as bench/servers.py does.
_ENV = {
    "SAMSYN_SOCKETS_PER_ADDRESS": "100000",
    "SAMSYN_SOCKETS_PER_CREDENTIAL": "100000",
    "SAMSYN_METRICS_TOKEN": METRICS_TOKEN,
    "SAMSYN_LOG_LEVEL": os.environ.get("SAMSYN_LOG_LEVEL", "warning"),
}


class ReliabilityError(RuntimeError):
    """The server or a client did not do what the run needs (not a finding: a failure)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """`samsyn serve` on one port and SQLite file, started again after each crash."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db = db
        self.log = log
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self, within: float = 60.0) -> float:
        """Start and wait for /healthz to answer 200; the seconds that took."""
        if not SAMSYN.exists():
            raise ReliabilityError(f"{SAMSYN} not found: run `make setup`")
        started = time.monotonic()
        command = [str(SAMSYN), "serve", "--host", HOST, "--port", str(self.port)]
        command += ["--db", str(self.db), "--create"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **_ENV},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        while time.monotonic() - started < within:
            if self.process.poll() is not None:
                raise ReliabilityError(
                    f"samsyn exited with {self.process.returncode}: {self.tail()}"
                )
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as reply,
            ):
                if reply.status == 200:
                    return time.monotonic() - started
            time.sleep(0.02)
        raise ReliabilityError(f"samsyn did not answer within {within:.0f} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        self._end(signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM: the graceful restart of a deploy."""
        self._end(signal.SIGTERM)

    def _end(self, sig: signal.Signals) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(FileNotFoundError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def metrics(self) -> dict[str, float]:
        """The numbers of /metrics (empty when the server does not answer)."""
        request = urllib.request.Request(
            f"{self.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        figures: dict[str, float] = {}
        with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=5) as reply:
            for line in reply.read().decode().splitlines():
                if line and not line.startswith("#"):
                    name, _, value = line.rpartition(" ")
                    figures[name] = float(value)
        return figures

    def create_board(self) -> tuple[str, str]:
        """POST /api/boards: the new board's id and facilitator key."""
        request = urllib.request.Request(
            f"{self.base}/api/boards",
            data=json.dumps({"title": "reliability"}).encode(),
            headers={"Content-Type": "application/json", "Origin": self.base},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = json.loads(reply.read())
        return body["id"], body["facilitator_key"]


class Peers:
    """The node process holding every provider; its events and command answers."""

    def __init__(self, process: asyncio.subprocess.Process, count: int) -> None:
        self.process = process
        self.syncs = [0] * count
        self._answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._synced = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(
        cls, url: str, token: str, writers: int, readers: int, rate: float, backoff_ms: int
    ) -> Peers:
        node = shutil.which("node")
        if node is None:
            raise ReliabilityError("node not found on PATH")
        base, _, room = url.rpartition("/")
        process = await asyncio.create_subprocess_exec(
            node,
            "test/reliability-client.mjs",
            base,
            room,
            token,
            str(writers),
            str(readers),
            str(rate),
            str(backoff_ms),
            cwd=STATIC,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=None,
            limit=2**28,
        )
        return cls(process, writers + readers)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            event = json.loads(line)
            if event["ev"] == "sync":
                self.syncs[event["c"]] = event["n"]
                self._synced.set()
            else:
                await self._answers.put(event)

    async def ask(self, command: str, within: float = 60.0) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        await self.process.stdin.drain()
        async with asyncio.timeout(within):
            return await self._answers.get()

    async def all_synced(self, times: int, within: float) -> None:
        """Wait until every provider has synced `times` times (once per server start)."""
        try:
            async with asyncio.timeout(within):
                while min(self.syncs) < times:
                    if self._reader.done():
                        raise ReliabilityError(f"the node peers exited ({self.process.returncode})")
                    self._synced.clear()
                    await self._synced.wait()
        except TimeoutError:
            behind = sum(1 for n in self.syncs if n < times)
            raise ReliabilityError(
                f"{behind} of {len(self.syncs)} clients not synced again within {within:.0f} s"
            ) from None

    async def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            async with asyncio.timeout(20):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


def _texts(doc: Doc[Any]) -> dict[str, str]:
    notes = doc.get("notes", type=Map)
    return {key: str(note["text"]) if "text" in note else "" for key, note in notes.items()}


def digest(texts: dict[str, str]) -> str:
    """The node peer's digest: sha1 of the sorted [id, text] pairs as compact JSON."""
    pairs = sorted(texts.items())
    return hashlib.sha1(
        json.dumps(pairs, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


async def durable_notes(db: Path, board_id: str) -> dict[str, str]:
    """The board as the SQLite file holds it, read while no server runs: what the next
    start will load, before any client can send its own copy back."""
    async with SqliteStore(db) as store:
        history = await store.load_doc(board_id)
    doc: Doc[Any] = Doc()
    for update in history.replayed():
        doc.apply_update(update)
    return _texts(doc)


async def fresh_notes(ws_url: str) -> dict[str, str]:
    """The board as a new client receives it (sync step 2)."""
    doc: Doc[Any] = Doc()
    async with (
        asyncio.timeout(30),
        websockets.connect(ws_url, max_size=None, open_timeout=10) as ws,
    ):
        await ws.send(protocol.encode_sync_step1(doc.get_state()))
        async for frame in ws:
            message = protocol.decode(frame if isinstance(frame, bytes) else frame.encode())
            if isinstance(message, protocol.SyncStep2):
                doc.apply_update(message.update)
                break
    return _texts(doc)


async def seed_notes(ws_url: str, count: int) -> None:
    """Add `count` notes to the board as one update, and wait until it is stored."""
    doc: Doc[Any] = Doc()
    notes = doc.get("notes", type=Map)
    with doc.transaction():
        for i in range(count):
            text = f"seed-{i}: " + "en lapp från förra veckan " * 4
            notes[f"seed-{i}"] = Map({"text": Text(text), "x": float(i), "y": 0.0})
    async with (
        asyncio.timeout(30),
        websockets.connect(ws_url, max_size=None, open_timeout=10) as ws,
    ):
        # The handshake first, as a client does: the server's step 1 is answered with
        # the notes, its step 2 tells the socket is synced.
        await ws.send(protocol.encode_sync_step1(b"\x00"))
        async for frame in ws:
            message = protocol.decode(frame if isinstance(frame, bytes) else frame.encode())
            if isinstance(message, protocol.SyncStep1):
                await ws.send(protocol.encode_sync_step2(doc.get_update(message.state_vector)))
            elif isinstance(message, protocol.SyncStep2):
                break
    async with asyncio.timeout(30):
        while len(await fresh_notes(ws_url)) < count:  # noqa: ASYNC110 (polls the server)
            await asyncio.sleep(0.1)


def updates_in(text: str) -> int:
    """A note counts once for its creation and once for each " +k" appended to it."""
    return 1 + text.count(" +")


def losses(seen: dict[str, str], stored: dict[str, str]) -> list[str]:
    """Notes the readers held that the store lacks, or holds with fewer appended words
    (a writer only ever appends to its own notes, so what a reader saw is a prefix)."""
    return [
        key for key, text in seen.items() if key not in stored or not stored[key].startswith(text)
    ]


@dataclass
class CycleFigures:
    cycle: int
    ran_s: float  # load before the kill
    notes_seen: int
    updates_checked: int
    lost: list[str]
    start_s: float  # from exec to the first /healthz 200
    resync_s: float  # from that answer until every provider synced again


@dataclass
class LagFigures:
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0

    def worst(self, metrics: dict[str, float]) -> None:
        """Keep the worst of these and the figures of one /metrics answer."""
        key = "samsyn_event_loop_lag_seconds"
        self.p50_ms = max(self.p50_ms, round(metrics.get(f'{key}{{quantile="0.5"}}', 0) * 1000, 1))
        self.p99_ms = max(self.p99_ms, round(metrics.get(f'{key}{{quantile="0.99"}}', 0) * 1000, 1))
        self.max_ms = max(self.max_ms, round(metrics.get(f'{key}{{quantile="1"}}', 0) * 1000, 1))


@dataclass
class KillReport:
    cycles: int
    writers: int
    readers: int
    edits: int = 0
    notes_final: int = 0
    updates_checked: int = 0  # in the final check: everything the readers ever held
    updates_checked_per_cycle: int = 0  # summed over the checks of the file after each kill
    losses: int = 0
    clients_resynced: int = 0  # providers holding exactly the fresh client's board
    max_resync_s: float = 0.0
    max_start_s: float = 0.0
    peak_rss_mb: float = 0.0
    healthz: HealthFigures | None = None  # polls while the server was up
    loop_lag: LagFigures = field(default_factory=LagFigures)
    per_cycle: list[CycleFigures] = field(default_factory=list)


@dataclass
class StormRound:
    restart: str  # "sigterm" or "sigkill"
    start_s: float
    all_resynced_s: float  # from the first /healthz 200 until every client synced again
    resynced: int  # clients holding exactly the fresh client's board
    notes: int  # on that board
    healthz: HealthFigures  # polls from the first 200 until a second after the last resync
    loop_lag: LagFigures
    server_cpu_s: float  # CPU the new server process used from its exec to that end
    # The slowest polls of the window: seconds after the first 200, ms, connect ms.
    slowest_polls: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class StormReport:
    clients: int
    notes: int
    initial_join_s: float = 0.0
    peak_rss_mb: float = 0.0
    rounds: list[StormRound] = field(default_factory=list)


async def _resynced(peers: Peers, ws_url: str, within: float) -> tuple[int, int]:
    """Wait until every provider holds the fresh client's board; how many do, and how
    many notes that board has."""
    deadline = time.monotonic() + within
    while True:
        fresh = await fresh_notes(ws_url)
        state = await peers.ask("state")
        matching = sum(1 for d in state["digests"] if d == digest(fresh))
        if matching == len(state["digests"]) or time.monotonic() > deadline:
            return matching, len(fresh)
        await asyncio.sleep(0.5)


async def run_kills(args: argparse.Namespace, workdir: Path) -> KillReport:
    rng = random.Random(args.seed)
    server = Server(workdir / "reliability.db", workdir / "samsyn.log")
    report = KillReport(args.cycles, args.writers, args.readers)
    await asyncio.to_thread(server.start)
    board_id, key = await asyncio.to_thread(server.create_board)
    ws_url = f"ws://{HOST}:{server.port}/ws/{board_id}?token={key}"
    url = f"ws://{HOST}:{server.port}/ws/{board_id}"
    with Probe(HOST, server.port, pid=lambda: server.pid) as probe:
        peers = await Peers.start(url, key, args.writers, args.readers, args.rate, args.backoff_ms)
        try:
            await peers.all_synced(1, within=60)
            up_since = time.monotonic()
            up_windows: list[tuple[float, float]] = []
            for cycle in range(1, args.cycles + 1):
                ran = rng.uniform(args.min_run, args.max_run)
                await asyncio.sleep(ran)
                report.loop_lag.worst(await asyncio.to_thread(server.metrics))
                up_windows.append((up_since, time.monotonic()))
                server.kill()
                down = await peers.ask("down", within=30)
                if down["connected"]:
                    raise ReliabilityError(
                        f"{down['connected']} clients still connected after kill"
                    )
                seen = (await peers.ask("seen"))["notes"]
                lost = losses(seen, await durable_notes(server.db, board_id))
                start_s = await asyncio.to_thread(server.start)
                up_since = time.monotonic()
                await peers.all_synced(cycle + 1, within=args.resync_timeout)
                figures = CycleFigures(
                    cycle=cycle,
                    ran_s=round(ran, 2),
                    notes_seen=len(seen),
                    updates_checked=sum(updates_in(t) for t in seen.values()),
                    lost=lost,
                    start_s=round(start_s, 2),
                    resync_s=round(time.monotonic() - up_since, 2),
                )
                report.per_cycle.append(figures)
                if not args.quiet:
                    print(
                        f"cycle {cycle}: ran {figures.ran_s} s, {figures.notes_seen} notes and "
                        f"{figures.updates_checked} updates seen, {len(lost)} lost, start "
                        f"{figures.start_s} s, all {len(peers.syncs)} clients resynced in "
                        f"{figures.resync_s} s",
                        flush=True,
                    )
            await asyncio.sleep(args.min_run)
            stopped = await peers.ask("stop")
            report.edits = stopped["edits"]
            report.loop_lag.worst(await asyncio.to_thread(server.metrics))
            report.clients_resynced, _ = await _resynced(peers, ws_url, within=30)
            up_windows.append((up_since, time.monotonic()))
            seen = (await peers.ask("seen"))["notes"]
            final = await fresh_notes(ws_url)
            report.notes_final = len(final)
            report.updates_checked = sum(updates_in(t) for t in seen.values())
            lost_at_end = losses(seen, final)
            report.losses = sum(len(c.lost) for c in report.per_cycle) + len(lost_at_end)
        finally:
            await peers.close()
            server.terminate()
    report.updates_checked_per_cycle = sum(c.updates_checked for c in report.per_cycle)
    report.max_resync_s = max((c.resync_s for c in report.per_cycle), default=0.0)
    report.max_start_s = max((c.start_s for c in report.per_cycle), default=0.0)
    report.peak_rss_mb = round(probe.peak_rss_kb / 1024, 1)
    report.healthz = health_figures([p for s, e in up_windows for p in probe.window(s, e)])
    return report


async def run_storm(args: argparse.Namespace, workdir: Path) -> StormReport:
    server = Server(workdir / "storm.db", workdir / "storm.log")
    report = StormReport(args.storm, args.storm_notes)
    await asyncio.to_thread(server.start)
    board_id, key = await asyncio.to_thread(server.create_board)
    ws_url = f"ws://{HOST}:{server.port}/ws/{board_id}?token={key}"
    await seed_notes(ws_url, args.storm_notes)
    with Probe(HOST, server.port, pid=lambda: server.pid) as probe:
        joined = time.monotonic()
        peers = await Peers.start(
            f"ws://{HOST}:{server.port}/ws/{board_id}", key, 0, args.storm, 1, args.storm_backoff_ms
        )
        try:
            await peers.all_synced(1, within=args.resync_timeout)
            report.initial_join_s = round(time.monotonic() - joined, 2)
            for number, restart in enumerate(args.storm_restarts.split(","), start=2):
                (server.terminate if restart == "sigterm" else server.kill)()
                start_s = await asyncio.to_thread(server.start)
                up = time.monotonic()  # the server has answered /healthz: it serves
                await peers.all_synced(number, within=args.resync_timeout)
                all_s = time.monotonic() - up
                await asyncio.sleep(1.0)
                end = time.monotonic()
                cpu_s = tree_stats(server.pid).cpu_s if server.pid is not None else 0.0
                lag = LagFigures()
                lag.worst(await asyncio.to_thread(server.metrics))
                resynced, notes = await _resynced(peers, ws_url, within=30)
                round_ = StormRound(
                    restart=restart,
                    start_s=round(start_s, 2),
                    all_resynced_s=round(all_s, 2),
                    resynced=resynced,
                    notes=notes,
                    healthz=health_figures(probe.window(up, end)),
                    loop_lag=lag,
                    server_cpu_s=round(cpu_s, 2),
                    slowest_polls=[
                        (round(p.at - up, 2), round(p.ms, 1), round(p.connect_ms, 1))
                        for p in sorted(probe.window(up, end), key=lambda p: -p.ms)[:5]
                    ],
                )
                report.rounds.append(round_)
                if not args.quiet:
                    print(
                        f"storm after {restart}: {resynced} of {args.storm} clients hold the "
                        f"board again {round_.all_resynced_s} s after the server answered; "
                        f"/healthz {round_.healthz.answered_200}/{round_.healthz.polls} "
                        f"answered 200, max {round_.healthz.max_ms} ms; loop lag max "
                        f"{lag.max_ms} ms",
                        flush=True,
                    )
        finally:
            await peers.close()
            server.terminate()
    report.peak_rss_mb = round(probe.peak_rss_kb / 1024, 1)
    return report


def summary(kills: KillReport | None, storm: StormReport | None) -> str:
    lines = []
    if kills is not None:
        health = kills.healthz or HealthFigures(0, 0, 0.0, 0.0, 0.0)
        lines += [
            f"kill -9 cycles: {kills.cycles} ({kills.writers} writers, {kills.readers} readers, "
            f"{kills.edits} edits)",
            f"updates checked: {kills.updates_checked} at the end ({kills.notes_final} notes), "
            f"{kills.updates_checked_per_cycle} in the file after the kills",
            f"losses: {kills.losses}",
            f"clients resynced: {kills.clients_resynced} of {kills.writers + kills.readers}, "
            f"slowest {kills.max_resync_s} s after the server answered",
            f"peak RSS: {kills.peak_rss_mb} MB",
            f"/healthz while up: {health.answered_200}/{health.polls} answered 200, p99 "
            f"{health.p99_ms} ms, max {health.max_ms} ms",
            f"loop lag: p50 {kills.loop_lag.p50_ms} ms, p99 {kills.loop_lag.p99_ms} ms, max "
            f"{kills.loop_lag.max_ms} ms",
        ]
    if storm is not None:
        lines.append(
            f"storm: {storm.clients} clients, {storm.notes} notes, joined in "
            f"{storm.initial_join_s} s, peak RSS {storm.peak_rss_mb} MB"
        )
        for r in storm.rounds:
            lines.append(
                f"  after {r.restart}: {r.resynced}/{storm.clients} resynced in "
                f"{r.all_resynced_s} s; /healthz {r.healthz.answered_200}/{r.healthz.polls} "
                f"answered 200, p99 {r.healthz.p99_ms} ms, max {r.healthz.max_ms} ms (connect "
                f"{r.healthz.max_connect_ms} ms); server CPU {r.server_cpu_s} s; loop lag "
                f"p99 {r.loop_lag.p99_ms} ms, max {r.loop_lag.max_ms} ms"
            )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.reliability", description=__doc__.split("\n")[0])
    add = parser.add_argument
    add("--cycles", type=int, default=20, help="kill -9 cycles (0: none)")
    add("--writers", type=int, default=6, help="editing clients")
    add("--readers", type=int, default=4, help="watching clients")
    add("--rate", type=float, default=4.0, help="edits per second per writer")
    add("--min-run", type=float, default=0.5, help="shortest load before a kill, s")
    add("--max-run", type=float, default=2.0, help="longest load before a kill, s")
    add("--backoff-ms", type=int, default=2500, help="the providers' maxBackoffTime")
    add("--resync-timeout", type=float, default=120.0, help="bound on every resync wait, s")
    add("--storm", type=int, default=0, help="reconnect storm clients (0: no storm)")
    add("--storm-notes", type=int, default=200, help="notes on the storm's board")
    add("--storm-restarts", default="sigterm,sigkill", help="restarts of the storm, in order")
    add("--storm-backoff-ms", type=int, default=2500, help="maxBackoffTime in the storm")
    add("--seed", type=int, default=None, help="seed of the kill moments")
    add("--json", type=Path, help="write every figure here")
    add("--workdir", type=Path, help="keep the database and logs here (default: a temp dir)")
    add("--quiet", action="store_true", help="no line per cycle")
    args = parser.parse_args(argv)
    for restart in args.storm_restarts.split(","):
        if restart not in ("sigterm", "sigkill"):
            parser.error(f"--storm-restarts: expected sigterm or sigkill, got {restart!r}")
    return args


async def run(args: argparse.Namespace) -> tuple[KillReport | None, StormReport | None]:
    with contextlib.ExitStack() as stack:
        if args.workdir is not None:
            args.workdir.mkdir(parents=True, exist_ok=True)
            workdir = args.workdir
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="reliability-")))
        kills = await run_kills(args, workdir) if args.cycles > 0 else None
        storm = await run_storm(args, workdir) if args.storm > 0 else None
    return kills, storm


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    kills, storm = asyncio.run(run(args))
    print(summary(kills, storm))
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "kills": asdict(kills) if kills else None,
                    "storm": asdict(storm) if storm else None,
                },
                indent=2,
            )
        )
    failed = (
        kills is not None and (kills.losses or kills.clients_resynced < args.writers + args.readers)
    ) or (storm is not None and any(r.resynced < storm.clients for r in storm.rounds))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
