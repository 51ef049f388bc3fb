"""Issue 14, item 5: the plan on a board. The målbild's actions are cards in three status
sections of a plan board; the server keeps cards and actions in step both ways, through a
real server, real Yjs sockets and the plan's CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pycrdt import Map, Text

from boards import schema
from server.sync import protocol
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

STATEMENTS = [
    {"id": "s1", "theme": "Mötesplats", "text": "Biblioteket är en mötesplats"},
    {"id": "s2", "theme": "Digitalt", "text": "Biblioteket hjälper alla digitalt"},
]
ACTIONS = [
    {
        "id": "a1",
        "title": "Öppna entrén",
        "owner": "Eva Lund",
        "due": "2027-03-01",
        "status": "planned",
        "statement": "s1",
    },
    {
        "id": "a2",
        "title": "Kurser i e-legitimation",
        "owner": "Omar Said",
        "due": "",
        "status": "ongoing",
        "statement": "s2",
    },
    {
        "id": "a3",
        "title": "Nya soffor",
        "owner": "Kim",
        "due": "2026-11-30",
        "status": "done",
        "statement": None,
    },
]


class Api:
    def __init__(self, server: InProcessServer, key: str) -> None:
        self.server, self.headers = server, {"Authorization": f"Bearer {key}"}

    async def call(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.server.url, headers=self.headers) as c:
            response = await c.request(method, path, **kw)
        assert response.status_code == status, response.text
        return response.json() if "json" in response.headers.get("content-type", "") else response


@asynccontextmanager
async def _peer(server: InProcessServer, board_id: str, secret: str) -> AsyncIterator[YClient]:
    async with YClient(f"{server.ws_url}/ws/{board_id}?token={secret}") as client:
        await client.wait_for(client.synced.is_set)
        yield client


def _sections(client: YClient) -> dict[str, str]:
    """status -> section id."""
    return {
        str(s.get("plan")): sid
        for sid, s in schema.sections_map(client.doc).items()
        if s.get("plan")
    }


def _cards(client: YClient) -> dict[str, dict[str, Any]]:
    """action id -> what the card shows and where it lies (status of its section)."""
    statuses = {sid: status for status, sid in _sections(client).items()}
    out = {}
    for nid, note in schema.notes_map(client.doc).items():
        if note.get("action"):
            out[str(note["action"])] = {
                "note": nid,
                "title": str(note["text"]),
                "owner": note.get("owner"),
                "due": note.get("due"),
                "statement": note.get("statement"),
                "status": statuses.get(str(note.get("section"))),
            }
    return out


async def _actions(api: Api, board_id: str) -> dict[str, dict[str, Any]]:
    view = await api.call("GET", f"/api/boards/{board_id}/vision")
    return {a["id"]: a for a in view["vision"]["actions"]}


async def _wait_actions(api: Api, board_id: str, ok: Any, tries: int = 100) -> dict[str, Any]:
    """Poll the målbild until `ok(actions)`; bounded (the write-back settles in ~0.15 s)."""
    import asyncio

    actions: dict[str, Any] = {}
    for _ in range(tries):
        actions = await _actions(api, board_id)
        if ok(actions):
            return actions
        await asyncio.sleep(0.05)
    raise AssertionError(f"the målbild never got there: {actions}")


@pytest.fixture
async def plan(app_server: InProcessServer) -> dict[str, Any]:
    """A board from the malbild-plan template with a målbild of 2 statements and 3 actions."""
    board = await create_board(app_server.url, "Planen", template="malbild-plan")
    api = Api(app_server, board["facilitator_key"])
    created = await api.call("POST", f"/api/boards/{board['id']}/vision", 201, json={})
    vision = {**created["vision"], "statements": STATEMENTS, "actions": ACTIONS}
    await api.call(
        "PUT", f"/api/boards/{board['id']}/vision", json={"rev": created["rev"], "vision": vision}
    )
    return {"board": board, "api": api}


async def test_saving_the_vision_makes_a_card_per_action_in_its_status_section(
    app_server: InProcessServer, plan: dict[str, Any]
) -> None:
    board = plan["board"]
    async with _peer(app_server, board["id"], board["facilitator_key"]) as fac:
        await fac.wait_for(lambda: len(_cards(fac)) == 3)
        sections = schema.sections_map(fac.doc)
        titles = {status: str(sections[sid]["title"]) for status, sid in _sections(fac).items()}
        assert titles == {"planned": "Planerad", "ongoing": "Pågår", "done": "Klar"}
        cards = _cards(fac)
        assert {aid: c["status"] for aid, c in cards.items()} == {
            "a1": "planned",
            "a2": "ongoing",
            "a3": "done",
        }
        assert cards["a1"]["title"] == "Öppna entrén"
        assert (cards["a1"]["owner"], cards["a1"]["due"]) == ("Eva Lund", "2027-03-01")
        assert cards["a1"]["statement"] == "Biblioteket är en mötesplats"
        assert cards["a3"]["statement"] == ""
        # Each card lies inside its section's box.
        for aid, card in cards.items():
            note = schema.notes_map(fac.doc)[card["note"]]
            box = sections[_sections(fac)[card["status"]]]
            assert box["x"] <= note["x"] <= box["x"] + box["w"] - schema.NOTE_W, aid
            assert box["y"] <= note["y"] <= box["y"] + box["h"] - schema.NOTE_H, aid


async def test_moving_a_card_and_editing_its_owner_on_the_board_change_the_plan(
    app_server: InProcessServer, plan: dict[str, Any]
) -> None:
    board, api = plan["board"], plan["api"]
    async with _peer(app_server, board["id"], board["facilitator_key"]) as fac:
        await fac.wait_for(lambda: len(_cards(fac)) == 3)
        target = _sections(fac)["ongoing"]
        box = schema.sections_map(fac.doc)[target]
        note = schema.notes_map(fac.doc)[_cards(fac)["a1"]["note"]]
        with fac.doc.transaction():
            note["x"], note["y"], note["section"] = box["x"] + 40.0, box["y"] + 200.0, target
        actions = await _wait_actions(api, board["id"], lambda a: a["a1"]["status"] == "ongoing")
        assert actions["a1"]["title"] == "Öppna entrén"  # the rest of it unchanged
        assert actions["a2"]["status"] == "ongoing" and actions["a3"]["status"] == "done"

        schema.notes_map(fac.doc)[_cards(fac)["a2"]["note"]]["owner"] = "Lina Berg"
        await _wait_actions(api, board["id"], lambda a: a["a2"]["owner"] == "Lina Berg")
        response = await api.call("GET", f"/b/{board['id']}/vision/plan.csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        by_title = {row[0]: row for row in rows[1:]}
        assert by_title["Kurser i e-legitimation"][1] == "Lina Berg"
        assert by_title["Öppna entrén"][1] == "Eva Lund"

        # A title edited on the board is the action's title.
        text = schema.notes_map(fac.doc)[_cards(fac)["a3"]["note"]]["text"]
        assert isinstance(text, Text)
        text += " i entrén"
        await _wait_actions(api, board["id"], lambda a: a["a3"]["title"] == "Nya soffor i entrén")

        # A date the målbild cannot take is put right on the board, and saves nothing.
        schema.notes_map(fac.doc)[_cards(fac)["a1"]["note"]]["due"] = "i morgon"
        await fac.wait_for(lambda: _cards(fac)["a1"]["due"] == "2027-03-01")
        assert (await _actions(api, board["id"]))["a1"]["due"] == "2027-03-01"


async def test_a_facilitators_new_card_in_a_status_section_becomes_an_action(
    app_server: InProcessServer, plan: dict[str, Any]
) -> None:
    board, api = plan["board"], plan["api"]
    async with _peer(app_server, board["id"], board["facilitator_key"]) as fac:
        await fac.wait_for(lambda: len(_cards(fac)) == 3)
        done = _sections(fac)["done"]
        box = schema.sections_map(fac.doc)[done]
        schema.notes_map(fac.doc)["fresh"] = Map(
            {
                "text": Text("Skylta om hyllorna"),
                "x": box["x"] + 30.0,
                "y": box["y"] + 400.0,
                "section": done,
                "cluster": None,
                "author": "Facilitator",
            }
        )
        actions = await _wait_actions(api, board["id"], lambda a: len(a) == 4)
        new = next(a for aid, a in actions.items() if aid not in {"a1", "a2", "a3"})
        assert (new["title"], new["status"], new["owner"]) == ("Skylta om hyllorna", "done", "")
        # The note is now that action's card, and stays one card.
        await fac.wait_for(lambda: _cards(fac).get(new["id"], {}).get("note") == "fresh")
        assert len(_cards(fac)) == 4


async def test_saving_the_vision_page_moves_and_removes_cards(
    app_server: InProcessServer, plan: dict[str, Any]
) -> None:
    board, api = plan["board"], plan["api"]
    async with _peer(app_server, board["id"], board["facilitator_key"]) as fac:
        await fac.wait_for(lambda: len(_cards(fac)) == 3)
        view = await api.call("GET", f"/api/boards/{board['id']}/vision")
        actions = [dict(a) for a in view["vision"]["actions"] if a["id"] != "a3"]
        actions[0]["status"] = "done"
        vision = {**view["vision"], "actions": actions}
        await api.call(
            "PUT", f"/api/boards/{board['id']}/vision", json={"rev": view["rev"], "vision": vision}
        )
        await fac.wait_for(lambda: set(_cards(fac)) == {"a1", "a2"})
        await fac.wait_for(lambda: _cards(fac)["a1"]["status"] == "done")

        # The facilitator deletes a card on the board: its action leaves the plan.
        del schema.notes_map(fac.doc)[_cards(fac)["a2"]["note"]]
        actions = await _wait_actions(api, board["id"], lambda a: "a2" not in a)
        assert list(actions) == ["a1"]


def _refusals(client: YClient) -> list[str]:
    return [
        m.denied_reason or ""
        for m in map(protocol.decode, client.received)
        if isinstance(m, protocol.Auth)
    ]


async def test_a_participant_cannot_move_or_edit_cards_where_the_phase_forbids_it(
    app_server: InProcessServer, plan: dict[str, Any]
) -> None:
    board, api = plan["board"], plan["api"]
    bea = await join_board(app_server.url, board, "Bea")
    await set_phase(app_server.url, board, "brainstorm")  # nobody moves others' notes
    async with _peer(app_server, board["id"], bea["token"]) as b:
        await b.wait_for(lambda: len(_cards(b)) == 3)
        done = _sections(b)["done"]
        card = schema.notes_map(b.doc)[_cards(b)["a1"]["note"]]
        with b.doc.transaction():
            card["section"] = done
        await b.wait_for(lambda: any(r.startswith("not_allowed") for r in _refusals(b)))
        await b.wait_for(lambda: _cards(b)["a1"]["status"] == "planned")
        card["owner"] = "Bea"
        await b.wait_for(lambda: len(_refusals(b)) >= 2)
        await b.wait_for(lambda: _cards(b)["a1"]["owner"] == "Eva Lund")
    actions = await _actions(api, board["id"])
    assert (actions["a1"]["status"], actions["a1"]["owner"]) == ("planned", "Eva Lund")

    # In the discuss phase participants move everyone's notes: that move counts.
    await set_phase(app_server.url, board, "discuss")
    async with _peer(app_server, board["id"], bea["token"]) as b:
        await b.wait_for(lambda: len(_cards(b)) == 3)
        planned = _sections(b)["planned"]
        box = schema.sections_map(b.doc)[planned]
        # Her own note in a status section stays her note, not an action.
        schema.notes_map(b.doc)["bea1"] = Map(
            {
                "text": Text("Fler soffor"),
                "x": box["x"] + 30.0,
                "y": box["y"] + 500.0,
                "section": planned,
                "cluster": None,
                "author": "Bea",
            }
        )
        schema.notes_map(b.doc)[_cards(b)["a1"]["note"]]["section"] = _sections(b)["done"]
        actions = await _wait_actions(api, board["id"], lambda a: a["a1"]["status"] == "done")
        await b.wait_for(lambda: schema.notes_map(b.doc)["bea1"].get("author_id") is not None)
        assert len(actions) == 3 and len(_cards(b)) == 3
        assert "action" not in schema.notes_map(b.doc)["bea1"]


async def test_show_the_plan_on_any_board_of_the_vision(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url, "Workshop", language="en")
    api = Api(app_server, board["facilitator_key"])
    no_vision = await api.call("POST", f"/api/boards/{board['id']}/plan", 404, json={"show": True})
    assert no_vision["error"] == "vision_not_found"
    created = await api.call("POST", f"/api/boards/{board['id']}/vision", 201, json={})
    vision = {**created["vision"], "statements": STATEMENTS, "actions": ACTIONS[:2]}
    await api.call(
        "PUT", f"/api/boards/{board['id']}/vision", json={"rev": created["rev"], "vision": vision}
    )
    bad = await api.call("POST", f"/api/boards/{board['id']}/plan", 400, json={"show": "yes"})
    assert bad["error"] == "invalid_field"
    shown = await api.call("POST", f"/api/boards/{board['id']}/plan", json={"show": True})
    assert (shown["show"], shown["cards"], sorted(shown["sections"])) == (
        True,
        2,
        ["done", "ongoing", "planned"],
    )
    async with _peer(app_server, board["id"], board["facilitator_key"]) as fac:
        await fac.wait_for(lambda: len(_cards(fac)) == 2)
        sections = schema.sections_map(fac.doc)
        assert sorted(str(sections[sid]["title"]) for sid in _sections(fac).values()) == [
            "Done",
            "Ongoing",
            "Planned",
        ]
        hidden = await api.call("POST", f"/api/boards/{board['id']}/plan", json={"show": False})
        assert hidden["cards"] == 0
        await fac.wait_for(lambda: not _cards(fac) and not _sections(fac))
    assert len(await _actions(api, board["id"])) == 2  # the plan stays in the målbild
