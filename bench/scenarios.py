"""The scenarios: what each puts on a freshly started server, and which figures it reports.

Each scenario runs against one started server and returns a flat dict of metrics; the
runner (run.py) starts a fresh server per round. Sizes come in two scales: "full" (what
`make bench` runs, chosen to fit all rounds in under ten minutes on a 2-core machine)
and "smoke" (seconds, for tests/test_bench_smoke.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bench import report
from bench.cluster import Backing, running_cluster
from bench.load import LoadConfig, LoadResult, run_load
from bench.probe import Probe, health_figures
from bench.procfs import MachineCpu, ProcStats, machine_cpu
from bench.seed import seeded
from bench.servers import HOST, READY_PATH, RunningServer, start_server

Sizes = dict[str, float]
_FULL_STATE_SHARE = 0.95
Runner = Callable[["Context"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Context:
    """What a scenario gets: the server, where it lives, its sizes and load options."""

    server: RunningServer
    workdir: Path
    sizes: Sizes
    procs: int
    drain_timeout: float


@dataclass(frozen=True, slots=True)
class Scenario:
    key: str
    title: str
    run: Runner
    headline: list[str]
    full: Sizes
    smoke: Sizes
    samsyn_only: bool = False


class Measured(Protocol):
    """What the load is run against: one server, or several processes (bench/cluster.py)."""

    base: str

    def stats(self) -> ProcStats: ...


def _load(
    ctx: Context, paths: list[str], **sizes: float
) -> tuple[dict[str, Any], dict[str, ProcStats], LoadResult]:
    """Run the load generator against the boards at paths; its metrics and the marks."""
    return _load_on(ctx, ctx.server, tuple(ctx.server.ws_url(p) for p in paths), (), **sizes)


def _load_on(
    ctx: Context,
    server: Measured,
    urls: tuple[str, ...],
    url_boards: tuple[int, ...],
    also: Measured | None = None,
    **sizes: float,
) -> tuple[dict[str, Any], dict[str, ProcStats], LoadResult]:
    """Run the load against `urls` (the board behind each in `url_boards`, if several
    lead to one), measuring `server` (and `also`, marked as "also_<phase>"); its metrics
    and the marks."""
    s = {**ctx.sizes, **sizes}
    config = LoadConfig(
        urls=urls,
        url_boards=url_boards,
        # Several processes: each client's page came from the process it talks to.
        origin="" if len({u.split("/ws/")[0] for u in urls}) > 1 else server.base,
        clients=int(s["clients"]),
        writers=int(s.get("writers", 0)),
        rate=s.get("rate", 0.0),
        duration=s.get("duration", 0.0),
        warmup=s.get("warmup", 0.0),
        cursor_rate=s.get("cursor_rate", 0.0),
        procs=ctx.procs,
        # A client not synced by then counts as not connected. pycrdt-websocket leaves
        # some joiners of a busy room without their sync step 2 until uvicorn's keepalive
        # closes them (1011) after 40 s; waiting for that cost 30 s a round. The join
        # storm sets its own, longer limit.
        connect_timeout=s.get("connect_timeout", _CONNECT_TIMEOUT_S),
        drain_timeout=ctx.drain_timeout,
    )
    idle = server.stats()
    marks: dict[str, ProcStats] = {}
    busy: dict[str, MachineCpu] = {}

    def mark(phase: str) -> None:
        marks[phase] = server.stats()
        if also is not None:
            marks[f"also_{phase}"] = also.stats()
        busy[phase] = machine_cpu()

    load = run_load(config, mark)
    return report.load_metrics(load, marks, idle, busy["end"] - busy["connect"]), marks, load


_CONNECT_TIMEOUT_S = 4.0
_LATENCY = [
    "cpu_us_per_delivery",
    "sys_us_per_delivery",
    "edit_cpu_us_per_delivery",
    "server_cpu_ms_per_join",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
]
# Share delivered counts the clients that connected: a server that refuses or drops
# clients shows it in connected_share.
_DELIVERY = ["delivered_share", "connected_share", "delivered", "rss_peak_mb", "server_cpu_s"]
SCENARIOS: dict[str, Scenario] = {}


def _scenario(
    key: str, title: str, headline: list[str], full: Sizes, smoke: Sizes, samsyn_only: bool = False
) -> Callable[[Runner], Runner]:
    """Register a scenario function under its letter, with its figures and sizes."""

    def register(run: Runner) -> Runner:
        SCENARIOS[key] = Scenario(key, title, run, headline, full, smoke, samsyn_only)
        return run

    return register


@_scenario(
    "a",
    "(a) fan-out: 200 clients, 20 writers at 5 Hz, one board",
    _LATENCY + _DELIVERY,
    full={"clients": 200, "writers": 20, "rate": 5, "warmup": 1, "duration": 3},
    smoke={"clients": 6, "writers": 2, "rate": 5, "warmup": 0.2, "duration": 0.4},
)
def fanout(ctx: Context) -> dict[str, Any]:
    """(a) clients on one board, writers editing their notes at a steady rate."""
    metrics, _, _ = _load(ctx, ctx.server.new_boards(1))
    return metrics


@_scenario(
    "b",
    "(b) joint day: 1,000 clients on one board, 50 writers at 2 Hz",
    [
        *_LATENCY,
        *_DELIVERY,
        "connect_p99_s",
        "healthz_p99_ms",
        "healthz_join_p99_ms",
        "healthz_edit_p99_ms",
        "healthz_max_ms",
        "healthz_unanswered",
    ],
    full=dict(clients=1000, writers=50, rate=2, warmup=1, duration=3, health_every_s=0.1),
    smoke=dict(clients=8, writers=2, rate=4, warmup=0.2, duration=0.4, health_every_s=0.1),
)
def joint_day(ctx: Context) -> dict[str, Any]:
    """(b) all of a library's staff on one board; an HTTP probe throughout: Samsyn's
    /healthz, the peers' own answer on / (what each answers once it is up)."""
    server = ctx.server
    path = READY_PATH.get(server.name, "/healthz")
    with Probe(HOST, server.port, path, ctx.sizes["health_every_s"]) as probe:
        metrics, _, load = _load(ctx, server.new_boards(1))
    at = load.phase_at
    everything = health_figures(probe.polls)
    metrics["healthz_samples"] = everything.polls
    metrics["healthz_unanswered"] = everything.polls - everything.answered_200
    metrics["healthz_p99_ms"] = everything.p99_ms
    metrics["healthz_max_ms"] = everything.max_ms
    # The joins (connect to the first edit) apart from the editing (first edit to the end).
    metrics["healthz_join_p99_ms"] = health_figures(probe.window(at["connect"], at["start"])).p99_ms
    metrics["healthz_edit_p99_ms"] = health_figures(probe.window(at["start"], at["end"])).p99_ms
    return metrics


