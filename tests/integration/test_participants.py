"""Issue 10, finding 7: the facilitator lists the participants and removes one.

A real server, real Yjs peers: removing a participant closes their open sockets with the
reason, their token opens nothing afterwards (sockets, API, page), the others keep
working, and the notes they wrote stay on the board.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from server.settings import Settings
from server.sync.protocol import CloseCode
from tests.integration.test_facilitation import notes_of, post, session_map, socket
from tests.support.backends import BACKENDS, backend_settings
from tests.support.boards import create_board, join_board, set_phase
from tests.support.cluster import running_cluster
from tests.support.servers import InProcessServer
from tests.support.services import RedisServer
from tests.support.yjs import YClient, refused_with

pytestmark = pytest.mark.asyncio

REMOVED = "the facilitator removed you from this board"


async def _call(
    server: InProcessServer, method: str, path: str, secret: str = ""
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        return await client.request(method, path)


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test of this module on SQLite and on PostgreSQL (the token is voided in both)."""
    return backend_settings(request, tmp_path)


@pytest.fixture
async def room(app_server: InProcessServer) -> dict[str, Any]:
    """A board in the cluster phase (notes go straight to it) with Anna and Bo."""
    board = await create_board(app_server.url, "Deltagare", template="malbild-workshop")
    anna = await join_board(app_server.url, board, "Anna")
    bo = await join_board(app_server.url, board, "Bo")
    await set_phase(app_server.url, board, "cluster")
    return {"board": board, "key": board["facilitator_key"], "anna": anna, "bo": bo}


async def _write_note(client: YClient, note_id: str, text: str) -> None:
    await client.wait_for(client.synced.is_set)
    client.doc.get("notes", type=Map)[note_id] = Map({"text": Text(text), "x": 10.0, "y": 10.0})


async def test_the_list_shows_names_online_flags_and_note_counts(
    app_server: InProcessServer, room: dict[str, Any]
) -> None:
    board, key = room["board"], room["key"]
    path = f"/api/boards/{board['id']}/participants"
    async with (
        socket(app_server, board, room["anna"]["token"]) as anna,
        socket(app_server, board, key) as fac,
    ):
        await _write_note(anna, "a1", "Annas lapp")
        await _write_note(anna, "a2", "Annas andra")
        await fac.wait_for(lambda: {"a1", "a2"} <= set(notes_of(fac)))
        reply = await _call(app_server, "GET", path, key)
        assert reply.status_code == 200, reply.text
        people = reply.json()["participants"]
        assert [(p["name"], p["online"], p["notes"]) for p in people] == [
            ("Anna", True, 2),
            ("Bo", False, 0),
        ]
        assert [p["id"] for p in people] == [
            room["anna"]["participant_id"],
            room["bo"]["participant_id"],
        ]
        assert all(isinstance(p["joined"], int) and p["joined"] > 0 for p in people)
        assert people[0]["joined"] <= people[1]["joined"]


async def test_only_the_facilitator_may_list_or_remove(
    app_server: InProcessServer, room: dict[str, Any]
) -> None:
    board = room["board"]
    wall_key = board["urls"]["wall"].split("key=")[1]
    list_path = f"/api/boards/{board['id']}/participants"
    remove_path = f"{list_path}/{room['bo']['participant_id']}"
    for method, path in (("GET", list_path), ("DELETE", remove_path)):
        for secret, status, error in (
            (room["anna"]["token"], 403, "forbidden"),
            (wall_key, 403, "forbidden"),
            ("", 401, "unauthorized"),
            ("not-a-token", 401, "unauthorized"),
        ):
            reply = await _call(app_server, method, path, secret)
            assert (reply.status_code, reply.json()["error"]) == (status, error), (method, secret)
    # Nobody was removed by those attempts: Bo is still listed.
    names = [
        p["name"]
        for p in (await _call(app_server, "GET", list_path, room["key"])).json()["participants"]
    ]
    assert names == ["Anna", "Bo"]
    unknown = await _call(app_server, "DELETE", f"{list_path}/nobody", room["key"])
    assert (unknown.status_code, unknown.json()["error"]) == (404, "participant_not_found")


