"""Measurements to figures: one round's metrics, the medians over rounds, ratios, Markdown."""

from __future__ import annotations

import json
import statistics
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


def load_metrics(
    load: LoadResult,
    marks: dict[str, ProcStats],
    idle: ProcStats,
    machine: MachineCpu,
) -> dict[str, Any]:
    """The figures of one load run; marks holds the server's stats at connect/start/end.

    CPU covers connect to end of drain. other_cpu_s is what other programs used meanwhile
    (all process time on the machine - server - load generator): if it is large, another
    program competed for the cores and the round is noisy.
    """
    before, connected, after = marks["connect"], marks["start"], marks["end"]
    server_cpu = after.cpu_s - before.cpu_s
    server_sys = after.sys_s - before.sys_s
    # From the first edit on: what fan-out costs, without the clients' joins.
    edits_cpu = after.cpu_s - connected.cpu_s
    latencies = sorted(load.latencies_us)
    connect = sorted(load.connect_s)
    attempted = len(connect) + load.connect_failures

    def per_delivery_us(seconds: float) -> float | None:
        return round(seconds * 1e6 / load.delivered, 1) if load.delivered else None

    def ms(q: float) -> float | None:
        value = percentile(latencies, q)
        return None if value is None else round(value / 1000, 2)

    return {
        "p50_ms": ms(50),
        "p95_ms": ms(95),
        "p99_ms": ms(99),
        "max_ms": ms(100),
        "samples": len(latencies),
        "delivered": load.delivered,
        "expected": load.expected,
        "delivered_share": round(load.delivered / load.expected, 4) if load.expected else None,
        "incomplete_clients": load.incomplete_clients,
        "cpu_us_per_delivery": per_delivery_us(server_cpu),
        "sys_us_per_delivery": per_delivery_us(server_sys),
        "edit_cpu_us_per_delivery": per_delivery_us(edits_cpu),
        "server_cpu_ms_per_join": (
            round((connected.cpu_s - before.cpu_s) * 1e3 / len(connect), 2) if connect else None
        ),
        "connected": len(connect),
        "connected_share": round(len(connect) / attempted, 4) if attempted else None,
        "connect_failures": load.connect_failures,
        "connect_p50_s": _round(percentile(connect, 50)),
        "connect_p99_s": _round(percentile(connect, 99)),
        "connect_all_s": round(load.connect_all_s, 3),
        "state_bytes_min": min(load.state_bytes, default=0),
        "writers_live": load.writers_live,
        "sent_update_bytes": load.sent_update_bytes,
        "cursor_moves": load.cursor_moves,
        "server_cpu_s": round(server_cpu, 3),
        # While the edits (and cursors) run, without the connect storm before them.
        "server_cores": (
            round((after.cpu_s - connected.cpu_s) / load.run_s, 3) if load.run_s > 0 else None
        ),
        "server_written_bytes": after.write_bytes - before.write_bytes,
        "load_cpu_s": round(load.load_cpu_s, 2),
        "other_cpu_s": round(machine.processes_s - server_cpu - load.load_cpu_s, 2),
        "softirq_cpu_s": round(machine.softirq_s, 2),
        "steal_cpu_s": round(machine.steal_s, 2),
        "rss_idle_mb": _mb(idle.rss_kb),
        "rss_before_mb": _mb(before.rss_kb),
        "rss_connected_mb": _mb(connected.rss_kb),
        "rss_peak_mb": _mb(after.rss_peak_kb),
        "run_s": round(load.run_s, 2),
        "errors": load.errors,
    }


def summarize(rows: Sequence[dict[str, Any]], headline: dict[str, list[str]]) -> dict[str, Any]:
    """Per scenario and server: the median and range of each headline metric over rounds,
    and per peer the ratio samsyn / peer, round by round (round i against round i)."""
    out: dict[str, Any] = {}
    for scenario, keys in headline.items():
        mine = [r for r in rows if r["scenario"] == scenario and not r.get("warmup")]
        servers = list(dict.fromkeys(r["server"] for r in mine))
        entry: dict[str, Any] = {"servers": {}, "ratios": {}}
        for server in servers:
            counted = [r for r in mine if r["server"] == server and "error" not in r]
            entry["servers"][server] = {
                "rounds": len(counted),
                "failed": sum(r["server"] == server and "error" in r for r in mine),
                **{k: _spread([r["metrics"].get(k) for r in counted]) for k in keys},
            }
        for peer in servers:
            if peer == "samsyn":
                continue
            entry["ratios"][peer] = {k: _spread(_ratios(mine, peer, k)) for k in keys}
        out[scenario] = entry
    return out


def markdown(
    summary: dict[str, Any], titles: dict[str, str], labels: dict[str, str], note: str
) -> str:
    """One table per scenario: median [min–max] over rounds, and the ratios to samsyn."""
    lines = ["# Benchmark results", "", note, ""]
    for scenario, entry in summary.items():
        servers = list(entry["servers"])
        peers = [p for p in servers if p != "samsyn" and "samsyn" in servers]
        lines += [f"## {titles[scenario]}", ""]
        head = ["metric", *servers, *(f"samsyn / {p}" for p in peers)]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + " --- |" * len(head))
        keys = [k for k in next(iter(entry["servers"].values())) if k not in ("rounds", "failed")]
        for key in keys:
            cells = [labels.get(key, key)]
            cells += [_cell(entry["servers"][s][key]) for s in servers]
            cells += [_cell(entry["ratios"][p][key]) for p in peers]
            lines.append("| " + " | ".join(cells) + " |")
        rounds = ", ".join(
            f"{s} {v['rounds']}" + (f" ({v['failed']} failed)" if v["failed"] else "")
            for s, v in entry["servers"].items()
        )
        lines += ["", f"Rounds counted: {rounds}.", ""]
    return "\n".join(lines)


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write the results file, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")


def _ratios(rows: Sequence[dict[str, Any]], peer: str, key: str) -> list[float | None]:
    def by_round(server: str) -> dict[int, Any]:
        return {
            r["round"]: r["metrics"].get(key)
            for r in rows
            if r["server"] == server and "error" not in r
        }

    ours, theirs = by_round("samsyn"), by_round(peer)
    return [
        ours[n] / theirs[n] if ours[n] is not None and theirs[n] else None
        for n in sorted(ours.keys() & theirs.keys())
    ]


def _spread(values: Sequence[float | None]) -> dict[str, float] | None:
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    return {
        "median": round(statistics.median(present), 4),
        "min": round(min(present), 4),
        "max": round(max(present), 4),
    }


def _cell(spread: dict[str, float] | None) -> str:
    if spread is None:
        return "–"
    median, low, high = (_short(spread[k]) for k in ("median", "min", "max"))
    return median if low == high else f"{median} [{low}–{high}]"


def _short(value: float) -> str:
    if value == 0 or abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
