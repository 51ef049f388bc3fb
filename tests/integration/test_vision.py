"""The målbild through a real server: 0.5 from a workshop, a staff round, 1.0, the exports."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from docx import Document
from pycrdt import Text

from boards import schema
from tests.support.servers import InProcessServer
from tests.support.workshop import CLUSTERS, Workshop, run_workshop, ws_url
from tests.support.yjs import YClient

STATEMENTS = {
    CLUSTERS[0]: "Biblioteket är en mötesplats",
    CLUSTERS[1]: "Biblioteket hjälper alla digitalt",
    CLUSTERS[2]: "Biblioteket väcker läslust",
}
DROPPED = "Öppna data"
STAFF_NOTES = (
    "Mötesplats även för de som inte läser",
    "Läsning och digital kunskap hänger ihop",
    "Vi behöver lärande för vuxna",
)


class Api:
    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {key}"}

    async def call(self, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        response = await self.client.request(method, path, headers=headers, **kw)
        assert response.status_code == status, response.text
        return response.json() if "json" in response.headers.get("content-type", "") else response


@pytest.fixture
async def workshop(app_server: InProcessServer) -> Workshop:
    shop = await run_workshop(app_server)
    async with YClient(ws_url(app_server, shop.board, shop.key)) as facilitator:
        await facilitator.wait_for(lambda: len(schema.clusters_map(facilitator.doc)) == 3)
        clusters = schema.clusters_map(facilitator.doc)
        for title, text in STATEMENTS.items():
            statement = clusters[shop.clusters[title]][schema.STATEMENT]
            assert isinstance(statement, Text)
            statement += text
        shop.clusters[DROPPED] = schema.add_cluster(
            facilitator.doc,
            title=DROPPED,
            x=0,
            y=2000,
            w=400,
            h=300,
            color="#cfe6ff",
            statement="Biblioteket delar öppna data",
        )
        # A second client seeing them means the server has applied them.
        async with YClient(ws_url(app_server, shop.board, shop.key)) as check:
            await check.wait_for(lambda: len(schema.clusters_map(check.doc)) == 4)
    return shop


async def _staff_round(server: InProcessServer, board: dict[str, Any]) -> dict[str, str]:
    """Staff write three notes on the deepening board; text -> id."""
    ids = {}
    async with YClient(ws_url(server, board, board["facilitator_key"])) as staff:
        await staff.wait_for(lambda: len(schema.sections_map(staff.doc)) > 0)
        for n, text in enumerate(STAFF_NOTES):
            ids[text] = schema.add_note(
                staff.doc,
                text=text,
                x=20 + 200 * n,
                y=40,
                color=schema.DEFAULT_NOTE_COLOR,
                author="Personal",
                created_ms=1_800_000_000_000 + n,
            )
        async with YClient(ws_url(server, board, board["facilitator_key"])) as check:
            notes = schema.notes_map(check.doc)
            await check.wait_for(lambda: all(i in notes for i in ids.values()))
    return ids


async def test_a_journey_from_05_to_10(app_server: InProcessServer, workshop: Workshop) -> None:
    board_a = workshop.board["id"]
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        api = Api(client, workshop.key)
        made = await api.call(
            "POST", f"/api/boards/{board_a}/vision", 201, json={"library": "Stadsbiblioteket Norr"}
        )
        statements = {s["theme"]: s for s in made["vision"]["statements"]}
        # Seeded from the board: each cluster's statement, its notes as the sources.
        assert {t: s["text"] for t, s in statements.items() if t in STATEMENTS} == STATEMENTS
        first = statements[CLUSTERS[0]]
        assert first["sources"] == [
            {
                "board_id": board_a,
                "note_ids": [
                    workshop.notes["Kafé och soffor i entrén"],
                    workshop.notes["Öppet sent på fredagar"],
                ],
            }
        ] or sorted(first["sources"][0]["note_ids"]) == sorted(
            [workshop.notes["Kafé och soffor i entrén"], workshop.notes["Öppet sent på fredagar"]]
        )
        await api.call("POST", f"/api/boards/{board_a}/vision/versions", 201, json={"name": "0.5"})
        await api.call("POST", f"/api/boards/{board_a}/vision/versions", 409, json={"name": "0.5"})

        # The staff's deepening board shares the målbild.
        new = await api.call("POST", f"/api/boards/{board_a}/continue", 201, json={})
        board_b = new["id"]
        api_b = Api(client, new["facilitator_key"])
        shared = await api_b.call("GET", f"/api/boards/{board_b}/vision")
        assert shared["id"] == made["id"]
        assert [b["id"] for b in shared["boards"]] == [board_a, board_b]
        staff = await _staff_round(app_server, new)

        # The facilitator folds the staff round in: reword, merge, drop, add.
        doc = shared["vision"]
        by_theme = {s["theme"]: s for s in doc["statements"]}
        reworded = dict(by_theme[CLUSTERS[0]])
        reworded["text"] = "Biblioteket är en mötesplats för alla, även de som inte läser"
        reworded["sources"] = [
            *reworded["sources"],
            {"board_id": board_b, "note_ids": [staff[STAFF_NOTES[0]]]},
        ]
        merged = {
            "id": "merged1",
            "theme": "Läsning och digital delaktighet",
            "text": "Biblioteket stärker läsning och digital delaktighet",
            "merged_from": [by_theme[CLUSTERS[1]]["id"], by_theme[CLUSTERS[2]]["id"]],
            "sources": [{"board_id": board_b, "note_ids": [staff[STAFF_NOTES[1]]]}],
        }
        added = {
            "id": "added1",
            "theme": "Lärande",
            "text": "Biblioteket är en plats för livslångt lärande",
            "sources": [
                {"board_id": board_a, "note_ids": [workshop.notes["Kurser för seniorer"]]},
                {"board_id": board_b, "note_ids": [staff[STAFF_NOTES[2]]]},
            ],
            "steers": {
                "communication": "Vi berättar om kurserna",
                "governance": "",
                "decisions": "Kurser prioriteras i budgeten",
            },
        }
        doc["statements"] = [reworded, merged, added]
        doc["purpose"] = "Att ge biblioteket en gemensam riktning."
        doc["actions"] = [
            {
                "title": "Starta kurser för vuxna",
                "owner": "Eva Lund",
                "due": "2027-03-01",
                "status": "planned",
                "statement": "added1",
            },
            {
                "title": "Öppna entrén som mötesplats",
                "owner": "Omar Said",
                "due": "",
                "status": "ongoing",
                "statement": reworded["id"],
            },
        ]
        saved = await api_b.call(
            "PUT", f"/api/boards/{board_b}/vision", json={"rev": shared["rev"], "vision": doc}
        )
        # A save from the older rev is refused: nobody overwrites another's work unseen.
        await api.call(
            "PUT", f"/api/boards/{board_a}/vision", 409, json={"rev": shared["rev"], "vision": doc}
        )
        await api_b.call(
            "POST", f"/api/boards/{board_b}/vision/versions", 201, json={"name": "1.0"}
        )

        # Immutable: an edit after 1.0 changes the draft, never the version.
        doc_after = saved["vision"]
        doc_after["statements"][0]["text"] = "Ändrat efteråt"
        await api.call(
            "PUT", f"/api/boards/{board_a}/vision", json={"rev": saved["rev"], "vision": doc_after}
        )
        frozen = await api.call("GET", f"/api/boards/{board_a}/vision/versions/1.0")
        assert frozen["vision"]["statements"][0]["text"] == reworded["text"]
        old = await api.call("GET", f"/api/boards/{board_a}/vision/versions/0.5")
        assert len(old["vision"]["statements"]) == 4

        # The comparison finds exactly the changed statements, each with its notes.
        result = await api.call(
            "GET", f"/api/boards/{board_a}/vision/compare", params={"from": "0.5", "to": "1.0"}
        )
        kinds = {(c["kind"], c["statement"]) for c in result["changes"]}
        dropped_id = workshop.clusters[DROPPED]
        assert kinds == {
            ("reworded", reworded["id"]),
            ("merged", "merged1"),
            ("dropped", dropped_id),
            ("added", "added1"),
        }
        changes = {c["kind"]: c for c in result["changes"]}
        assert changes["merged"]["before"] == [STATEMENTS[CLUSTERS[1]], STATEMENTS[CLUSTERS[2]]]
        assert changes["reworded"]["text"].startswith(
            "Omformulerat: ”Biblioteket är en mötesplats”"
        )
        why = changes["reworded"]["sources"]
        assert [(s["board_id"], [n["text"] for n in s["notes"]]) for s in why] == [
            (board_b, [STAFF_NOTES[0]])
        ]
        across = changes["added"]["sources"]
        assert [
            (s["board_id"], s["board_title"], [n["text"] for n in s["notes"]]) for s in across
        ] == [
            (board_a, workshop.board["title"], ["Kurser för seniorer"]),
            (board_b, new["title"], [STAFF_NOTES[2]]),
        ]
        assert changes["dropped"]["sources"] == []

        # Exports of 1.0 read back with python-docx: statements, actions, owners.
        response = await api.call("GET", f"/b/{board_a}/vision.docx", params={"version": "1.0"})
        text = _docx_text(response.content)
        assert "Målbild 1.0" in text and "Stadsbiblioteket Norr" in text
        for statement in (reworded, merged, added):
            assert statement["text"] in text
        assert "Ändrat efteråt" not in text
        assert "Kurser prioriteras i budgeten" in text
        footer = Document(io.BytesIO(response.content)).sections[0].footer._element.xml
        assert "PAGE" in footer and "Stadsbiblioteket Norr" in footer
        plan = await api.call("GET", f"/b/{board_a}/vision/plan.docx", params={"version": "1.0"})
        plan_text = _docx_text(plan.content)
        for needle in ("Starta kurser för vuxna", "Eva Lund", "Omar Said", "2027-03-01", "Pågår"):
            assert needle in plan_text
        plan_csv = await api.call("GET", f"/b/{board_a}/vision/plan.csv", params={"version": "1.0"})
        assert plan_csv.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(plan_csv.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Åtgärd", "Ansvarig", "Datum"]
        assert rows[1][:2] == ["Starta kurser för vuxna", "Eva Lund"]
        english = await api.call(
            "GET", f"/b/{board_a}/vision.docx", params={"version": "1.0", "lang": "en"}
        )
        assert "Vision 1.0" in _docx_text(english.content)
        assert "Declarations of intent" not in _docx_text(english.content)  # empty: left out
        html = await api.call(
            "GET", f"/b/{board_a}/vision/compare.html", params={"from": "0.5", "to": "1.0"}
        )
        assert "Sammanslaget" in html.text and STAFF_NOTES[1] in html.text

        printed = await api.call("GET", f"/b/{board_a}/vision.html", params={"version": "1.0"})
        assert "<h1>Målbild 1.0</h1>" in printed.text and merged["text"] in printed.text
        assert "Kurser prioriteras i budgeten" in printed.text

        # JSON exports and imports back losslessly onto another board.
        exported = await api.call("GET", f"/b/{board_a}/vision.json")
        other = await api.call("POST", "/api/boards", 201, json={"title": "Ny resa"})
        api_c = Api(client, other["facilitator_key"])
        await api_c.call(
            "POST",
            f"/api/boards/{other['id']}/vision/import",
            201,
            content=json.dumps(exported).encode(),
            # Bodies are JSON by declaration only (a form or text/plain body is refused).
            headers={"content-type": "application/json"},
        )
        again = await api_c.call("GET", f"/b/{other['id']}/vision.json")
        assert again["vision"] == exported["vision"]
        assert again["versions"] == exported["versions"]


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


async def test_a_comment_round_without_accounts(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    board = workshop.board["id"]
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        api = Api(client, workshop.key)
        made = await api.call("POST", f"/api/boards/{board}/vision", 201, json={})
        sid = made["vision"]["statements"][0]["id"]
        link = await api.call("POST", f"/api/boards/{board}/vision/comments", 201)
        token = link["token"]
        assert link["url"].endswith(f"/c/{token}")
        guest = httpx.AsyncClient(base_url=app_server.url, timeout=30)
        async with guest:
            page = await guest.get(f"/c/{token}")
            assert page.status_code == 200 and STATEMENTS[CLUSTERS[0]] in page.text
            for kind, comment in (("agree", ""), ("agree", ""), ("unclear", "Vad betyder det?")):
                response = await guest.post(
                    f"/api/comments/{token}",
                    json={"statement": sid, "kind": kind, "comment": comment, "name": "Gäst"},
                )
                assert response.status_code == 201, response.text
            form = await guest.post(
                f"/c/{token}", data={"statement": sid, "kind": "add", "comment": "Även barn"}
            )
            assert form.status_code == 303
            thanks = await guest.get(form.headers["location"])
            assert "Tack! Din reaktion är sparad." in thanks.text
            refused = await guest.post(
                f"/api/comments/{token}", json={"statement": sid, "kind": "add"}
            )
            assert refused.status_code == 400
            assert (await guest.get(f"/api/boards/{board}/vision/reactions")).status_code == 401
        summary = await api.call("GET", f"/api/boards/{board}/vision/reactions")
        assert {k: summary[sid][k] for k in ("agree", "add", "unclear")} == {
            "agree": 2,
            "add": 1,
            "unclear": 1,
        }
        assert [c["comment"] for c in summary[sid]["comments"]] == ["Vad betyder det?", "Även barn"]
        # A new link replaces the old one.
        await api.call("POST", f"/api/boards/{board}/vision/comments", 201)
        gone = await client.get(f"/api/comments/{token}")
        assert gone.status_code == 404
