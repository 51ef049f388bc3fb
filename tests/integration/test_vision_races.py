"""Two people at once on the målbild: one version name saved twice, one statement started
twice on a board from before statements existed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from boards import schema
from server.settings import Settings
from tests.support.boards import create_board
from tests.support.servers import InProcessServer, eventually, run_server
from tests.support.workshop import ws_url
from tests.support.yjs import YClient

SAVES = 8  # requests for one name, all sent before any is answered


@pytest.fixture(params=["sqlite", "postgresql"])
async def backend_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[InProcessServer]:
    """The app on SQLite, and on PostgreSQL (its database fixture started only then)."""
    database_url = ""
    if request.param == "postgresql":
        database_url = request.getfixturevalue("pg_url")
    settings = Settings(
        db=tmp_path / "samsyn.db", database_url=database_url, unload_grace_s=0.2, flush_ms=2.0
    )
    async with run_server(settings) as server:
        yield server


async def test_one_version_name_saved_twice_at_once_is_one_version_and_clear_409s(
    backend_server: InProcessServer,
) -> None:
    board = await create_board(backend_server.url, "Målbild", template="malbild-workshop")
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    path = f"/api/boards/{board['id']}/vision"
    async with httpx.AsyncClient(base_url=backend_server.url, timeout=30, headers=headers) as api:
        made = await api.post(path, json={"library": "Stadsbiblioteket"})
        assert made.status_code == 201, made.text
        replies = await asyncio.gather(
            *(api.post(f"{path}/versions", json={"name": "0.5"}) for _ in range(SAVES))
        )
        assert Counter(r.status_code for r in replies) == {201: 1, 409: SAVES - 1}, [
            r.text for r in replies
        ]
        for reply in replies:
            if reply.status_code == 409:
                assert reply.json()["error"] == "version_exists"
                assert "0.5" in reply.json()["detail"]
        # One version of that name, and the server still saves the next one.
        listed = (await api.get(path)).json()["versions"]
        assert [v["name"] for v in listed] == ["0.5"]
        again = await api.post(f"{path}/versions", json={"name": "0.6"})
        assert again.status_code == 201, again.text
        assert [v["name"] for v in (await api.get(path)).json()["versions"]] == ["0.5", "0.6"]


def _statement(client: YClient, cid: str) -> Any:
    cluster = schema.clusters_map(client.doc).get(cid)
    return cluster.get(schema.STATEMENT) if isinstance(cluster, Map) else None


async def test_a_board_from_before_statements_opens_them_shared_like_a_new_one(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Gammal", template="malbild-workshop")
    url = ws_url(app_server, board, board["facilitator_key"])
    rooms = app_server.app.state.services.rooms
    # A cluster as boards had them before the statement: no `statement` key at all.
    async with YClient(url) as old:
        await old.wait_for(old.synced.is_set)
        schema.clusters_map(old.doc)["old"] = Map(
            {"title": Text("Mötesplats"), "x": 40.0, "y": 400.0, "w": 400.0, "h": 300.0}
        )
        async with YClient(url) as check:
            await check.wait_for(lambda: "old" in schema.clusters_map(check.doc))
    # Unloaded: the next use loads it again, as after a restart.
    await eventually(lambda: rooms.get(board["id"]) is None)
    # Opened again: the cluster has its statement text before anyone starts it, so two
    # people who start it at the same moment type into one text and keep both.
    async with YClient(url) as anna, YClient(url) as bo:
        for client in (anna, bo):
            await client.wait_for(lambda c=client: isinstance(_statement(c, "old"), Text))
        _statement(anna, "old").insert(0, "Biblioteket är en mötesplats")
        _statement(bo, "old").insert(0, "för alla. ")
        wanted = ("mötesplats", "för alla")
        for client in (anna, bo):
            await client.wait_for(
                lambda c=client: all(w in str(_statement(c, "old")) for w in wanted)
            )
        assert str(_statement(anna, "old")) == str(_statement(bo, "old"))
