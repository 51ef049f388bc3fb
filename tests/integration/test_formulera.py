"""Issue 14, item 1: the formulera round. The facilitator opens it over HTTP, participants
write proposals for a theme's statement through real Yjs sockets, the server's guard keeps
each proposal its author's and the round's, and the facilitator's choice becomes the
statement that the board and the exports show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from server.sync import protocol
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

STATEMENT = "Biblioteket är en mötesplats för hela kommunen"


@asynccontextmanager
async def _peer(
    server: InProcessServer, board: dict[str, Any], secret: str
) -> AsyncIterator[YClient]:
    async with YClient(f"{server.ws_url}/ws/{board['id']}?token={secret}") as client:
        await client.wait_for(client.synced.is_set)
        yield client


def _cluster(client: YClient, cid: str = "c1") -> Map[Any]:
    cluster: Map[Any] = client.doc.get("clusters", type=Map)[cid]
    return cluster


def _proposals(client: YClient, cid: str = "c1") -> Map[Any]:
    proposals: Map[Any] = _cluster(client, cid)["proposals"]
    return proposals


def _has_proposals(client: YClient, cid: str = "c1") -> bool:
    clusters = client.doc.get("clusters", type=Map)
    return cid in clusters and isinstance(clusters[cid].get("proposals"), Map)


def _texts(client: YClient, cid: str = "c1") -> dict[str, str]:
    if not _has_proposals(client, cid):
        return {}
    return {pid: str(p.get("text", "")) for pid, p in _proposals(client, cid).items()}


def _refusals(client: YClient) -> list[str]:
    found = []
    for frame in client.received:
        message = protocol.decode(frame)
        if isinstance(message, protocol.Auth):
            found.append(message.denied_reason or "")
    return found


def _propose(client: YClient, pid: str, text: str, by: str, cid: str = "c1") -> None:
    _proposals(client, cid)[pid] = Map({"text": Text(text), "by": by})


async def _api(
    server: InProcessServer, secret: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        return await client.request(method, path, json=body)


async def _round(server: InProcessServer, board: dict[str, Any], body: Any) -> dict[str, Any]:
    response = await _api(
        server, board["facilitator_key"], "POST", f"/api/boards/{board['id']}/formulera", body
    )
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    return state


@pytest.fixture
async def workshop(app_server: InProcessServer) -> dict[str, Any]:
    """A board in the discuss phase with two themes (c1 of which has two notes); Bea, Carl
    and Mallory have joined."""
    board = await create_board(app_server.url, "Målbild för biblioteket")
    people = {
        name: await join_board(app_server.url, board, name) for name in ("Bea", "Carl", "Mallory")
    }
    await set_phase(app_server.url, board, "discuss")
    async with _peer(app_server, board, board["facilitator_key"]) as fac:
        clusters = fac.doc.get("clusters", type=Map)
        with fac.doc.transaction():
            clusters["c1"] = Map(
                {"title": Text("Mötesplats"), "statement": Text(""), "x": 0.0, "y": 0.0}
            )
            clusters["c2"] = Map(
                {"title": Text("Digitalt"), "statement": Text(""), "x": 500.0, "y": 0.0}
            )
            notes = fac.doc.get("notes", type=Map)
            for nid, text in (("n1", "Öppet på kvällar"), ("n2", "Rum för föreningar")):
                notes[nid] = Map({"text": Text(text), "x": 10.0, "y": 10.0, "cluster": "c1"})
        async with _peer(app_server, board, board["facilitator_key"]) as other:
            await other.wait_for(lambda: {"c1", "c2"} <= set(other.doc.get("clusters", type=Map)))
    return {"board": board, **{name.lower(): p for name, p in people.items()}}


async def test_the_guard_refuses_proposals_outside_the_round_and_edits_of_anothers(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, bea, mallory = workshop["board"], workshop["bea"], workshop["mallory"]
    async with (
        _peer(app_server, board, bea["token"]) as b,
        _peer(app_server, board, mallory["token"]) as m,
    ):
        # No round yet: the server has given the themes no proposals map; a participant who
        # makes one is refused, and nothing reaches anyone.
        _cluster(b)["proposals"] = Map({"b0": Map({"text": Text("För tidigt"), "by": "Bea"})})
        await b.wait_for(lambda: len(_refusals(b)) == 1)
        assert _refusals(b)[0].startswith("round_closed: ")
        await b.wait_for(lambda: not _has_proposals(b))

        state = await _round(app_server, board, {"open": True, "cluster": "c1"})
        assert state["formulera"]["open"] is True
        assert state["formulera"]["cluster"] == "c1"
        assert state["formulera"]["started"] > 0
        await b.wait_for(lambda: _has_proposals(b) and _has_proposals(m))
        assert not _has_proposals(b, "c2")  # the round is about c1 only

        _propose(b, "p1", STATEMENT, "Grupp 2")
        await m.wait_for(lambda: _texts(m) == {"p1": STATEMENT})
        # The server signs the proposal with Bea's id and name; the group name stays.
        await m.wait_for(lambda: _proposals(m)["p1"].get("author_id") == bea["participant_id"])
        assert _proposals(m)["p1"]["author"] == "Bea"
        assert _proposals(m)["p1"]["by"] == "Grupp 2"

        # Mallory may not touch Bea's proposal: not its text, not its owner, not delete it.
        text = _proposals(m)["p1"]["text"]
        text.insert(len(str(text)), " för de rika")
        await m.wait_for(lambda: len(_refusals(m)) == 1)
        assert _refusals(m)[0] == "not_allowed: other people's proposals cannot be edited"
        await m.wait_for(lambda: _texts(m) == {"p1": STATEMENT})
        _proposals(m)["p1"]["author_id"] = mallory["participant_id"]
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        assert _refusals(m)[1].startswith("not_allowed: a proposal's author")
        del _proposals(m)["p1"]
        await m.wait_for(lambda: len(_refusals(m)) == 3)
        assert _refusals(m)[2].startswith("not_allowed: proposals are kept")
        await m.wait_for(lambda: _texts(m) == {"p1": STATEMENT})
        # Nor delete the theme, which would take Bea's proposal with it.
        del m.doc.get("clusters", type=Map)["c1"]
        await m.wait_for(lambda: len(_refusals(m)) == 4)
        assert _refusals(m)[3].startswith("not_allowed: proposals are kept")
        await m.wait_for(lambda: _texts(m) == {"p1": STATEMENT})
        # Her own proposal stands.
        _propose(m, "m1", "Biblioteket är öppet", "Mallory")
        await b.wait_for(lambda: _texts(b) == {"p1": STATEMENT, "m1": "Biblioteket är öppet"})
        assert len(_refusals(m)) == 4
        # A theme without proposals may still be deleted in the discuss phase.
        del m.doc.get("clusters", type=Map)["c2"]
        await b.wait_for(lambda: "c2" not in b.doc.get("clusters", type=Map))
        assert len(_refusals(m)) == 4

        # Closing the round keeps the proposals; then even one's own is no longer written.
        state = await _round(app_server, board, {"open": False})
        assert state["formulera"]["open"] is False
        own = _proposals(b)["p1"]["text"]
        own.insert(len(str(own)), "!")
        await b.wait_for(lambda: len(_refusals(b)) == 2)
        assert _refusals(b)[1].startswith("round_closed: ")
        await b.wait_for(lambda: _texts(b)["p1"] == STATEMENT)

    async with _peer(app_server, board, board["facilitator_key"]) as fresh:
        assert _texts(fresh) == {"p1": STATEMENT, "m1": "Biblioteket är öppet"}


async def test_a_round_on_one_theme_refuses_proposals_for_another(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, carl = workshop["board"], workshop["carl"]
    await _round(app_server, board, {"open": True})  # every theme first: both get a map
    await _round(app_server, board, {"open": True, "cluster": "c1"})
    async with _peer(app_server, board, carl["token"]) as c:
        await c.wait_for(lambda: _has_proposals(c, "c2"))
        _propose(c, "x1", "Fel tema", "Carl", cid="c2")
        await c.wait_for(lambda: len(_refusals(c)) == 1)
        assert _refusals(c)[0] == "not_allowed: this formulera round is about another theme"
        await c.wait_for(lambda: _texts(c, "c2") == {})


async def test_two_participants_proposals_are_live_for_the_facilitator(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, bea, carl = workshop["board"], workshop["bea"], workshop["carl"]
    await _round(app_server, board, {"open": True})
    async with (
        _peer(app_server, board, board["facilitator_key"]) as fac,
        _peer(app_server, board, bea["token"]) as b,
        _peer(app_server, board, carl["token"]) as c,
    ):
        await b.wait_for(lambda: _has_proposals(b, "c1") and _has_proposals(b, "c2"))
        await c.wait_for(lambda: _has_proposals(c, "c1"))
        _propose(b, "pb", "Biblioteket är", "Grupp 1")
        _propose(c, "pc", "Biblioteket är digitalt", "", cid="c2")
        await fac.wait_for(lambda: "pb" in _texts(fac) and "pc" in _texts(fac, "c2"))
        # Typing goes on, character by character, and the facilitator sees every word.
        text = _proposals(b)["pb"]["text"]
        for word in (" en", " öppen", " plats"):
            text.insert(len(str(text).encode()), word)
        await fac.wait_for(lambda: _texts(fac) == {"pb": "Biblioteket är en öppen plats"})
        await fac.wait_for(lambda: _texts(fac, "c2") == {"pc": "Biblioteket är digitalt"})
        # A proposal that names no group is written in its author's name.
        await fac.wait_for(lambda: _proposals(fac, "c2")["pc"].get("by") == "Carl")
        assert _proposals(fac)["pb"]["by"] == "Grupp 1"
        assert _proposals(fac, "c2")["pc"]["author_id"] == carl["participant_id"]
        assert _refusals(b) == [] and _refusals(c) == []


async def test_bad_round_requests_get_clear_errors_and_change_nothing(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, bea = workshop["board"], workshop["bea"]
    path = f"/api/boards/{board['id']}/formulera"
    key = board["facilitator_key"]
    for body, code, says in (
        ({"open": "yes"}, "invalid_field", "open must be true or false"),
        ({"open": True, "cluster": "nope"}, "invalid_field", "cluster must be the id of a theme"),
        ({}, "invalid_field", "open must be true or false"),
    ):
        response = await _api(app_server, key, "POST", path, body)
        assert response.status_code == 400, body
        assert response.json()["error"] == code
        assert says in response.json()["detail"]
    response = await _api(app_server, bea["token"], "POST", path, {"open": True})
    assert response.status_code == 403
    settle = f"{path}/settle"
    response = await _api(app_server, key, "POST", settle, {"cluster": "c1", "proposal": "nope"})
    assert response.status_code == 404
    assert response.json()["error"] == "proposal_not_found"
    response = await _api(app_server, key, "POST", settle, {"cluster": "zz", "proposal": "p"})
    assert response.status_code == 404
    assert response.json()["error"] == "cluster_not_found"
    session = (await _api(app_server, key, "GET", f"/api/boards/{board['id']}/session")).json()
    assert session["formulera"] == {"open": False, "cluster": None, "started": 0}

    # Outside the discuss phase there is no round; leaving the phase ends an open one.
    await _round(app_server, board, {"open": True})
    await set_phase(app_server.url, board, "vote")
    session = (await _api(app_server, key, "GET", f"/api/boards/{board['id']}/session")).json()
    assert session["formulera"]["open"] is False
    response = await _api(app_server, key, "POST", path, {"open": True})
    assert response.status_code == 400
    assert response.json()["error"] == "wrong_phase"


async def test_settling_copies_the_proposal_into_the_statement_and_the_exports_keep_both(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, bea, carl = workshop["board"], workshop["bea"], workshop["carl"]
    key = board["facilitator_key"]
    await _round(app_server, board, {"open": True, "cluster": "c1"})
    async with (
        _peer(app_server, board, bea["token"]) as b,
        _peer(app_server, board, carl["token"]) as c,
    ):
        await b.wait_for(lambda: _has_proposals(b))
        # Someone had already started the statement: the chosen text replaces it.
        _cluster(b)["statement"].insert(0, "Biblioteket")
        _propose(b, "pb", STATEMENT, "Grupp 2")
        await c.wait_for(lambda: "pb" in _texts(c))
        _propose(c, "pc", "Biblioteket är tyst", "Grupp 3")
        await b.wait_for(lambda: "pc" in _texts(b))

        settle = f"/api/boards/{board['id']}/formulera/settle"
        # An empty proposal is no wording: refused, and the started statement stays.
        _propose(c, "empty", "", "Grupp 4")
        await b.wait_for(lambda: "empty" in _texts(b))
        response = await _api(
            app_server, key, "POST", settle, {"cluster": "c1", "proposal": "empty"}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "empty_proposal"
        assert str(_cluster(b)["statement"]) == "Biblioteket"
        response = await _api(app_server, key, "POST", settle, {"cluster": "c1", "proposal": "pb"})
        assert response.status_code == 200, response.text
        assert response.json() == {
            "cluster": "c1",
            "proposal": "pb",
            "statement": STATEMENT,
            "by": "Grupp 2",
        }
        for peer in (b, c):
            await peer.wait_for(lambda peer=peer: str(_cluster(peer)["statement"]) == STATEMENT)
            assert _cluster(peer)["statement_from"] == "pb"
        # The statement may be edited after, and the proposals are still there.
        assert _texts(c) == {"pb": STATEMENT, "pc": "Biblioteket är tyst", "empty": ""}

    await _round(app_server, board, {"open": False})
    changes = (await _api(app_server, key, "GET", f"/api/boards/{board['id']}/changes")).json()
    # The settling is the board's last change, logged as the facilitator's.
    assert changes["changes"][0]["role"] == "facilitator"

    exported = (await _api(app_server, key, "GET", f"/b/{board['id']}/export.json")).json()
    c1 = next(cl for cl in exported["clusters"] if cl["id"] == "c1")
    assert c1["statement"] == STATEMENT
    assert c1["statement_from"] == "pb"
    assert sorted((p["id"], p["text"], p["by"]) for p in c1["proposals"]) == [
        ("empty", "", "Grupp 4"),
        ("pb", STATEMENT, "Grupp 2"),
        ("pc", "Biblioteket är tyst", "Grupp 3"),
    ]
    # Each is dated by the server as it arrived (the client wrote no time).
    assert all(p["created"] > 0 for p in c1["proposals"])
    assert next(v for v in exported["vision"] if v["cluster"] == "c1")["statement"] == STATEMENT

    markdown = (await _api(app_server, key, "GET", f"/b/{board['id']}/export.md")).text
    assert f"> **Målbildspåstående:** {STATEMENT}" in markdown
    appendix = markdown.split("## Bilaga: förslag till målbildspåståenden", 1)[1]
    assert f"- {STATEMENT} — Grupp 2 **(valt)**" in appendix
    assert "- Biblioteket är tyst — Grupp 3\n" in appendix
    assert "- *(tomt förslag)* — Grupp 4\n" in appendix

    # An import of the export carries the proposals and the choice to the new board.
    response = await _api(app_server, key, "POST", "/api/boards/import", exported)
    assert response.status_code == 201, response.text
    copy = response.json()
    again = (
        await _api(app_server, copy["facilitator_key"], "GET", f"/b/{copy['id']}/export.json")
    ).json()
    assert next(cl for cl in again["clusters"] if cl["id"] == "c1") == c1


async def test_one_participant_writes_at_most_twenty_proposals_for_a_theme(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, carl = workshop["board"], workshop["carl"]
    await _round(app_server, board, {"open": True, "cluster": "c1"})
    async with _peer(app_server, board, carl["token"]) as c:
        await c.wait_for(lambda: _has_proposals(c))
        with c.doc.transaction():
            for i in range(20):
                _propose(c, f"c{i}", f"Förslag {i}", "Carl")
        async with _peer(app_server, board, board["facilitator_key"]) as fac:
            await fac.wait_for(lambda: len(_texts(fac)) == 20)
        _propose(c, "c20", "Ett för mycket", "Carl")
        await c.wait_for(lambda: len(_refusals(c)) == 1)
        assert _refusals(c) == [
            "quota_proposals: at most 20 proposals per participant for a theme; you have 20"
        ]
        await c.wait_for(lambda: len(_texts(c)) == 20 and "c20" not in _texts(c))