@_scenario(
    "c",
    "(c) presence: 500 clients moving cursors at 10 Hz, one writer as a lag probe",
    ["server_cores", "lag_p99_ms", "p50_ms", "max_ms", *_DELIVERY[:2], "rss_peak_mb"],
    full=dict(clients=500, writers=1, rate=5, cursor_rate=10, warmup=1, duration=2),
    smoke=dict(clients=6, writers=1, rate=5, cursor_rate=10, warmup=0.2, duration=0.4),
)
def presence(ctx: Context) -> dict[str, Any]:
    """(c) every client moves its cursor; one writer's small edits probe the loop's lag."""
    metrics, _, _ = _load(ctx, ctx.server.new_boards(1))
    metrics["lag_p99_ms"] = metrics["p99_ms"]
    return metrics


@_scenario(
    "d",
    "(d) join storm: 150 clients join a 5 MB board at once",
    ["connect_p99_s", "connect_p50_s", "extra_rss_mb", "full_state_share", "board_bytes"],
    full={"clients": 150, "notes": 5000, "note_chars": 1000, "connect_timeout": 60},
    smoke={"clients": 5, "notes": 50, "note_chars": 100},
)
def join_storm(ctx: Context) -> dict[str, Any]:
    """(d) clients join a big board at once; time to the full state, and the extra RSS."""
    path = ctx.server.new_boards(1)[0]
    s = ctx.sizes
    url = ctx.server.ws_url(path)
    with seeded(url, ctx.server.base, int(s["notes"]), int(s["note_chars"])) as size:
        metrics, marks, load = _load(ctx, [path])
    metrics["board_bytes"] = size
    # A joiner whose step 2 is smaller than the seeded board did not get the full state
    # (the encodings of pycrdt and Yjs differ by a few bytes, hence the margin).
    full = sum(n >= size * _FULL_STATE_SHARE for n in load.state_bytes)
    metrics["full_state_share"] = round(full / int(s["clients"]), 4)
    metrics["extra_rss_mb"] = round(marks["end"].rss_peak_kb / 1024 - metrics["rss_before_mb"], 1)
    return metrics


