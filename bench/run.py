"""`python -m bench.run`: start each server, load it, stop it, print and save the figures."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.load import LoadConfig, LoadError, run_load
from bench.procfs import MachineCpu, ProcStats, machine_cpu
from bench.servers import BENCH_DIR, SERVERS, ServerError, start_server

RESULTS_DIR = BENCH_DIR / "results"
_QUIET_CORES = 0.25


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a server could not be measured."""
    args = _parser().parse_args(argv)
    names = [name.strip() for name in args.servers.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SERVERS))
    if unknown:
        print(f"unknown server(s) {', '.join(unknown)}; expected {', '.join(SERVERS)}")
        return 2
    if not 0 <= args.writers <= args.clients:
        print(f"--writers must be between 0 and --clients ({args.clients}), got {args.writers}")
        return 2
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = RESULTS_DIR / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, name in enumerate(names):
        if number:
            time.sleep(args.pause)  # let the previous server's sockets and CPU settle
        _wait_for_quiet(args.idle_wait)
        print(
            f"== {name}: {args.clients} clients, {args.writers} writers at {args.rate} Hz, "
            f"{args.warmup:g} s warm-up + {args.duration:g} s",
            flush=True,
        )
        row = _bench_one(name, args, run_dir)
        rows.append(row)
        if "error" in row:
            print(f"   FAILED: {row['error']}", flush=True)
        else:
            lat = row["latency_ms"]
            print(
                f"   p50 {lat['p50']} ms, p99 {lat['p99']} ms, "
                f"delivered {row['delivered']}/{row['expected']}",
                flush=True,
            )
    print()
    print(report.table(rows))
    ratio = report.p99_ratio(rows)
    if ratio is not None:
        print(f"\np99 ratio samsyn / y-websocket-server: {ratio}")
    out = run_dir / "results.json"
    report.write_json(
        out,
        {
            "started": stamp,
            "config": {k: v for k, v in vars(args).items()},
            "machine": _machine(),
            "results": rows,
            "p99_ratio_samsyn_over_y_websocket_server": ratio,
        },
    )
    print(f"results: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    return 1 if any("error" in row for row in rows) else 0


def _bench_one(name: str, args: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        try:
            with start_server(name, Path(tmp)) as server:
                idle = server.stats()
                marks: dict[str, ProcStats] = {}
                busy: dict[str, MachineCpu] = {}

                def mark(phase: str) -> None:
                    marks[phase] = server.stats()
                    busy[phase] = machine_cpu()

                config = LoadConfig(
                    url=server.ws_url,
                    origin=server.origin,
                    clients=args.clients,
                    writers=args.writers,
                    rate=args.rate,
                    duration=args.duration,
                    warmup=args.warmup,
                    procs=args.procs,
                    connect_timeout=args.connect_timeout,
                    drain_timeout=args.drain_timeout,
                    docs=args.docs,
                )
                load = run_load(config, mark)
            row = report.summarize(
                name, load, marks["connect"], marks["end"], idle, busy["end"] - busy["connect"]
            )
            row["server_stopped"] = server.stopped
            return row
        except (ServerError, LoadError, OSError) as exc:
            return report.failed_row(name, str(exc))
        finally:
            _keep_log(Path(tmp) / f"{name}.log", run_dir)


def _wait_for_quiet(limit_s: float) -> None:
    """Wait (at most limit_s) until other programs use under a quarter of a core."""
    deadline = time.monotonic() + limit_s
    while True:
        before = machine_cpu()
        time.sleep(1.0)
        cores = (machine_cpu() - before).processes_s
        if cores < _QUIET_CORES:
            return
        if time.monotonic() >= deadline:
            print(
                f"   warning: the machine is busy ({cores:.2f} cores in use by other "
                "programs); figures will be noisy (see other_cpu_s)",
                flush=True,
            )
            return


def _keep_log(log: Path, run_dir: Path) -> None:
    if log.exists():
        (run_dir / log.name).write_bytes(log.read_bytes())


def _machine() -> dict[str, Any]:
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10)
        node_version = node.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        node_version = None
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "node": node_version,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--clients", type=int, default=200, help="websocket clients (200)")
    parser.add_argument("--writers", type=int, default=20, help="clients that write (20)")
    parser.add_argument("--rate", type=float, default=5.0, help="edits per writer per s (5)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds (20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first (3)")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument("--procs", type=int, default=2, help="load worker processes (2)")
    parser.add_argument("--connect-timeout", type=float, default=30.0, help="seconds (30)")
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=15.0,
        help="seconds after the last write to wait for stragglers (15)",
    )
    parser.add_argument(
        "--docs",
        choices=("writers", "all"),
        default="writers",
        help="clients that apply every update to a pycrdt Doc; the rest only parse frames",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=60.0,
        help="seconds to wait for other programs to go quiet before each server (60)",
    )
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between servers (2)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
