"""Turn measurements into summary rows, a plain-text table, and a JSON file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.load import LoadResult
from bench.procfs import MachineCpu, ProcStats


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending sequence; None when it is empty."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return float(ordered[int(rank) - 1])


def summarize(
    name: str,
    load: LoadResult,
    before: ProcStats,
    after: ProcStats,
    idle: ProcStats,
    machine: MachineCpu,
) -> dict[str, Any]:
    """One server's row: latencies in ms, delivery, connect times, CPU and memory.

    CPU figures cover connect to end of drain. other_cpu_s is what other processes used
    meanwhile (all process time on the machine - server - load generator): if it is large,
    another program competed for the cores and the latencies are not comparable.
    """
    server_cpu = after.cpu_s - before.cpu_s
    latencies = sorted(load.latencies_us)
    connect = sorted(load.connect_s)

    def ms(q: float) -> float | None:
        value = percentile(latencies, q)
        return None if value is None else round(value / 1000, 2)

    return {
        "server": name,
        "latency_ms": {
            "p50": ms(50),
            "p95": ms(95),
            "p99": ms(99),
            "max": ms(100),
            "samples": len(latencies),
        },
        "delivered": load.delivered,
        "expected": load.expected,
        "missing": load.expected - load.delivered,
        "incomplete_clients": load.incomplete_clients,
        "connect": {
            "all_s": round(load.connect_all_s, 3),
            "p50_s": _round(percentile(connect, 50)),
            "max_s": _round(percentile(connect, 100)),
            "connected": len(connect),
            "failed": load.connect_failures,
        },
        "writers_live": load.writers_live,
        "server_cpu_s": round(server_cpu, 2),
        "load_cpu_s": round(load.load_cpu_s, 2),
        "other_cpu_s": round(machine.processes_s - server_cpu - load.load_cpu_s, 2),
        "softirq_cpu_s": round(machine.softirq_s, 2),
        "steal_cpu_s": round(machine.steal_s, 2),
        "server_cpu_total_s": round(after.cpu_s, 2),
        "server_rss_idle_mb": round(idle.rss_kb / 1024, 1),
        "server_rss_peak_mb": round(after.rss_peak_kb / 1024, 1),
        "run_s": round(load.run_s, 2),
        "errors": load.errors,
    }


def failed_row(name: str, error: str) -> dict[str, Any]:
    """A row for a server that could not be measured."""
    return {"server": name, "error": error}


_COLUMNS = (
    ("server", 20),
    ("p50 ms", 8),
    ("p95 ms", 8),
    ("p99 ms", 8),
    ("max ms", 8),
    ("delivered/expected", 20),
    ("connect s", 10),
    ("CPU s", 7),
    ("RSS MB", 7),
    ("load CPU", 9),
    ("other CPU", 10),
)


def table(rows: Sequence[dict[str, Any]]) -> str:
    """A fixed-width table; failed servers show their error instead of figures."""
    lines = [
        "".join(
            title.rjust(width) if i else title.ljust(width)
            for i, (title, width) in enumerate(_COLUMNS)
        )
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"{row['server']:<20}FAILED: {row['error']}")
            continue
        lat = row["latency_ms"]
        cells = [
            _fmt(lat["p50"]),
            _fmt(lat["p95"]),
            _fmt(lat["p99"]),
            _fmt(lat["max"]),
            f"{row['delivered']}/{row['expected']}",
            _fmt(row["connect"]["all_s"]),
            _fmt(row["server_cpu_s"]),
            _fmt(row["server_rss_peak_mb"]),
            _fmt(row["load_cpu_s"]),
            _fmt(row["other_cpu_s"]),
        ]
        widths = [width for _, width in _COLUMNS[1:]]
        lines.append(
            f"{row['server']:<20}" + "".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )
    return "\n".join(lines)


def p99_ratio(rows: Sequence[dict[str, Any]]) -> float | None:
    """samsyn p99 / y-websocket-server p99, when both were measured."""
    p99 = {r["server"]: r["latency_ms"]["p99"] for r in rows if "error" not in r}
    samsyn, peer = p99.get("samsyn"), p99.get("y-websocket-server")
    if not samsyn or not peer:
        return None
    return round(samsyn / peer, 2)


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write the results file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