@_scenario(
    "e",
    "(e) cold open: a 2,000-note board from SQLite to a synced client (Samsyn only)",
    ["open_ms", "open_server_cpu_ms", "state_bytes_min"],
    full={"notes": 2000, "note_chars": 80},
    smoke={"notes": 50, "note_chars": 40},
    samsyn_only=True,
)
def cold_open(ctx: Context) -> dict[str, Any]:
    """(e) Samsyn only: a board saved to SQLite, the server restarted, one client opens it."""
    path = ctx.server.new_boards(1)[0]
    s = ctx.sizes
    with seeded(ctx.server.ws_url(path), ctx.server.base, int(s["notes"]), int(s["note_chars"])):
        pass
    ctx.server.stop()
    # The seeder has closed and SIGTERM flushes: the restarted server has it all in SQLite
    # and nothing in memory, which is colder than a room unloaded after its grace period.
    with start_server(ctx.server.name, ctx.workdir) as again:
        cold = Context(again, ctx.workdir, ctx.sizes, 1, ctx.drain_timeout)
        metrics, _, _ = _load(cold, [path], clients=1)
    metrics["open_ms"] = round(metrics["connect_p99_s"] * 1000, 1) if metrics["connected"] else None
    metrics["open_server_cpu_ms"] = round(metrics["server_cpu_s"] * 1000, 1)
    return metrics


@_scenario(
    "f",
    "(f) memory: per idle connection (500 on an empty board), per loaded 2 MB board",
    ["kb_per_idle_connection", "loaded_board_x_encoded", "loaded_board_rss_mb"],
    full={"clients": 500, "notes": 2000, "note_chars": 1000, "settle_s": 1.5},
    smoke={"clients": 5, "notes": 50, "note_chars": 100},
)
def memory(ctx: Context) -> dict[str, Any]:
    """(f) RSS per idle connection (an empty board), then per loaded board (seeded)."""
    metrics, marks, _ = _load(ctx, ctx.server.new_boards(1))
    added_kb = marks["start"].rss_kb - marks["connect"].rss_kb
    metrics["kb_per_idle_connection"] = (
        round(added_kb / metrics["connected"], 1) if metrics["connected"] else None
    )
    path = ctx.server.new_boards(1)[0]
    before = ctx.server.stats().rss_kb
    s = ctx.sizes
    url = ctx.server.ws_url(path)
    with seeded(url, ctx.server.base, int(s["notes"]), int(s["note_chars"])) as size:
        # The board at rest, every server alike: what it holds once the seeding is over,
        # not the peak of taking it in (Samsyn gives freed memory back after a second).
        time.sleep(s.get("settle_s", 0.0))
        loaded = ctx.server.stats().rss_kb
    metrics["board_bytes"] = size
    metrics["loaded_board_rss_mb"] = round((loaded - before) / 1024, 1)
    metrics["loaded_board_x_encoded"] = round((loaded - before) * 1024 / size, 2)
    return metrics