async def test_a_removed_participant_is_cut_off_and_their_notes_stay(
    app_server: InProcessServer, room: dict[str, Any]
) -> None:
    board, key = room["board"], room["key"]
    anna_token, anna_id = room["anna"]["token"], room["anna"]["participant_id"]
    path = f"/api/boards/{board['id']}/participants"
    async with (
        socket(app_server, board, anna_token) as anna,
        socket(app_server, board, anna_token, "/session") as anna_session,
        socket(app_server, board, anna_token, "/drafts") as anna_drafts,
        socket(app_server, board, room["bo"]["token"]) as bo,
        socket(app_server, board, key, "/session") as fac_session,
    ):
        await _write_note(anna, "anna-note", "Annas idé")
        await bo.wait_for(lambda: "anna-note" in notes_of(bo))
        await anna_drafts.wait_for(anna_drafts.synced.is_set)
        await anna_session.wait_for(anna_session.synced.is_set)

        reply = await _call(app_server, "DELETE", f"{path}/{anna_id}", key)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert (body["removed"], body["name"], body["notes_kept"]) == (anna_id, "Anna", 1)
        assert body["detail"] == "Anna can no longer open this board; their note stays on it"
        assert body["sockets_closed"] == 3

        for client in (anna, anna_session, anna_drafts):
            assert await client.wait_closed() == CloseCode.REMOVED
            assert client.close_reason == REMOVED
        await fac_session.wait_for(lambda: anna_id in session_map(fac_session, "removed"))

        # Bo keeps working, and Anna's note is still on the board.
        await _write_note(bo, "bo-note", "Bos idé")
        async with socket(app_server, board, key) as fresh:
            # Synced first: Bo's note may reach a new peer before its sync step 2 does.
            await fresh.wait_for(lambda: fresh.synced.is_set() and "bo-note" in notes_of(fresh))
            assert notes_of(fresh)["anna-note"] == "Annas idé"

    # The old token opens nothing: sockets, the API, the page.
    for doc in ("", "/session", "/drafts"):
        again = socket(app_server, board, anna_token, doc)
        assert await refused_with(again) == CloseCode.REMOVED, doc
        assert again.close_reason == REMOVED
    vote = await post(
        app_server, f"/api/boards/{board['id']}/votes", anna_token, {"target": "x", "delta": 1}
    )
    assert (vote.status_code, vote.json()) == (
        403,
        {"error": "participant_removed", "detail": REMOVED},
    )
    note = await post(
        app_server, f"/api/boards/{board['id']}/notes/bulk", anna_token, {"lines": "smyger in"}
    )
    assert (note.status_code, note.json()["error"]) == (403, "participant_removed")
    async with httpx.AsyncClient(
        base_url=app_server.url, cookies={f"samsyn_p_{board['id']}": anna_token}
    ) as browser:
        page = await browser.get(f"/b/{board['id']}")
    assert page.status_code == 403
    assert "Du har tagits bort från tavlan av samtalsledaren" in page.text

    # The list no longer shows Anna; removing her again says so.
    people = (await _call(app_server, "GET", path, key)).json()["participants"]
    assert [p["name"] for p in people] == ["Bo"]
    twice = await _call(app_server, "DELETE", f"{path}/{anna_id}", key)
    assert (twice.status_code, twice.json()["error"]) == (409, "already_removed")
    # The facilitator's count of who still has dots leaves Anna out.
    status = await _call(app_server, "GET", f"/api/boards/{board['id']}/votes/status", key)
    assert (status.json()["participants"], [v["name"] for v in status.json()["voters"]]) == (
        1,
        ["Bo"],
    )
    # Bo's token still works for the API.
    mine = await _call(
        app_server, "GET", f"/api/boards/{board['id']}/votes/me", room["bo"]["token"]
    )
    assert mine.status_code == 200


async def test_a_removal_on_one_process_closes_the_sockets_on_another(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url, "Två processer")
        anna = await join_board(b.url, board, "Anna")
        on_b = f"{b.ws_url}/ws/{board['id']}"
        async with (
            YClient(f"{on_b}?token={anna['token']}") as anna_board,
            YClient(f"{on_b}/drafts?token={anna['token']}") as anna_drafts,
        ):
            for client in (anna_board, anna_drafts):
                await client.wait_for(client.synced.is_set)
            path = f"/api/boards/{board['id']}/participants/{anna['participant_id']}"
            async with httpx.AsyncClient(base_url=a.url, timeout=10) as client:
                reply = await client.delete(
                    path, headers={"Authorization": f"Bearer {board['facilitator_key']}"}
                )
            assert reply.status_code == 200, reply.text
            # a held none of her sockets; b learns of the removal through the session doc.
            assert reply.json()["sockets_closed"] == 0
            for client in (anna_board, anna_drafts):
                assert await client.wait_closed() == CloseCode.REMOVED
                assert client.close_reason == REMOVED
        assert await refused_with(YClient(f"{on_b}?token={anna['token']}")) == CloseCode.REMOVED
