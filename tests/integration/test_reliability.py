"""The reliability suite (bench/reliability.py) at test sizes: a server killed with SIGKILL
20 times under load loses nothing any client had received, and its clients, the stock
y-websocket provider, reconnect and resync by themselves; 1,000 of them come back after
a restart, and /healthz answers throughout. The latency figures are in
bench/RELIABILITY.md, not asserted here."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from bench.reliability import parse_args, run_kills, run_storm
from tests.support.tools import require_or_skip

_STATIC = Path(__file__).resolve().parents[2] / "static"


def _args(**flags: object) -> argparse.Namespace:
    """The harness's flags, seeded and quiet, every wait bounded by --resync-timeout."""
    given = [f"--{name.replace('_', '-')}={value}" for name, value in flags.items()]
    return parse_args([*given, "--seed=10", "--resync-timeout=120", "--quiet"])


def _require_node() -> None:
    require_or_skip(shutil.which("node") is not None, "node")
    require_or_skip((_STATIC / "node_modules" / "y-websocket").is_dir(), "static/node_modules")


@pytest.mark.timeout(300)
async def test_twenty_kill_9_cycles_lose_nothing_and_clients_resync(tmp_path: Path) -> None:
    _require_node()
    args = _args(cycles=20, writers=3, readers=2, rate=6, min_run=0.2, max_run=0.8, backoff_ms=400)
    report = await run_kills(args, tmp_path)

    assert len(report.per_cycle) == 20
    # Every cycle checked what the readers held against the file the kill left behind.
    lost = {c.cycle: c.lost[:3] for c in report.per_cycle if c.lost}
    assert lost == {}, f"notes the readers had, missing from the file after the kill: {lost}"
    assert all(c.updates_checked > 0 for c in report.per_cycle)
    seen = [c.notes_seen for c in report.per_cycle]
    assert seen == sorted(seen) and seen[-1] > seen[0], seen
    assert report.losses == 0
    # Every provider, writers and readers, holds exactly what a fresh client reads.
    assert report.clients_resynced == 5
    # ...and that is every edit the writers made, those made while the server was down
    # included: each new note and each appended word, counted from the texts.
    assert report.edits > 20
    assert report.updates_checked == report.edits


@pytest.mark.timeout(300)
async def test_a_thousand_clients_resync_after_a_restart(tmp_path: Path) -> None:
    _require_node()
    args = _args(cycles=0, storm=1000, storm_notes=200, storm_restarts="sigkill")
    report = await run_storm(args, tmp_path)

    assert len(report.rounds) == 1
    storm = report.rounds[0]
    # Each of the 1,000 providers holds the same 200-note board the fresh client reads.
    assert storm.resynced == 1000
    assert storm.notes == 200
    # /healthz was asked every 50 ms from the restarted server's first answer until a
    # second after the last client was back, and answered 200 each time.
    assert storm.healthz.polls >= 10
    assert storm.healthz.answered_200 == storm.healthz.polls
