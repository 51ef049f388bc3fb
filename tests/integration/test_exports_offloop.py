"""Exports of a big board are built in worker processes: everyone else is served while
one renders, one past its time is stopped with a 503, one whose client left is killed,
and more than the pool takes wait their turn or are refused."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from boards import schema
from server.services.export_workers import ExportWorkers
from server.settings import Settings
from tests.support.boards import create_board
from tests.support.servers import InProcessServer, eventually, run_server
from tests.support.workshop import download, section_ids, ws_url
from tests.support.yjs import YClient

NOTES = 20_000
BATCH = 2_500  # notes per Yjs transaction: one frame of ~0.7 MB, well under the 2 MiB cap


def _workers(server: InProcessServer) -> ExportWorkers:
    workers: ExportWorkers = server.app.state.services.exports
    return workers


def _gone(pid: int) -> bool:
    """The process has exited and been reaped (no /proc entry, not even a zombie)."""
    return not Path(f"/proc/{pid}").exists()


async def _big_board(server: InProcessServer) -> dict[str, Any]:
    """A board of `NOTES` notes, written by the facilitator in a few large transactions."""
    board = await create_board(server.url, "Stor tavla", template="malbild-workshop")
    async with YClient(ws_url(server, board, board["facilitator_key"])) as facilitator:
        await facilitator.wait_for(lambda: len(section_ids(facilitator)) == 6)
        first = section_ids(facilitator)[0]
        for start in range(0, NOTES, BATCH):
            with facilitator.doc.transaction():
                for i in range(start, start + BATCH):
                    schema.add_note(
                        facilitator.doc,
                        text=f"Anteckning {i} om biblioteket",
                        x=40 + (i % 100) * 10,
                        y=200 + (i // 100) * 10,
                        color=schema.DEFAULT_NOTE_COLOR,
                        author="Facilitator",
                        created_ms=1_700_000_000_000 + i,
                        section=first,
                    )
        room = server.app.state.rooms.get(board["id"])
        await eventually(lambda: len(schema.notes_map(room.doc)) == NOTES, within=60)
    return board


@contextlib.asynccontextmanager
async def _raw_export(
    server: InProcessServer, board: dict[str, Any], fmt: str
) -> AsyncIterator[asyncio.StreamReader]:
    """An export request on a plain socket, so the test decides when the client leaves."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        (
            f"GET /b/{board['id']}/export.{fmt} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {board['facilitator_key']}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    try:
        yield reader
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _busy_worker(server: InProcessServer) -> int:
    workers = _workers(server)
    await eventually(lambda: len(workers.busy_pids()) == 1, within=30)
    return workers.busy_pids()[0]


async def test_other_boards_and_healthz_are_served_while_a_big_export_renders(
    app_server: InProcessServer,
) -> None:
    big = await _big_board(app_server)
    small = await create_board(app_server.url, "Liten tavla", template="malbild-workshop")
    async with (
        YClient(ws_url(app_server, small, small["facilitator_key"])) as writer,
        YClient(ws_url(app_server, small, small["facilitator_key"])) as reader,
        httpx.AsyncClient(base_url=app_server.url, timeout=10) as client,
    ):
        await writer.wait_for(lambda: len(section_ids(writer)) == 6)
        await reader.wait_for(lambda: len(section_ids(reader)) == 6)
        export = asyncio.create_task(download(app_server, big["id"], "md", big["facilitator_key"]))
        await _busy_worker(app_server)

        note = schema.add_note(
            writer.doc, text="Syns direkt", x=0, y=0, color="", author="", created_ms=1
        )
        notes = schema.notes_map(reader.doc)
        await reader.wait_for(lambda: note in notes)
        health = await client.get("/healthz")
        # Both answered while the export was still being rendered.
        assert not export.done() and _workers(app_server).busy_pids()
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        assert str(notes[note]["text"]) == "Syns direkt"

        response = await asyncio.wait_for(export, 90)
    assert response.status_code == 200, response.text
    text = response.text
    assert "Anteckning 0 om biblioteket" in text and f"Anteckning {NOTES - 1} om" in text


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """One worker, so the tests see exactly which process renders."""
    return Settings(db=tmp_path / "samsyn.db", unload_grace_s=0.2, export_workers=1)


async def test_an_export_past_its_time_is_stopped_with_503(settings: Settings) -> None:
    async with run_server(settings.with_overrides(export_timeout_s=1.0)) as server:
        big = await _big_board(server)
        export = asyncio.create_task(download(server, big["id"], "docx", big["facilitator_key"]))
        pid = await _busy_worker(server)
        response = await asyncio.wait_for(export, 30)
        assert response.status_code == 503
        assert response.json()["error"] == "export_timeout"
        assert "docx export within 1 s" in response.json()["detail"]
        # The worker that was rendering is gone, so its CPU is free.
        await eventually(lambda: _gone(pid), within=10)
        assert pid not in _workers(server).pids() and _workers(server).busy_pids() == ()
        # The pool starts a new worker for the next export.
        small = await create_board(server.url, "Liten tavla")
        again = await download(server, small["id"], "md", small["facilitator_key"])
        assert again.status_code == 200 and "Liten tavla" in again.text
        replacement = _workers(server).pids()
        assert len(replacement) == 1 and pid not in replacement
    # The server's shutdown ends its workers too.
    await eventually(lambda: all(_gone(p) for p in replacement), within=10)


async def test_a_client_that_leaves_stops_its_export(app_server: InProcessServer) -> None:
    big = await _big_board(app_server)
    async with _raw_export(app_server, big, "docx"):
        pid = await _busy_worker(app_server)
    # The socket is closed: the server kills the worker instead of rendering for nobody.
    await eventually(lambda: _gone(pid), within=10)
    assert _workers(app_server).busy_pids() == () and pid not in _workers(app_server).pids()
    small = await create_board(app_server.url, "Liten tavla")
    again = await download(app_server, small["id"], "md", small["facilitator_key"])
    assert again.status_code == 200 and "Liten tavla" in again.text


async def test_exports_past_the_queue_are_refused_and_the_rest_wait_their_turn(
    app_server: InProcessServer,
) -> None:
    big = await _big_board(app_server)
    small = await create_board(app_server.url, "Liten tavla")
    workers = _workers(app_server)
    assert workers.max_waiting == 4
    async with _raw_export(app_server, big, "docx"):
        await _busy_worker(app_server)
        waiting = [
            asyncio.create_task(download(app_server, small["id"], "md", small["facilitator_key"]))
            for _ in range(workers.max_waiting)
        ]
        await eventually(lambda: workers.waiting() == workers.max_waiting)
        refused = await download(app_server, small["id"], "md", small["facilitator_key"])
        assert refused.status_code == 503
        assert refused.json()["error"] == "exports_busy"
        assert "all 1 busy and 4 exports waiting" in refused.json()["detail"]
        assert not any(task.done() for task in waiting)
    # The big export's client left; the four waiting ones are served in turn.
    answers = await asyncio.wait_for(asyncio.gather(*waiting), 60)
    assert [a.status_code for a in answers] == [200] * 4
    assert all("Liten tavla" in a.text for a in answers)
