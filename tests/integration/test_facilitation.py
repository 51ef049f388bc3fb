"""Facilitation over real HTTP and websockets: roles, phases, votes, drafts, lock, checkpoints."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map, Text

from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient, refused_with


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


async def post(
    server: InProcessServer, path: str, secret: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(secret)) as client:
        return await client.post(path, json=body or {})


async def get(server: InProcessServer, path: str, secret: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, headers=bearer(secret)) as client:
        return await client.get(path)


def socket(server: InProcessServer, board: dict[str, Any], secret: str, doc: str = "") -> YClient:
    return YClient(f"{server.ws_url}/ws/{board['id']}{doc}?token={secret}")


def drafts_of(server: InProcessServer, workshop: dict[str, Any], who: str) -> YClient:
    """The private drafts doc of one of the workshop's participants ("anna" or "bo")."""
    return socket(server, workshop["board"], workshop[who]["token"], "/drafts")


def notes_of(client: YClient) -> dict[str, str]:
    return {k: str(v["text"]) for k, v in client.doc.get("notes", type=Map).items()}


def session_map(client: YClient, name: str) -> dict[str, Any]:
    return client.doc.get(name, type=Map).to_py() or {}


@pytest.fixture
async def workshop(app_server: InProcessServer) -> dict[str, Any]:
    board = await create_board(app_server.url, "Workshop", template="malbild-workshop")
    anna = await join_board(app_server.url, board, "Anna")
    bo = await join_board(app_server.url, board, "Bo")
    return {"board": board, "key": board["facilitator_key"], "anna": anna, "bo": bo}


