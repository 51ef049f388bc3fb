"""What the operator's monitor sees: /healthz on a database damaged while serving, and
/metrics behind its token."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map

from server.settings import Settings
from tests.support.attacks import add_big_notes
from tests.support.boards import create_board
from tests.support.servers import ServerProcess, run_server
from tests.support.yjs import YClient


def _ws(server: ServerProcess, board: dict[str, Any]) -> str:
    return f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}"


async def _fill(server: ServerProcess, board: dict[str, Any], count: int, chars: int) -> None:
    async with YClient(_ws(server, board)) as writer:
        await writer.wait_for(writer.synced.is_set)
        add_big_notes(writer, count, chars)
        async with YClient(_ws(server, board)) as check:
            notes = check.doc.get("notes", type=Map)
            await check.wait_for(lambda: len(notes) >= count, within=30)


def _overflow_pages(db: Path) -> list[int]:
    """Pages that hold only the big board's doc: the overflow pages of its one big row."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT pageno FROM dbstat WHERE pagetype = 'overflow'"
            " AND name IN ('updates', 'snapshots') ORDER BY pageno"
        ).fetchall()
    return [int(r[0]) for r in rows]


async def test_a_page_damaged_while_serving_closes_that_board_named_and_degrades_healthz(
    tmp_path: Path,
) -> None:
    db = tmp_path / "samsyn.db"
    server = ServerProcess(db).start()
    try:
        damaged = await create_board(server.url, "Skadad")
        whole = await create_board(server.url, "Hel")
        await _fill(server, damaged, 20, 10_000)  # one 200 KB update: overflow pages
        await _fill(server, whole, 3, 100)
    finally:
        server.stop()
    pages = _overflow_pages(db)
    assert len(pages) > 20
    server = ServerProcess(db, args=["--db", str(db)]).start()  # passes quick_check
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.get(f"{server.url}/healthz")).json() == {"status": "ok"}
        # 8 KB over two of its pages, mid-file, behind the running server's back.
        middle = pages[len(pages) // 2]
        with db.open("r+b") as file:
            file.seek((middle - 1) * 4096)
            file.write(os.urandom(8192))

        client = YClient(_ws(server, damaged))
        await client.connect()
        assert await client.wait_closed() == 1011
        assert client.close_reason == (
            "this board's stored data is damaged; the operator must restore a backup"
        )
        async with httpx.AsyncClient(timeout=10) as http:
            health = await http.get(f"{server.url}/healthz")
            export = await http.get(
                f"{server.url}/b/{damaged['id']}/export.json",
                headers={"authorization": f"Bearer {damaged['facilitator_key']}"},
            )
        assert export.status_code == 503
        assert export.json()["error"] == "storage_damaged"
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded" and body["database"] == "damaged"
        assert "samsyn restore --from BACKUP" in body["detail"]

        # Every other board still works.
        async with YClient(_ws(server, whole)) as other:
            notes = other.doc.get("notes", type=Map)
            await other.wait_for(lambda: len(notes) == 3)
        # Reconnecting gets the same named close, not a dropped connection.
        again = YClient(_ws(server, damaged))
        await again.connect()
        assert await again.wait_closed() == 1011
    finally:
        server.stop()
    log = server.log.read_text()
    assert "the database file is damaged" in log and "closing with 1011" in log


@pytest.mark.parametrize(
    ("token", "headers", "status"),
    [
        ("", {}, 404),  # off unless a token is set
        ("", {"authorization": "Bearer x"}, 404),
        ("s3cret-metrics", {}, 401),
        ("s3cret-metrics", {"authorization": "Bearer wrong"}, 401),
        ("s3cret-metrics", {"authorization": "Basic s3cret-metrics"}, 401),
        ("s3cret-metrics", {"authorization": "Bearer s3cret-metrics"}, 200),
    ],
)
async def test_metrics_need_the_token(
    tmp_path: Path, token: str, headers: dict[str, str], status: int
) -> None:
    settings = Settings(db=tmp_path / "m.db", metrics_token=token)
    async with run_server(settings) as server, httpx.AsyncClient() as client:
        reply = await client.get(f"{server.url}/metrics", headers=headers)
    assert reply.status_code == status, reply.text
    if status == 200:
        assert "samsyn_connections 0\n" in reply.text
    else:
        assert "samsyn_" not in reply.text
        assert reply.json()["error"] == ("not_found" if status == 404 else "unauthorized")


def _lag_figures(text: str) -> dict[str, float]:
    figures = {}
    for line in text.splitlines():
        if line.startswith("samsyn_event_loop_lag_seconds"):
            name, _, value = line.rpartition(" ")
            figures[name] = float(value)
    return figures


async def test_metrics_report_the_event_loops_lag(tmp_path: Path) -> None:
    """The probe runs every 100 ms while the server serves; a loop held for 300 ms shows
    as a lag of at least that much in the worst figure."""
    settings = Settings(db=tmp_path / "lag.db", metrics_token="m")
    headers = {"authorization": "Bearer m"}
    async with run_server(settings) as server, httpx.AsyncClient() as client:
        await asyncio.sleep(0.5)
        # This test shares the server's loop: hold it, as a busy handler would.
        time.sleep(0.3)  # noqa: ASYNC251
        async with asyncio.timeout(10):
            while True:
                figures = _lag_figures(
                    (await client.get(f"{server.url}/metrics", headers=headers)).text
                )
                if figures["samsyn_event_loop_lag_seconds_count"] >= 6:
                    break
                await asyncio.sleep(0.1)
    p50 = figures['samsyn_event_loop_lag_seconds{quantile="0.5"}']
    p99 = figures['samsyn_event_loop_lag_seconds{quantile="0.99"}']
    worst = figures['samsyn_event_loop_lag_seconds{quantile="1"}']
    assert 0 <= p50 <= p99 <= worst
    assert worst >= 0.2, figures