@_scenario(
    "g",
    "(g) storage: bytes written per byte of update, 20 writers at 10 Hz (Samsyn only)",
    ["written_per_update_byte", "sent_update_bytes", "db_files_bytes", "delivered_share"],
    full={"clients": 21, "writers": 20, "rate": 10, "warmup": 0, "duration": 3},
    smoke={"clients": 3, "writers": 2, "rate": 5, "warmup": 0, "duration": 1},
    samsyn_only=True,
)
def storage(ctx: Context) -> dict[str, Any]:
    """(g) Samsyn only: bytes written to storage per byte of update, compaction included."""
    metrics, _, _ = _load(ctx, ctx.server.new_boards(1))
    db = sum(f.stat().st_size for f in ctx.workdir.glob("bench.db*"))
    metrics["db_files_bytes"] = db
    sent = metrics["sent_update_bytes"]
    metrics["written_per_update_byte"] = (
        round(metrics["server_written_bytes"] / sent, 2) if sent else None
    )
    return metrics


@_scenario(
    "h",
    "(h) many boards: 100 boards x 10 clients, one writer each at 1 Hz",
    [*_LATENCY, *_DELIVERY, "connect_p99_s"],
    full={"clients": 1000, "boards": 100, "rate": 1, "warmup": 1, "duration": 3},
    smoke={"clients": 6, "boards": 3, "rate": 4, "warmup": 0.2, "duration": 0.4},
)
def many_boards(ctx: Context) -> dict[str, Any]:
    """(h) many boards at once, a few clients and one writer each."""
    boards = int(ctx.sizes["boards"])
    metrics, _, _ = _load(ctx, ctx.server.new_boards(boards), writers=boards)
    return metrics


_PROCESSES = (1, 2, 4)
_SCALE_FIGURES = (
    "throughput",
    "p99_ms",
    "cpu_us",
    "backing_cpu_us",
    "delivered_share",
    "connected_share",
)


@_scenario(
    "i",
    "(i) scale-out: 1, 2 and 4 processes on PostgreSQL + Redis, one board and many boards"
    " (Samsyn only)",
    [f"{kind}_{n}p_{f}" for kind in ("one", "many") for n in _PROCESSES for f in _SCALE_FIGURES],
    full=dict(
        processes=4,
        clients=200,
        writers=20,
        rate=5,
        warmup=0.5,
        duration=1.5,
        boards=40,
        board_clients=10,
    ),
    smoke=dict(
        processes=2,
        clients=6,
        writers=2,
        rate=4,
        warmup=0.2,
        duration=0.4,
        boards=2,
        board_clients=2,
    ),
    samsyn_only=True,
)
def scale_out(ctx: Context) -> dict[str, Any]:
    """(i) Samsyn only: one board with its clients spread over every process, then many
    boards each on one process (as nginx's hashing places them); per process count, the
    deliveries per second, p99, and CPU per delivery of Samsyn and of PostgreSQL + Redis."""
    s = ctx.sizes
    metrics: dict[str, Any] = {}
    with Backing() as backing:
        for count in (n for n in _PROCESSES if n <= s["processes"]):
            with running_cluster(ctx.workdir, count, backing) as cluster:
                urls, boards = cluster.spread(cluster.new_boards(1))
                one = _measure_scaled(ctx, cluster, backing, urls, boards)
                paths = cluster.new_boards(int(s["boards"]))
                placed = tuple(
                    cluster.nodes[b % count].ws_url(path) for b, path in enumerate(paths)
                )
                many = _measure_scaled(
                    ctx,
                    cluster,
                    backing,
                    placed,
                    (),
                    clients=s["boards"] * s["board_clients"],
                    writers=s["boards"],
                    rate=1,
                )
            for kind, figures in (("one", one), ("many", many)):
                for name, value in figures.items():
                    metrics[f"{kind}_{count}p_{name}"] = value
    return metrics


