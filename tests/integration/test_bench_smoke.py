"""The benchmark harness, end to end at tiny sizes: every scenario reported, every update
delivered. It checks the harness, never the timings (those are for `make bench`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.services import pg_bin
from tests.support.tools import require_or_skip

SERVERS = ("samsyn", "y-websocket-server")
# Scenarios that run the load generator's writers, and so must deliver every update.
DELIVERING = ("a", "b", "c", "g", "h")
SAMSYN_ONLY = ("e", "g")
ALL = ("a", "b", "c", "d", "e", "f", "g", "h")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One smoke run of `python -m bench.run` against Samsyn and the Node peer."""
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench.run", "--scale", "smoke", "--rounds", "1"]
    command += ["--servers", ",".join(SERVERS), "--no-warmup-round", "--idle-wait", "0"]
    command += ["--procs", "1", "--drain-timeout", "5", "--results", str(out)]
    command += ["--scenarios", ",".join(ALL)]  # (i), the scale-out, has its own test
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results: dict[str, Any] = json.loads((out / "results.json").read_text())
    results["markdown"] = (out / "results.md").read_text()
    return results


@pytest.mark.timeout(300)
def test_every_scenario_is_reported_for_every_server(smoke: dict[str, Any]) -> None:
    assert sorted(smoke["summary"]) == list(ALL)
    for key, entry in smoke["summary"].items():
        expected = ("samsyn",) if key in SAMSYN_ONLY else SERVERS
        assert tuple(entry["servers"]) == expected, key
        for server, figures in entry["servers"].items():
            assert (figures["rounds"], figures["failed"]) == (1, 0), (key, server)
    for row in smoke["rounds"]:
        assert "error" not in row, row
    for key in ALL:
        assert f"## ({key})" in smoke["markdown"]
    assert (
        "| metric | samsyn | y-websocket-server | samsyn / y-websocket-server |"
        in (smoke["markdown"])
    )


@pytest.mark.timeout(300)
def test_every_update_reaches_every_peer_at_tiny_load(smoke: dict[str, Any]) -> None:
    for row in smoke["rounds"]:
        if row["scenario"] not in DELIVERING:
            continue
        m = row["metrics"]
        where = (row["scenario"], row["server"])
        assert m["expected"] > 0, where
        assert m["delivered"] == m["expected"], where
        assert m["incomplete_clients"] == 0, where
        assert m["samples"] > 0 and m["cpu_us_per_delivery"] is not None, where


@pytest.mark.timeout(300)
def test_the_scenario_specific_figures_are_there(smoke: dict[str, Any]) -> None:
    rows = {(r["scenario"], r["server"]): r["metrics"] for r in smoke["rounds"]}
    for server in SERVERS:
        # Every server's own HTTP answer is probed throughout, and answered each time.
        joint_day = rows[("b", server)]
        assert joint_day["healthz_samples"] > 0, server
        assert joint_day["healthz_unanswered"] == 0, server
        assert joint_day["healthz_max_ms"] >= joint_day["healthz_edit_p99_ms"] > 0, server
    assert rows[("c", "samsyn")]["cursor_moves"] > 0
    for server in SERVERS:
        storm = rows[("d", server)]
        assert storm["full_state_share"] == 1.0, server
        assert storm["state_bytes_min"] >= storm["board_bytes"] * 0.95, server
        memory = rows[("f", server)]
        assert memory["connect_failures"] == 0 and memory["connected"] > 0, server
        assert memory["kb_per_idle_connection"] is not None, server
        assert memory["board_bytes"] > 0, server
    cold = rows[("e", "samsyn")]
    assert cold["connected"] == 1 and cold["state_bytes_min"] > 0
    storage = rows[("g", "samsyn")]
    assert storage["sent_update_bytes"] > 0 and storage["server_written_bytes"] > 0
    assert storage["written_per_update_byte"] is not None


@pytest.mark.timeout(300)
def test_the_scale_out_scenario_measures_each_process_count(tmp_path: Path) -> None:
    # (i) starts PostgreSQL and Redis itself, as the cluster tests do.
    require_or_skip(pg_bin("postgres") is not None, "PostgreSQL (Debian's postgresql)")
    require_or_skip(shutil.which("redis-server") is not None, "redis-server (Debian's)")
    command = [sys.executable, "-m", "bench.run", "--scale", "smoke", "--rounds", "1"]
    command += ["--scenarios", "i", "--servers", "samsyn", "--no-warmup-round"]
    command += ["--idle-wait", "0", "--procs", "1", "--drain-timeout", "5"]
    command += ["--results", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (row,) = json.loads((tmp_path / "results.json").read_text())["rounds"]
    m = row["metrics"]
    for kind in ("one", "many"):
        for count in (1, 2):  # the smoke sizes stop at two processes
            where = f"{kind}_{count}p"
            assert m[f"{where}_delivered_share"] == 1.0, (where, m)
            assert m[f"{where}_throughput"] > 0, (where, m)
            assert m[f"{where}_cpu_us"] is not None, (where, m)
        assert f"{kind}_4p_throughput" not in m
    assert "one board, 2 processes: deliveries per s" in (tmp_path / "results.md").read_text()
