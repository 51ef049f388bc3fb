"""Import, bulk notes and the next board, through the HTTP API of a real server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from boards import schema
from boards.bulk import MAX_NOTES
from boards.catalog import get_template
from server.settings import Settings
from server.store import Store
from tests.support.backends import BACKENDS, backend_settings
from tests.support.servers import InProcessServer
from tests.support.workshop import CLUSTERS, NOTES, Workshop, download, run_workshop, ws_url
from tests.support.yjs import YClient

BOARD_KEYS = {"id", "title", "facilitator_key", "join_code", "urls"}


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test of this module on SQLite and on PostgreSQL."""
    return backend_settings(request, tmp_path)


@pytest.fixture
async def workshop(app_server: InProcessServer) -> Workshop:
    return await run_workshop(app_server)


async def _post(
    server: InProcessServer, path: str, body: Any, token: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
            return await client.post(path, content=body, headers=headers)
        return await client.post(path, json=body, headers=headers)


def _bulk_path(workshop: Workshop) -> str:
    return f"/api/boards/{workshop.board['id']}/notes/bulk"


async def _json_export(server: InProcessServer, board: dict[str, Any]) -> dict[str, Any]:
    response = await download(server, board["id"], "json", board["facilitator_key"])
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


# -- import -------------------------------------------------------------------------------


async def test_export_import_export_gives_the_same_board(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    original = await _json_export(app_server, workshop.board)
    created = await _post(app_server, "/api/boards/import", json.dumps(original).encode())
    assert created.status_code == 201, created.text
    new = created.json()
    assert set(new) == BOARD_KEYS and new["id"] != workshop.board["id"]
    assert new["title"] == original["meta"]["title"]
    again = await _json_export(app_server, new)

    # What must differ, and nothing else: the export time; the checkpoints, which name
    # states of the old board that the export does not carry; and the participants, who
    # joined the old board: the new one counts the authors of its notes (3 of the 4).
    assert again["exported"] >= original["exported"]
    assert original["checkpoints"] and original["participants"] == 4
    expected = {
        **original,
        "exported": again["exported"],
        "checkpoints": [],
        "participants": 3,
        "counts": {**original["counts"], "participants": 3},
    }
    assert again == expected
    # The votes came along, so the draft vision ranks the same.
    assert [v["title"] for v in again["vision"]] == list(CLUSTERS)


async def test_anonymous_board_imports_anonymous(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    store: Store = app_server.app.state.store
    await store.set_board_flags(workshop.board["id"], anonymous=True)
    original = await _json_export(app_server, workshop.board)
    assert {n["author"] for n in original["notes"]} == {""}
    created = await _post(app_server, "/api/boards/import", json.dumps(original).encode())
    assert created.status_code == 201
    record = await store.get_board(created.json()["id"])
    assert record is not None and record.anonymous
    again = await _json_export(app_server, created.json())
    assert again["anonymous"] is True and again["participants"] == 0
    assert again["notes"] == original["notes"] and again["tallies"] == original["tallies"]


@pytest.mark.parametrize(
    ("body", "status", "error", "detail"),
    [
        (b"{not json", 400, "invalid_json", "expected a Samsyn JSON export as JSON"),
        (b'{"format": "trello"}', 400, "invalid_export", "format: expected 'samsyn-board'"),
        (
            b'{"format": "samsyn-board", "version": 1, "meta": {"language": "de"}}',
            400,
            "invalid_export",
            "meta.language: expected sv or en, got 'de'",
        ),
        (
            b'{"format": "samsyn-board", "version": 1, "meta": {},'
            b' "notes": [{"id": "a b", "text": "x"}]}',
            400,
            "invalid_export",
            "notes[0].id: expected an id of 1-64 url-safe characters",
        ),
    ],
)
async def test_bad_imports_name_the_field(
    app_server: InProcessServer, body: bytes, status: int, error: str, detail: str
) -> None:
    response = await _post(app_server, "/api/boards/import", body)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["detail"].startswith(detail), response.json()


async def test_import_size_limit(app_server: InProcessServer) -> None:
    too_big = b" " * (Settings().max_import_bytes + 1)
    response = await _post(app_server, "/api/boards/import", too_big)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert str(Settings().max_import_bytes) in response.json()["detail"]


# -- bulk notes ---------------------------------------------------------------------------


async def test_bulk_notes_appear_live_in_the_section(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    board, section = workshop.board, workshop.sections[4]
    lines = ["Statistik: 40 % fler besök på kvällar", "", "  Intervju: ”vi vill ha tyst rum”  "]
    async with YClient(ws_url(app_server, board, workshop.participants[0]["token"])) as peer:
        await peer.wait_for(lambda: len(schema.notes_map(peer.doc)) == len(NOTES))
        body = {"section": section, "lines": lines}
        response = await _post(app_server, _bulk_path(workshop), body, workshop.key)
        assert response.status_code == 201, response.text
        result = response.json()
        assert result["created"] == 2 and len(result["ids"]) == 2
        notes = schema.notes_map(peer.doc)
        await peer.wait_for(lambda: all(i in notes for i in result["ids"]))
        got = [notes[i].to_py() for i in result["ids"]]
    assert [n["text"] for n in got] == [lines[0], lines[2].strip()]
    area = schema.sections_map(peer.doc)[section].to_py()
    for note in got:
        assert note["section"] == section and note["cluster"] is None
        assert area["x"] <= note["x"] <= area["x"] + area["w"] - schema.NOTE_W
        assert area["y"] <= note["y"] <= area["y"] + area["h"] - schema.NOTE_H
    assert got[0]["x"] != got[1]["x"] or got[0]["y"] != got[1]["y"]


async def test_bulk_notes_from_a_swedish_csv_into_free_space(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    sheet = 'Källa;Citat\r\nIntervju 1;Fler sittplatser\r\nEnkät;"Öppet; även på söndagar"\r\n'
    body = {"section": None, "csv": sheet}
    response = await _post(app_server, _bulk_path(workshop), body, workshop.key)
    assert response.status_code == 201, response.text
    data = await _json_export(app_server, workshop.board)
    added = [n for n in data["notes"] if n["id"] in response.json()["ids"]]
    assert sorted(n["text"] for n in added) == ["Fler sittplatser", "Öppet; även på söndagar"]
    lowest = max(s["y"] + s["h"] for s in data["sections"])
    assert all(n["section"] is None and n["y"] > lowest for n in added)


@pytest.mark.parametrize(
    ("body", "status", "error", "detail"),
    [
        ({"lines": ["a"], "csv": "b"}, 400, "invalid_notes", "expected exactly one of 'lines'"),
        ({"section": None}, 400, "invalid_notes", "expected exactly one of 'lines'"),
        ({"lines": "a"}, 400, "invalid_notes", "lines: expected a list of strings, got str"),
        ({"lines": ["x"] * (MAX_NOTES + 1)}, 400, "invalid_notes", "lines: expected at most 500"),
        ({"lines": ["x" * 2001]}, 400, "invalid_notes", "lines 0: expected at most 2000"),
        ({"section": 7, "lines": ["a"]}, 400, "invalid_field", "section: expected a section id"),
        ({"section": "nope", "lines": ["a"]}, 404, "section_not_found", "section: expected"),
    ],
)
async def test_bulk_note_errors(
    app_server: InProcessServer,
    workshop: Workshop,
    body: dict[str, Any],
    status: int,
    error: str,
    detail: str,
) -> None:
    response = await _post(app_server, _bulk_path(workshop), body, workshop.key)
    assert (response.status_code, response.json()["error"]) == (status, error), response.text
    assert response.json()["detail"].startswith(detail), response.json()


async def test_bulk_notes_are_for_the_facilitator(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    path = _bulk_path(workshop)
    token = workshop.participants[0]["token"]
    assert (await _post(app_server, path, {"lines": ["a"]}, token)).status_code == 403
    assert (await _post(app_server, path, {"lines": ["a"]})).status_code == 401


# -- the next board -----------------------------------------------------------------------


async def test_continue_with_the_staff_makes_a_section_per_cluster(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    path = f"/api/boards/{workshop.board['id']}/continue"
    response = await _post(app_server, path, {"mode": "deepening"}, workshop.key)
    assert response.status_code == 201, response.text
    new = response.json()
    assert set(new) == BOARD_KEYS
    assert new["title"] == "Stadsbiblioteket <Norr> & Co — fördjupning"
    data = await _json_export(app_server, new)
    template = [s.localized("sv")["title"] for s in get_template("malbild-deepening").sections]
    assert [s["title"] for s in data["sections"]] == [
        f"{rank}. {title}" for rank, title in enumerate(CLUSTERS, start=1)
    ]
    assert data["sections"][0]["prompt"] == "3 röster i workshopen."
    first = data["sections"][0]["id"]
    assert {n["text"] for n in data["notes"] if n["section"] == first} == {
        "Kafé och soffor i entrén",
        "Öppet sent på fredagar",
    }
    assert sorted(c["title"] for c in data["clusters"] if c["section"] == first) == sorted(template)
    assert data["meta"]["template"] == "malbild-deepening"
    assert data["counts"]["votes"] == 0
    # The staff join the new board with its own code; the old board is untouched.
    assert new["join_code"] != workshop.board["join_code"]
    assert len((await _json_export(app_server, workshop.board))["notes"]) == len(NOTES)


async def test_continue_as_a_plain_copy(app_server: InProcessServer, workshop: Workshop) -> None:
    path = f"/api/boards/{workshop.board['id']}/continue"
    response = await _post(app_server, path, {"mode": "copy", "title": "APT  mars"}, workshop.key)
    assert response.status_code == 201, response.text
    original = await _json_export(app_server, workshop.board)
    copy = await _json_export(app_server, response.json())
    assert copy["meta"]["title"] == "APT mars"
    assert copy["meta"]["template"] == original["meta"]["template"]
    assert copy["notes"] == original["notes"] and copy["sections"] == original["sections"]
    assert copy["tallies"] == {} and copy["checkpoints"] == []


async def test_continue_refusals(app_server: InProcessServer, workshop: Workshop) -> None:
    path = f"/api/boards/{workshop.board['id']}/continue"
    participant = workshop.participants[0]["token"]
    assert (await _post(app_server, path, {"mode": "copy"}, participant)).status_code == 403
    bad = await _post(app_server, path, {"mode": "merge"}, workshop.key)
    assert bad.status_code == 400
    assert bad.json()["detail"] == "mode: expected one of ['deepening', 'copy'], got 'merge'"
    empty_title = await _post(app_server, path, {"mode": "copy", "title": " "}, workshop.key)
    assert empty_title.status_code == 400 and "title" in empty_title.json()["detail"]
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        empty = (await client.post("/api/boards", json={"title": "Tom"})).json()
    response = await _post(
        app_server, f"/api/boards/{empty['id']}/continue", {}, empty["facilitator_key"]
    )
    assert (response.status_code, response.json()["error"]) == (409, "no_clusters")
