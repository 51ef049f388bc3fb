"""Personal data against the database file itself: a deleted board or journey leaves no
byte of its text behind, and the retention period replaces participants' names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from boards import schema
from server.services.erasure import apply_retention
from server.settings import Settings
from server.sync.protocol import CloseCode
from tests.support.accounts import member_of, store_of
from tests.support.backends import BACKENDS, backend_settings, stored_bytes
from tests.support.boards import create_board, join_board, set_phase
from tests.support.journey import arrived, start
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

SECRET = "Hemligt-ärende-7741"
NAME = "Zelmira Qvarnström"


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test of this module on SQLite and on PostgreSQL."""
    return backend_settings(request, tmp_path)


def _bytes(settings: Settings) -> bytes:
    """The database as it is on disk (SQLite: with its WAL, which holds recent pages)."""
    return stored_bytes(settings)


async def _write_note(server: InProcessServer, board: dict[str, str], token: str) -> None:
    url = f"{server.ws_url}/ws/{board['id']}?token={token}"
    async with YClient(url) as client:
        await client.wait_for(lambda: client.synced.is_set())
        schema.add_note(
            client.doc,
            text=SECRET,
            x=0,
            y=0,
            color="#fff3b0",
            author=NAME,
            created_ms=schema.now_ms(),
        )
        await arrived(server, board["id"], 1)


async def test_a_deleted_board_leaves_no_trace_in_the_file(
    app_server: InProcessServer, settings: Settings
) -> None:
    board = await create_board(app_server.url, "Att radera")
    keep = await create_board(app_server.url, "Att behålla")
    person = await join_board(app_server.url, board, NAME)
    await set_phase(app_server.url, board, "cluster")
    await _write_note(app_server, board, person["token"])
    key = {"authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=app_server.url, headers=key) as client:
        assert (
            await client.post(f"/api/boards/{board['id']}/checkpoints", json={"name": "0.5"})
        ).is_success
        watcher = YClient(f"{app_server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}")
        await watcher.connect()
        await watcher.wait_for(lambda: watcher.synced.is_set())
        assert SECRET.encode() in _bytes(settings) and NAME.encode() in _bytes(settings)
        deleted = await client.delete(f"/api/boards/{board['id']}")
        assert deleted.status_code == 204
        # The open board closes for good, and nothing of it is left in the file.
        assert await watcher.wait_closed() == CloseCode.NOT_FOUND
        assert (await client.get(f"/b/{board['id']}/export.md")).status_code == 404
    data = _bytes(settings)
    assert SECRET.encode() not in data
    assert NAME.encode() not in data
    assert board["id"].encode() not in data
    assert keep["id"].encode() in data


async def test_deleting_a_journey_deletes_its_boards(
    app_server: InProcessServer, settings: Settings
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    made = await anna.client.post("/api/journeys", json={"org": anna.org_id, "title": "Resa"})
    jid = made.json()["id"]
    (knowledge,) = await start(anna, jid, 2, lines=[SECRET])
    assert SECRET.encode() in _bytes(settings)
    assert (await anna.client.delete(f"/api/journeys/{jid}")).json() == {"deleted_boards": 1}
    assert (await anna.client.get(f"/api/journeys/{jid}")).status_code == 404
    assert (await anna.client.get(f"/b/{knowledge['id']}")).status_code == 404
    assert SECRET.encode() not in _bytes(settings)
    await anna.client.aclose()


async def test_retention_replaces_names_in_the_tables_and_the_history(
    app_server: InProcessServer, settings: Settings
) -> None:
    board = await create_board(app_server.url, "Gammal workshop")
    person = await join_board(app_server.url, board, NAME)
    await set_phase(app_server.url, board, "cluster")
    await _write_note(app_server, board, person["token"])
    assert NAME.encode() in _bytes(settings)
    store = store_of(app_server)
    rooms = app_server.app.state.rooms
    # Nobody is old enough yet: a retention of a day renames no one.
    assert await apply_retention(store, rooms, 1, schema.now_ms()) == 0
    a_year_on = schema.now_ms() + 365 * 24 * 60 * 60 * 1000
    assert await apply_retention(store, rooms, 30, a_year_on) == 1
    assert [p.name for p in await store.list_participants(board["id"])] == ["Deltagare 1"]
    key = {"authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=app_server.url, headers=key) as client:
        exported = (await client.get(f"/b/{board['id']}/export.json")).json()
    assert [n["author"] for n in exported["notes"]] == ["Deltagare 1"]
    assert exported["notes"][0]["text"] == SECRET  # what was said stays; who said it goes
    assert NAME.encode() not in _bytes(settings)
    assert await apply_retention(store, rooms, 30, a_year_on) == 0  # idempotent