async def test_roles_are_enforced(app_server: InProcessServer, workshop: dict[str, Any]) -> None:
    board_id = workshop["board"]["id"]
    as_anna = await post(
        app_server, f"/api/boards/{board_id}/phase", workshop["anna"]["token"], {"name": "vote"}
    )
    assert as_anna.status_code == 403 and as_anna.json()["error"] == "forbidden"
    nobody = await post(app_server, f"/api/boards/{board_id}/phase", "", {"name": "vote"})
    assert nobody.status_code == 401
    wrong = await post(app_server, f"/api/boards/{board_id}/phase", "nope", {"name": "vote"})
    assert wrong.status_code == 401
    ok = await post(
        app_server, f"/api/boards/{board_id}/phase", workshop["key"], {"name": "cluster"}
    )
    assert ok.status_code == 200 and ok.json()["phase"]["name"] == "cluster"
    bad = await post(
        app_server, f"/api/boards/{board_id}/phase", workshop["key"], {"name": "party"}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_phase"


async def test_session_doc_is_live_and_server_written_only(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    async with socket(app_server, board, workshop["anna"]["token"], "/session") as anna:
        await anna.wait_for(lambda: session_map(anna, "phase").get("name") == "brainstorm")
        # A participant's write to the session doc is ignored, not applied, not relayed.
        anna.doc.get("phase", type=Map)["name"] = "closed"
        anna.doc.get("lock", type=Map)["content"] = True
        await post(
            app_server, f"/api/boards/{board['id']}/phase", workshop["key"], {"name": "cluster"}
        )
        async with socket(app_server, board, workshop["bo"]["token"], "/session") as bo:
            await bo.wait_for(lambda: session_map(bo, "phase").get("name") == "cluster")
            assert session_map(bo, "lock") == {"content": False}
        state = (
            await get(app_server, f"/api/boards/{board['id']}/session", workshop["key"])
        ).json()
        assert state["phase"]["name"] == "cluster" and state["lock"]["content"] is False


async def _open_voting(server: InProcessServer, w: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Two clusters, c1 and c2, on the workshop's board, and voting open on them."""
    board: dict[str, Any] = w["board"]
    async with socket(server, board, w["key"]) as fac:
        await fac.wait_for(fac.synced.is_set)
        clusters = fac.doc.get("clusters", type=Map)
        for cid in ("c1", "c2"):
            clusters[cid] = Map({"title": Text(cid), "x": 0.0, "y": 0.0, "w": 300.0, "h": 200.0})
        async with socket(server, board, w["key"]) as check:
            await check.wait_for(lambda: len(check.doc.get("clusters", type=Map)) == 2)
    body = {"open": True, "budget": 5, "target": "clusters", **extra}
    response = await post(server, f"/api/boards/{board['id']}/voting", w["key"], body)
    assert response.status_code == 200, response.text
    return board


async def test_budget_holds_under_twenty_parallel_votes(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    await _open_voting(app_server, workshop)
    path = f"/api/boards/{workshop['board']['id']}/votes"
    token = workshop["anna"]["token"]
    async with httpx.AsyncClient(base_url=app_server.url, headers=bearer(token)) as client:
        responses = await asyncio.gather(
            *(client.post(path, json={"target": "c1", "delta": 1}) for _ in range(20))
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * 5 + [409] * 15
        assert {r.json()["error"] for r in responses if r.status_code == 409} == {
            "budget_exhausted"
        }
        me = (await client.get(f"{path}/me")).json()
        assert me == {"remaining": 0, "mine": {"c1": 5}}
        back = await client.post(path, json={"target": "c1", "delta": -1})
        assert back.json() == {"remaining": 1, "mine": {"c1": 4}}
        other = await client.post(path, json={"target": "c2", "delta": 1})
        assert other.json() == {"remaining": 0, "mine": {"c1": 4, "c2": 1}}
        unknown = await client.post(path, json={"target": "nope", "delta": 1})
        assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_target"
        silly = await client.post(path, json={"target": "c1", "delta": 3})
        assert silly.status_code == 400


async def test_tallies_are_secret_until_voting_closes(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = await _open_voting(app_server, workshop)
    path = f"/api/boards/{board['id']}/votes"
    for who, target in (("anna", "c1"), ("anna", "c1"), ("bo", "c1"), ("bo", "c2")):
        response = await post(
            app_server, path, workshop[who]["token"], {"target": target, "delta": 1}
        )
        assert response.status_code == 200
    async with socket(app_server, board, workshop["bo"]["token"], "/session") as bo:
        await bo.wait_for(lambda: session_map(bo, "voting").get("open") is True)
        assert session_map(bo, "tallies") == {}
        state = (
            await get(app_server, f"/api/boards/{board['id']}/session", workshop["bo"]["token"])
        ).json()
        assert state["tallies"] == {}
        await post(
            app_server, f"/api/boards/{board['id']}/voting", workshop["key"], {"open": False}
        )
        await bo.wait_for(lambda: session_map(bo, "tallies") == {"c1": 3, "c2": 1})
    closed = await post(app_server, path, workshop["anna"]["token"], {"target": "c1", "delta": 1})
    assert closed.status_code == 409 and closed.json()["error"] == "voting_closed"


async def test_visible_tallies_update_live(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    await _open_voting(app_server, workshop, tallies_visible=True)
    async with socket(app_server, board, workshop["bo"]["token"], "/session") as bo:
        await post(
            app_server,
            f"/api/boards/{board['id']}/votes",
            workshop["anna"]["token"],
            {"target": "c2", "delta": 1},
        )
        await bo.wait_for(lambda: session_map(bo, "tallies") == {"c2": 1})


async def test_drafts_are_private_and_counted(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    async with (
        drafts_of(app_server, workshop, "anna") as anna,
        socket(app_server, board, workshop["key"], "/session") as fac,
    ):
        await anna.wait_for(anna.synced.is_set)
        anna.doc.get("notes", type=Map)["d1"] = Map({"text": Text("hemlig idé"), "author": "Anna"})
        anna_id = workshop["anna"]["participant_id"]
        await fac.wait_for(lambda: session_map(fac, "drafts").get(anna_id, {}).get("count") == 1)
        assert session_map(fac, "drafts")[anna_id] == {"name": "Anna", "count": 1}
        # Bo's drafts socket opens Bo's own doc: Anna's text is nowhere in it.
        async with drafts_of(app_server, workshop, "bo") as bo:
            await bo.wait_for(bo.synced.is_set)
            assert notes_of(bo) == {}
            assert all(b"hemlig" not in frame for frame in bo.received)
        # Nor on the board, nor in the session doc, nor in the session API.
        async with socket(app_server, board, workshop["bo"]["token"]) as board_doc:
            await board_doc.wait_for(board_doc.synced.is_set)
            assert all(b"hemlig" not in frame for frame in board_doc.received)
        assert all(b"hemlig" not in frame for frame in fac.received)
        state = await get(app_server, f"/api/boards/{board['id']}/session", workshop["bo"]["token"])
        assert "hemlig" not in state.text


async def test_reveal_moves_drafts_once_and_keeps_late_typing(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    async with (
        socket(app_server, board, workshop["bo"]["token"]) as viewer,
        drafts_of(app_server, workshop, "anna") as anna,
        drafts_of(app_server, workshop, "bo") as bo,
    ):
        await anna.wait_for(anna.synced.is_set)
        await bo.wait_for(bo.synced.is_set)
        for i in range(3):
            anna.doc.get("notes", type=Map)[f"a{i}"] = Map(
                {"text": Text(f"Anna {i}"), "created": float(i)}
            )
        bo.doc.get("notes", type=Map)["b0"] = Map({"text": Text("Bo 0")})
        async with socket(app_server, board, workshop["key"], "/session") as fac:
            await fac.wait_for(
                lambda: sum(d["count"] for d in session_map(fac, "drafts").values()) == 4
            )
        path = f"/api/boards/{board['id']}/reveal"
        first, second = await asyncio.gather(
            post(app_server, path, workshop["key"]), post(app_server, path, workshop["key"])
        )
        assert sorted([first.json()["revealed"], second.json()["revealed"]]) == [0, 4]
        await viewer.wait_for(lambda: len(notes_of(viewer)) == 4)
        assert notes_of(viewer) == {"a0": "Anna 0", "a1": "Anna 1", "a2": "Anna 2", "b0": "Bo 0"}
        notes = viewer.doc.get("notes", type=Map)
        # Laid out by author: Anna's notes in one column, in the order she wrote them.
        xs = {nid: notes[nid]["x"] for nid in ("a0", "a1", "a2", "b0")}
        assert xs["a0"] == xs["a1"] == xs["a2"] != xs["b0"]
        assert notes["a0"]["y"] < notes["a1"]["y"] < notes["a2"]["y"]
        assert notes["a0"]["author"] == "Anna"
        # Anna was still typing when the reveal happened: her letters reach the board.
        text = anna.doc.get("notes", type=Map)["a1"]["text"]
        text.insert(len(text), " och mer")
        await viewer.wait_for(lambda: notes_of(viewer)["a1"] == "Anna 1 och mer")
        third = await post(app_server, path, workshop["key"])
        assert third.json()["revealed"] == 0
        assert len(notes_of(viewer)) == 4


async def test_lock_makes_participants_read_only(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    await set_phase(app_server.url, board, "cluster")
    lock = f"/api/boards/{board['id']}/lock"
    async with (
        socket(app_server, board, workshop["anna"]["token"]) as anna,
        socket(app_server, board, workshop["key"]) as fac,
    ):
        await anna.wait_for(anna.synced.is_set)
        assert (await post(app_server, lock, workshop["key"], {"content": True})).status_code == 200
        anna.doc.get("notes", type=Map)["locked-out"] = Map({"text": Text("syns inte")})
        fac.doc.get("notes", type=Map)["fac"] = Map({"text": Text("facilitatorn får")})
        await anna.wait_for(lambda: "fac" in notes_of(anna))
        async with socket(app_server, board, workshop["bo"]["token"]) as bo:
            await bo.wait_for(lambda: "fac" in notes_of(bo))
            assert "locked-out" not in notes_of(bo)
        await post(app_server, lock, workshop["key"], {"content": False})
        anna.doc.get("notes", type=Map)["after"] = Map({"text": Text("nu går det")})
        await fac.wait_for(lambda: "after" in notes_of(fac))
        # What Anna wrote while locked was held back, then merged like an offline edit.
        assert notes_of(fac)["locked-out"] == "syns inte"


async def test_wall_is_read_only(app_server: InProcessServer, workshop: dict[str, Any]) -> None:
    board = workshop["board"]
    wall_key = board["urls"]["wall"].split("key=")[1]
    async with (
        socket(app_server, board, wall_key) as wall,
        socket(app_server, board, workshop["key"]) as fac,
    ):
        await wall.wait_for(wall.synced.is_set)
        wall.doc.get("notes", type=Map)["wall"] = Map({"text": Text("från väggen")})
        fac.doc.get("notes", type=Map)["ok"] = Map({"text": Text("ok")})
        await wall.wait_for(lambda: "ok" in notes_of(wall))
        async with socket(app_server, board, workshop["key"]) as check:
            await check.wait_for(lambda: "ok" in notes_of(check))
            assert "wall" not in notes_of(check)
    votes = await post(
        app_server, f"/api/boards/{board['id']}/votes", wall_key, {"target": "x", "delta": 1}
    )
    assert votes.status_code == 403
    assert await refused_with(socket(app_server, board, wall_key, "/drafts")) == 4403


async def test_timer_runs_pauses_resumes_and_stops(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    path = f"/api/boards/{workshop['board']['id']}/timer"
    now = (await get(app_server, "/api/time", "")).json()["now"]
    started = (await post(app_server, path, workshop["key"], {"duration_s": 300})).json()["timer"]
    assert started["duration_s"] == 300 and started["paused_left_s"] is None
    assert now + 299_000 <= started["ends_at"] <= now + 310_000
    paused = (await post(app_server, path, workshop["key"], {"action": "pause"})).json()["timer"]
    assert paused["ends_at"] is None and 298 <= paused["paused_left_s"] <= 300
    resumed = (await post(app_server, path, workshop["key"], {"action": "resume"})).json()["timer"]
    assert resumed["ends_at"] is not None and resumed["paused_left_s"] is None
    stopped = (await post(app_server, path, workshop["key"], {"action": "stop"})).json()["timer"]
    assert stopped["ends_at"] is None
    again = await post(app_server, path, workshop["key"], {"action": "resume"})
    assert again.status_code == 400 and again.json()["error"] == "timer_not_paused"
    silly = await post(app_server, path, workshop["key"], {"duration_s": -5})
    assert silly.status_code == 400


async def test_checkpoints_list_view_and_fork(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    path = f"/api/boards/{board['id']}/checkpoints"
    async with socket(app_server, board, workshop["key"]) as fac:
        await fac.wait_for(fac.synced.is_set)
        fac.doc.get("notes", type=Map)["n1"] = Map({"text": Text("dag 1")})
        async with socket(app_server, board, workshop["key"]) as check:
            await check.wait_for(lambda: "n1" in notes_of(check))
        made = await post(app_server, path, workshop["key"], {"name": "Slut på dag 1"})
        assert made.status_code == 201
        checkpoint = made.json()
        assert checkpoint["name"] == "Slut på dag 1" and checkpoint["id"]
        fac.doc.get("notes", type=Map)["n2"] = Map({"text": Text("dag 2")})
    listed = (await get(app_server, path, workshop["anna"]["token"])).json()
    assert listed == [checkpoint]
    state = await get(app_server, f"{path}/{checkpoint['id']}/state", workshop["anna"]["token"])
    doc: Doc[Any] = Doc()
    doc.apply_update(state.content)
    assert {k: str(v["text"]) for k, v in doc.get("notes", type=Map).items()} == {"n1": "dag 1"}
    refused = await post(app_server, path, workshop["anna"]["token"], {"name": "x"})
    assert refused.status_code == 403
    forked = await post(app_server, f"{path}/{checkpoint['id']}/fork", workshop["key"], {})
    assert forked.status_code == 201
    new = forked.json()
    assert new["id"] != board["id"] and new["title"] == "Workshop (Slut på dag 1)"
    async with YClient(f"{app_server.ws_url}/ws/{new['id']}?token={new['facilitator_key']}") as c:
        await c.wait_for(lambda: "n1" in notes_of(c))
        assert notes_of(c) == {"n1": "dag 1"}
        assert c.doc.get("meta", type=Map)["title"] == "Workshop (Slut på dag 1)"
    # The original board's key does not open the fork.
    old_key = YClient(f"{app_server.ws_url}/ws/{new['id']}?token={workshop['key']}")
    assert await refused_with(old_key) == 4401


async def test_wrong_join_codes_are_rate_limited(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    path = f"/api/boards/{workshop['board']['id']}/participants"
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        codes = [
            (await client.post(path, json={"name": "x", "join_code": "WRONG1"})).status_code
            for _ in range(12)
        ]
        assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]
        right = await client.post(
            path, json={"name": "x", "join_code": workshop["board"]["join_code"]}
        )
        assert right.status_code == 429


async def test_session_lists_who_is_online(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    anna_id = workshop["anna"]["participant_id"]
    async with socket(app_server, board, workshop["key"], "/session") as fac:
        async with socket(app_server, board, workshop["anna"]["token"]) as anna:
            await anna.wait_for(anna.synced.is_set)
            await fac.wait_for(
                lambda: (
                    session_map(fac, "participants").get(anna_id)
                    == {"name": "Anna", "online": True}
                )
            )
        await fac.wait_for(
            lambda: (
                session_map(fac, "participants").get(anna_id) == {"name": "Anna", "online": False}
            )
        )
        # The facilitator is not a participant; Bo never connected.
        assert set(session_map(fac, "participants")) == {anna_id}


async def test_resetting_votes_starts_a_new_round(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = await _open_voting(app_server, workshop)
    path = f"/api/boards/{board['id']}"
    await post(app_server, f"{path}/votes", workshop["anna"]["token"], {"target": "c1", "delta": 1})
    reset = await post(app_server, f"{path}/voting", workshop["key"], {"reset": True})
    assert reset.json()["voting"]["round"] == 1
    mine = await get(app_server, f"{path}/votes/me", workshop["anna"]["token"])
    assert mine.json() == {"remaining": 5, "mine": {}}


async def test_no_new_notes_on_the_board_where_the_phase_forbids_them(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    settings = f"/api/boards/{board['id']}/settings"
    async with (
        socket(app_server, board, workshop["anna"]["token"]) as anna,
        socket(app_server, board, workshop["key"]) as fac,
        socket(app_server, board, workshop["bo"]["token"]) as bo,
    ):
        await anna.wait_for(anna.synced.is_set)
        await bo.wait_for(bo.synced.is_set)
        ever_on_bos_board: set[str] = set()
        bos_notes = bo.doc.get("notes", type=Map)
        subscription = bos_notes.observe(lambda event: ever_on_bos_board.update(event.keys))
        # Silent brainstorm: a participant's note belongs in the drafts, not on the board.
        anna.doc.get("notes", type=Map)["loud"] = Map({"text": Text("för tidigt")})
        fac.doc.get("notes", type=Map)["fac1"] = Map({"text": Text("facilitatorn får")})
        await bo.wait_for(lambda: "fac1" in notes_of(bo))
        await anna.wait_for(lambda: "loud" not in notes_of(anna))
        await set_phase(app_server.url, board, "cluster")
        anna.doc.get("notes", type=Map)["ok"] = Map({"text": Text("nu går det")})
        await bo.wait_for(lambda: "ok" in notes_of(bo))
        await set_phase(app_server.url, board, "vote")
        anna.doc.get("notes", type=Map)["late"] = Map({"text": Text("under röstningen")})
        await anna.wait_for(lambda: "late" not in notes_of(anna))
        # Editing what is there stays open; the refused note never reached anyone else.
        text = anna.doc.get("notes", type=Map)["ok"]["text"]
        text.insert(len(text), "!")
        await bo.wait_for(lambda: notes_of(bo).get("ok") == "nu går det!")
        # The addition and its removal travel in one merged update: never shown to Bo.
        assert {"fac1", "ok"} <= ever_on_bos_board, subscription
        assert ever_on_bos_board.isdisjoint({"loud", "late"}), ever_on_bos_board
        await post(app_server, settings, workshop["key"], {"notes_while_voting": True})
        anna.doc.get("notes", type=Map)["allowed"] = Map({"text": Text("tillåtet")})
        await bo.wait_for(lambda: "allowed" in notes_of(bo))
