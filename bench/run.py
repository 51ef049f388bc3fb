"""`python -m bench.run`: the scenarios against every server, interleaved round by round.

For each scenario, round 1 runs A, B, C (each a freshly started server with a fresh
board), then round 2 runs A, B, C again, and so on: drift of the shared machine hits
every server alike instead of whichever ran last. Before the first scenario each server
runs one uncounted warm-up round (page cache, bytecode, the load generator's imports).
Ratios are samsyn / peer, round i against round i; the tables give their median and range.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import report
from bench.load import LoadError
from bench.peers import BENCH_DIR, PeerInstallError, ensure_installed
from bench.procfs import machine_cpu
from bench.scenarios import LABELS, SCENARIOS, Context, Scenario
from bench.servers import SERVERS, ServerError, log_tail, start_server

RESULTS_DIR = BENCH_DIR / "results"
_QUIET_CORES = 0.25
_WARMUP_SIZES = {"warmup": 0.5, "duration": 1.5}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit 1 if a round could not be measured, 2 on bad arguments."""
    args = _parser().parse_args(argv)
    # On SIGTERM, unwind like Ctrl-C so that every started server is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    names = _split(args.servers)
    keys = _split(args.scenarios)
    bad = sorted(set(names) - set(SERVERS)) + sorted(set(keys) - set(SCENARIOS))
    if bad:
        print(
            f"unknown server(s) or scenario(s): {', '.join(bad)}; servers are "
            f"{', '.join(SERVERS)}, scenarios {', '.join(SCENARIOS)}"
        )
        return 2
    try:
        ensure_installed(names)
    except PeerInstallError as exc:
        print(f"could not install the peers: {exc}")
        return 1
    if args.from_json:
        return _render_again(Path(args.from_json), keys, args)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = Path(args.results) if args.results else RESULTS_DIR / stamp
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rows: list[dict[str, Any]] = []
    if args.warmup_round:
        warm = SCENARIOS["a"]
        for name in names:
            rows.append(_round(warm, name, 0, args, run_dir, warmup=True))
    for key in keys:
        scenario = SCENARIOS[key]
        servers = [n for n in names if n == "samsyn"] if scenario.samsyn_only else names
        for number in range(1, args.rounds + 1):
            for name in servers:
                rows.append(_round(scenario, name, number, args, run_dir))
                # So far, so that an interrupted run still leaves what it measured.
                report.write_json(run_dir / "rounds.json", {"started": stamp, "rounds": rows})
    elapsed = time.monotonic() - started
    summary = report.summarize(rows, {k: SCENARIOS[k].headline for k in keys})
    note = (
        f"`python -m bench.run --scale {args.scale} --rounds {args.rounds}` on {stamp}, "
        f"{os.cpu_count()} cores, {elapsed / 60:.1f} min. Each cell: the median over the "
        "counted rounds [min–max]; a ratio is samsyn / peer, round by round. Machine: "
        f"{_machine()}."
    )
    if args.note:
        note += " " + args.note
    table = report.markdown(summary, {k: SCENARIOS[k].title for k in keys}, LABELS, note)
    (run_dir / "results.md").write_text(table + "\n")
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    report.write_json(
        run_dir / "results.json",
        {
            "started": stamp,
            "elapsed_s": round(elapsed, 1),
            "config": vars(args),
            "machine": _machine(),
            "rounds": rows,
            "summary": summary,
        },
    )
    print()
    print(table)
    print(f"results: {run_dir / 'results.json'} ({elapsed:.0f} s)")
    return 1 if any("error" in row for row in rows) else 0


def _render_again(path: Path, keys: list[str], args: argparse.Namespace) -> int:
    """Tables from an earlier run's results.json (after a change to the tables only)."""
    earlier = json.loads(path.read_text())
    rows = earlier["rounds"]
    for row in rows:  # figures derived from others, added after that run
        m = row.get("metrics")
        if m is not None and "connected_share" not in m:
            attempted = m["connected"] + m["connect_failures"]
            m["connected_share"] = round(m["connected"] / attempted, 4) if attempted else None
    keys = [k for k in keys if any(r["scenario"] == k for r in rows)]
    summary = report.summarize(rows, {k: SCENARIOS[k].headline for k in keys})
    config = earlier["config"]
    note = (
        f"`python -m bench.run --scale {config['scale']} --rounds {config['rounds']}` on "
        f"{earlier['started']}, {earlier['machine']}, {earlier['elapsed_s'] / 60:.1f} min. "
        "Each cell: the median over the counted rounds [min–max]; a ratio is samsyn / peer, "
        "round by round."
    )
    if args.note:
        note += " " + args.note
    table = report.markdown(summary, {k: SCENARIOS[k].title for k in keys}, LABELS, note)
    (path.parent / "results.md").write_text(table + "\n")
    if args.markdown:
        Path(args.markdown).write_text(table + "\n")
    print(table)
    return 0


