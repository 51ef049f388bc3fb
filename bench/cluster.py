"""Several Samsyn processes on one PostgreSQL database and one Redis, measured together.

The scale-out scenario starts Debian's PostgreSQL and Redis the way the tests do
(tests/support/services.py: private instances on free loopback ports, their own data
folders), then 1, 2 or 4 `samsyn serve` processes on them. Clients connect to the
processes directly, spread evenly: a board's clients are on every process, so every
delivery to a client on another process crossed PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from bench.procfs import ProcStats, tree_stats
from bench.servers import RunningServer, start_servers
from tests.support.services import PostgresServer, RedisServer


class Backing:
    """PostgreSQL and Redis for one round: started once, a fresh database per cluster."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self.postgres = PostgresServer()
        self.redis = RedisServer()

    def __enter__(self) -> Backing:
        self.postgres.start()
        self._stack.callback(self.postgres.close)
        self.redis.start()
        self._stack.callback(self.redis.close)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def stats(self) -> ProcStats:
        """CPU and memory of PostgreSQL (every backend) and Redis together."""
        pids = [p.pid for p in (self.postgres.proc, self.redis.proc) if p is not None]
        return _sum(tree_stats(pid) for pid in pids)


class Cluster:
    """`count` Samsyn processes on one database; quacks like one RunningServer."""

    name = "samsyn"

    def __init__(self, nodes: list[RunningServer], backing: Backing) -> None:
        self.nodes = nodes
        self.backing = backing
        self.base = nodes[0].base

    def stats(self) -> ProcStats:
        """The Samsyn processes' CPU and memory, summed (PostgreSQL and Redis apart)."""
        return _sum(node.stats() for node in self.nodes)

    def new_boards(self, count: int) -> list[str]:
        return self.nodes[0].new_boards(count)

    def ws_url(self, path: str) -> str:
        return self.nodes[0].ws_url(path)

    def spread(self, paths: list[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Every board on every process: the urls, and the board behind each url."""
        urls = tuple(node.ws_url(path) for path in paths for node in self.nodes)
        boards = tuple(b for b in range(len(paths)) for _ in self.nodes)
        return urls, boards


@contextlib.contextmanager
def running_cluster(workdir: Path, count: int, backing: Backing) -> Iterator[Cluster]:
    """`count` processes on a fresh database of `backing`, stopped (SIGTERM) after."""
    args = ["--db", backing.postgres.new_database(), "--redis", backing.redis.url]
    folders = [workdir / f"node{count}-{i}" for i in range(count)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    # Started together, as a region's processes are: they take turns at the migrations.
    with start_servers("samsyn", folders, args) as nodes:
        yield Cluster(nodes, backing)


def _sum(stats: Iterator[ProcStats] | list[ProcStats]) -> ProcStats:
    cpu = rss = peak = written = system = 0.0
    for s in stats:
        cpu += s.cpu_s
        system += s.sys_s
        rss += s.rss_kb
        peak += s.rss_peak_kb
        written += s.write_bytes
    return ProcStats(cpu, int(rss), int(peak), int(written), system)