def _measure_scaled(
    ctx: Context,
    cluster: Any,
    backing: Backing,
    urls: tuple[str, ...],
    boards: tuple[int, ...],
    **sizes: float,
) -> dict[str, Any]:
    metrics, marks, load = _load_on(ctx, cluster, urls, boards, backing, **sizes)
    # CPU while the edits run, without the connect storm before them: with many small
    # boards the joins would otherwise dwarf the deliveries.
    cpu = marks["end"].cpu_s - marks["start"].cpu_s
    backing_cpu = marks["also_end"].cpu_s - marks["also_start"].cpu_s
    delivered = load.delivered

    def per_delivery(seconds: float) -> float | None:
        return round(seconds * 1e6 / delivered, 1) if delivered else None

    return {
        "throughput": round(delivered / load.run_s) if load.run_s > 0 else None,
        "p99_ms": metrics["p99_ms"],
        "cpu_us": per_delivery(cpu),
        "backing_cpu_us": per_delivery(backing_cpu),
        "delivered_share": metrics["delivered_share"],
        "delivered": delivered,
        "connected_share": metrics["connected_share"],
    }


LABELS = {
    "cpu_us_per_delivery": "server CPU µs per delivered update",
    "sys_us_per_delivery": "of which in the kernel (system) µs",
    "edit_cpu_us_per_delivery": "server CPU µs per delivery, from the first edit on",
    "server_cpu_ms_per_join": "server CPU ms per client joining",
    "p50_ms": "p50 edit-to-peer ms",
    "p95_ms": "p95 ms",
    "p99_ms": "p99 ms",
    "max_ms": "max ms",
    "delivered_share": "share delivered (to connected clients)",
    "connected_share": "share of clients connected",
    "delivered": "deliveries",
    "rss_peak_mb": "peak RSS MB",
    "server_cpu_s": "server CPU s",
    "server_cores": "server CPU, cores",
    "lag_p99_ms": "lag probe p99 ms",
    "connect_p99_s": "time to synced (full state) p99 s",
    "connect_p50_s": "time to synced p50 s",
    "extra_rss_mb": "extra RSS MB",
    "full_state_share": "joiners with the full state",
    "board_bytes": "board encoded bytes",
    "healthz_p99_ms": "/healthz (the peers: /) p99 ms, throughout",
    "healthz_join_p99_ms": "of that, while 1,000 clients join: p99 ms",
    "healthz_edit_p99_ms": "of that, while they edit: p99 ms",
    "healthz_max_ms": "/healthz (the peers: /) max ms",
    "healthz_unanswered": "probes unanswered (5 s limit)",
    "open_ms": "open to synced ms",
    "open_server_cpu_ms": "server CPU ms",
    "state_bytes_min": "state bytes received",
    "kb_per_idle_connection": "KB per idle connection",
    "loaded_board_x_encoded": "loaded board RSS / encoded size",
    "loaded_board_rss_mb": "loaded board MB",
    "written_per_update_byte": "bytes written per update byte",
    "sent_update_bytes": "update bytes sent",
    "db_files_bytes": "SQLite files bytes",
    **{
        f"{kind}_{n}p_{figure}": f"{where}, {n} process{'es' if n > 1 else ''}: {what}"
        for kind, where in (("one", "one board"), ("many", "many boards"))
        for n in _PROCESSES
        for figure, what in (
            ("throughput", "deliveries per s"),
            ("delivered", "deliveries"),
            ("connected_share", "share of clients connected"),
            ("p99_ms", "p99 ms"),
            ("cpu_us", "Samsyn CPU µs per delivery"),
            ("backing_cpu_us", "PostgreSQL + Redis CPU µs per delivery"),
            ("delivered_share", "share delivered"),
        )
    },
}