def _round(
    scenario: Scenario,
    name: str,
    number: int,
    args: argparse.Namespace,
    run_dir: Path,
    *,
    warmup: bool = False,
) -> dict[str, Any]:
    """One server, freshly started, through one scenario; its row for results.json."""
    began = time.monotonic()
    busy = _wait_for_quiet(args.idle_wait)
    sizes = dict(scenario.smoke if args.scale == "smoke" else scenario.full)
    if warmup:
        sizes.update(_WARMUP_SIZES)
    label = "warm-up" if warmup else f"round {number}"
    row: dict[str, Any] = {
        "scenario": scenario.key,
        "server": name,
        "round": number,
        "warmup": warmup,
        "machine_busy_cores": busy,
    }
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        workdir = Path(tmp)
        try:
            with start_server(name, workdir) as server:
                ctx = Context(server, workdir, sizes, args.procs, args.drain_timeout)
                row["metrics"] = scenario.run(ctx)
            row["server_stopped"] = server.stopped
        except (ServerError, LoadError, OSError, TimeoutError, ConnectionError) as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"
            row["log_tail"] = log_tail(workdir / f"{name}.log")
        finally:
            log = workdir / f"{name}.log"
            if log.exists():
                target = run_dir / f"{scenario.key}-{number}-{name}.log"
                target.write_bytes(log.read_bytes())
    row["wall_s"] = round(time.monotonic() - began, 1)
    print(f"{scenario.key} {label:>8} {name:<20} {row['wall_s']:5.1f} s  {_brief(row)}", flush=True)
    return row


def _brief(row: dict[str, Any]) -> str:
    if "error" in row:
        return f"FAILED: {row['error']}"
    m = row["metrics"]
    parts = []
    for key in ("cpu_us_per_delivery", "p99_ms", "delivered_share", "connect_p99_s"):
        if m.get(key) is not None:
            parts.append(f"{key} {m[key]}")
    parts.append(f"other CPU {m.get('other_cpu_s')} s")
    return ", ".join(parts)


def _wait_for_quiet(limit_s: float) -> float:
    """Wait (at most limit_s) until other programs use under a quarter of a core.

    Returns the cores in use at the last check, recorded with the round: a round started
    on a busy machine is noisy, and its row says so.
    """
    deadline = time.monotonic() + limit_s
    sample_s = min(0.25, max(limit_s, 0.1))
    while True:
        before = machine_cpu()
        time.sleep(sample_s)
        cores = (machine_cpu() - before).processes_s / sample_s
        if cores < _QUIET_CORES or time.monotonic() >= deadline:
            return round(cores, 2)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _machine() -> str:
    try:
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10)
        node_version = node.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        node_version = "?"
    return f"{platform.platform()}, Python {sys.version.split()[0]}, Node {node_version}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated letters (all)"
    )
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated (all)")
    parser.add_argument("--rounds", type=int, default=3, help="counted rounds per server (3)")
    parser.add_argument(
        "--scale", choices=("full", "smoke"), default="full", help="sizes: full or smoke (full)"
    )
    parser.add_argument(
        "--no-warmup-round",
        dest="warmup_round",
        action="store_false",
        help="skip the uncounted warm-up round of each server",
    )
    parser.add_argument("--procs", type=int, default=2, help="load worker processes (2)")
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=3.0,
        help="seconds after the last write to wait for stragglers (3)",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=2.0,
        help="seconds to wait for other programs to go quiet before each round (2)",
    )
    parser.add_argument("--results", help="directory for results.json/.md and the logs")
    parser.add_argument("--markdown", help="also write the Markdown tables to this file")
    parser.add_argument("--note", help="a sentence to add under the title of the tables")
    parser.add_argument(
        "--from-json", help="no run: write the tables again from an earlier results.json"
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
