"""A board's content survives its own ways out and back in: the plain copy (`continue`)
and the JSON export posted to `/api/boards/import`, also with a note longer than any
limit the importer once had (a board holds notes of any length)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from boards import schema
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.workshop import download, section_ids, ws_url
from tests.support.yjs import YClient

# Longer than the 20,000 characters the importer used to refuse; a pasted report.
LONG = ("Långt citat ur intervjun, ord för ord. " * 700)[:25_000]


async def _post(server: InProcessServer, path: str, body: Any, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        return await client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


async def _json_export(server: InProcessServer, board: dict[str, Any]) -> dict[str, Any]:
    response = await download(server, board["id"], "json", board["facilitator_key"])
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _board_with_long_note(server: InProcessServer) -> dict[str, Any]:
    """A workshop board: a cluster with a vision statement, the long note in it, a short
    note loose in a section, and two votes for the cluster."""
    board = await create_board(server.url, "Lång anteckning", template="malbild-workshop")
    voters = [await join_board(server.url, board, name) for name in ("Ada", "Bo")]
    await set_phase(server.url, board, "cluster")
    async with YClient(ws_url(server, board, board["facilitator_key"])) as facilitator:
        await facilitator.wait_for(lambda: len(section_ids(facilitator)) == 6)
        sections = section_ids(facilitator)
        doc = facilitator.doc
        with doc.transaction():
            cluster = schema.add_cluster(
                doc, title="Intervjuer", x=40, y=160, w=600, h=500, color="#cfe6ff",
                section=sections[1],
            )  # fmt: skip
            schema.clusters_map(doc)[cluster]["statement"] = "Vi lyssnar på alla."
            long_id = schema.add_note(
                doc, text=LONG, x=60, y=200, color=schema.DEFAULT_NOTE_COLOR, author="Ada",
                created_ms=1_700_000_000_000, cluster=cluster,
            )  # fmt: skip
            short_id = schema.add_note(
                doc, text="Kort", x=60, y=900, color=schema.DEFAULT_NOTE_COLOR, author="Bo",
                created_ms=1_700_000_000_001, section=sections[0],
            )  # fmt: skip
        async with YClient(ws_url(server, board, board["facilitator_key"])) as other:
            # A second peer holding both notes means the server applied the transaction.
            notes = schema.notes_map(other.doc)
            await other.wait_for(lambda: long_id in notes and short_id in notes)
    store = server.app.state.store
    for voter in voters:
        await store.cast_vote(board["id"], voter["participant_id"], cluster, 1, 5)
    return board


async def test_a_plain_copy_carries_a_note_of_25000_characters(app_server: InProcessServer) -> None:
    board = await _board_with_long_note(app_server)
    path = f"/api/boards/{board['id']}/continue"
    response = await _post(app_server, path, {"mode": "copy"}, board["facilitator_key"])
    assert response.status_code == 201, response.text
    original = await _json_export(app_server, board)
    copy = await _json_export(app_server, response.json())
    texts = sorted(n["text"] for n in copy["notes"])
    assert texts == ["Kort", LONG] and len(texts[1]) == 25_000
    assert copy["notes"] == original["notes"]
    assert copy["clusters"] == original["clusters"] and copy["sections"] == original["sections"]
    # A copy starts a new session: no votes.
    assert copy["tallies"] == {} and original["counts"]["votes"] == 2


async def test_the_deepening_board_carries_the_long_note(app_server: InProcessServer) -> None:
    board = await _board_with_long_note(app_server)
    path = f"/api/boards/{board['id']}/continue"
    response = await _post(app_server, path, {"mode": "deepening"}, board["facilitator_key"])
    assert response.status_code == 201, response.text
    deepening = await _json_export(app_server, response.json())
    assert [s["title"] for s in deepening["sections"]] == ["1. Intervjuer"]
    assert [n["text"] for n in deepening["notes"]] == [LONG]


async def test_the_json_export_imports_back_without_loss(app_server: InProcessServer) -> None:
    board = await _board_with_long_note(app_server)
    original = await _json_export(app_server, board)
    async with httpx.AsyncClient(base_url=app_server.url, timeout=60) as client:
        created = await client.post(
            "/api/boards/import",
            content=json.dumps(original).encode(),
            headers={"content-type": "application/json"},
        )
    assert created.status_code == 201, created.text
    again = await _json_export(app_server, created.json())
    for key in ("meta", "sections", "clusters", "notes", "tallies", "vision", "anonymous"):
        assert again[key] == original[key], key
    assert again["counts"]["votes"] == original["counts"]["votes"] == 2
    assert again["counts"]["notes"] == 2
    assert again["vision"][0]["statement"] == "Vi lyssnar på alla."
    assert LONG in {n["text"] for n in again["notes"]}
