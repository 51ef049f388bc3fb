"""A journey over real HTTP and websockets: knowledge import, the workshop and its 0.5,
two parallel staff boards, and the roll-up that keeps where every answer came from."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from server.settings import Settings
from tests.support.accounts import member_of
from tests.support.backends import BACKENDS, backend_settings
from tests.support.journey import answer, board_json, cluster_workshop, start
from tests.support.servers import InProcessServer

THEMES = {
    "Läsning för alla": ["Lättläst och talböcker", "Läsombud i hemtjänsten"],
    "Digital delaktighet": ["Hjälp med BankID", "Kurser för seniorer"],
}
MISSING = "Vad saknas?"
ADD = "Vad vill vi lägga till?"


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test of this module on SQLite and on PostgreSQL."""
    return backend_settings(request, tmp_path)


async def test_a_journey_from_knowledge_to_the_rolled_up_proposal(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    other = await member_of(app_server, "Grannbiblioteket", "cia@granne.se")
    made = await anna.client.post(
        "/api/journeys", json={"org": anna.org_id, "title": "Målbild 2027", "language": "sv"}
    )
    assert made.status_code == 201
    journey = made.json()
    jid = journey["id"]
    assert [s["status"] for s in journey["steps"]] == ["planned"] * 10
    assert (await other.client.get(f"/api/journeys/{jid}")).status_code == 403

    # Step 2: findings from interviews and statistics become notes on the knowledge board.
    findings = ["Intervju: unga vill ha kvällsöppet", "Statistik: e-lån +40 % på tre år"]
    (knowledge,) = await start(anna, jid, 2, lines=findings)
    assert sorted(n["text"] for n in (await board_json(anna, knowledge["id"]))["notes"]) == sorted(
        findings
    )

    # Step 3: the workshop starts with those findings, clusters, and takes Målbild 0.5.
    (workshop,) = await start(anna, jid, 3)
    seeded = [n["text"] for n in (await board_json(anna, workshop["id"]))["notes"]]
    assert sorted(seeded) == sorted(findings)
    await cluster_workshop(app_server, anna, workshop["id"], THEMES)
    checkpoint = await anna.client.post(
        f"/api/boards/{workshop['id']}/checkpoints", json={"name": "Målbild 0.5"}
    )
    assert checkpoint.status_code == 201

    # Steps 5: two staff boards at once, each with its own join code, themes from 0.5.
    staff = await start(anna, jid, 5, groups=["Barn och unga", "Filial Norr"])
    assert [b["group"] for b in staff] == ["Barn och unga", "Filial Norr"]
    assert staff[0]["join_code"] != staff[1]["join_code"]
    for board in staff:
        sections = [s["title"] for s in (await board_json(anna, board["id"]))["sections"]]
        # Themes come in rank order (votes, then title), each titled "<rank>. <theme>".
        assert [t.split(". ", 1)[-1] for t in sections] == sorted(THEMES)
    missing = await answer(
        app_server, anna, staff[0]["id"], "Läsning för alla", MISSING, "Poddar om böcker"
    )
    await answer(app_server, anna, staff[1]["id"], "Digital delaktighet", ADD, "Digitala fixare")
    # The children's group votes twice for what it found missing.
    for body in ({"name": "vote"},):
        assert (await anna.client.post(f"/api/boards/{staff[0]['id']}/phase", json=body)).is_success
    voting = {"open": True, "budget": 3, "target": "notes", "tallies_visible": True}
    assert (await anna.client.post(f"/api/boards/{staff[0]['id']}/voting", json=voting)).is_success
    for _ in range(2):
        vote = await anna.client.post(
            f"/api/boards/{staff[0]['id']}/votes", json={"target": missing, "delta": 1}
        )
        assert vote.status_code == 200, vote.text

    # Step 7: the roll-up, per theme one cluster per group, every note with its source.
    (proposal,) = await start(anna, jid, 7)
    rolled = await board_json(anna, proposal["id"])
    themes = [s["title"].split(". ", 1)[-1] for s in rolled["sections"]]
    assert themes == sorted(THEMES)
    clusters = rolled["clusters"]
    notes = rolled["notes"]

    def group_notes(theme: str, group: str) -> list[dict[str, object]]:
        sid = next(k["id"] for k in rolled["sections"] if k["title"].endswith(theme))
        cid = next(c["id"] for c in clusters if c["section"] == sid and c["title"] == group)
        return [n for n in notes if n["cluster"] == cid]

    (found,) = group_notes("Läsning för alla", "Barn och unga")
    assert found["text"] == f"{MISSING}: Poddar om böcker"
    assert found["source"] == {"board": staff[0]["id"], "group": "Barn och unga"}
    assert rolled["tallies"][found["id"]] == 2
    (silent,) = group_notes("Läsning för alla", "Filial Norr")
    assert silent["text"] == "Inget tillagt av Filial Norr."
    (added,) = group_notes("Digital delaktighet", "Filial Norr")
    assert added["text"] == f"{ADD}: Digitala fixare"
    assert added["source"] == {"board": staff[1]["id"], "group": "Filial Norr"}
    markdown = (await anna.client.get(f"/b/{proposal['id']}/export.md")).text
    assert "Barn och unga" in markdown and "Poddar om böcker" in markdown

    # Steps 8-10 carry the result on: the joint day copies the proposal, steps 9 and 10
    # list the themes beside the template's sections; step 1 has no board at all.
    (joint,) = await start(anna, jid, 8)
    joint_notes = {n["text"] for n in (await board_json(anna, joint["id"]))["notes"]}
    assert {n["text"] for n in notes} == joint_notes
    (effects,) = await start(anna, jid, 9)
    effects_board = await board_json(anna, effects["id"])
    assert [s["title"] for s in effects_board["sections"]] == [
        "Målbild 1.0",
        "Kommunikation",
        "Styrning",
        "Beslut",
    ]
    # The themes of 1.0 (the joint day's sections), in the first section.
    first = effects_board["sections"][0]["id"]
    assert sorted((n["text"], n["section"]) for n in effects_board["notes"]) == sorted(
        (s["title"], first) for s in rolled["sections"]
    )
    (guests,) = await start(anna, jid, 6)
    guest_sections = [s["title"] for s in (await board_json(anna, guests["id"]))["sections"]]
    assert guest_sections[0] == "Det här håller vi med om"
    refused = await anna.client.post(f"/api/journeys/{jid}/steps/1/start", json={})
    assert refused.status_code == 409
    planned = await anna.client.post(
        f"/api/journeys/{jid}/steps/1", json={"status": "done", "starts": "2026-09-01"}
    )
    assert planned.json()["steps"][0] | {"title": "", "summary": ""} == {
        "number": 1,
        "title": "",
        "summary": "",
        "kind": "none",
        "source": None,
        "status": "done",
        "starts": "2026-09-01",
        "ends": None,
        "participants": 0,
        "boards": [],
    }

    # The journey shows it all; the archive holds every board's documents.
    steps = (await anna.client.get(f"/api/journeys/{jid}")).json()["steps"]
    assert [len(s["boards"]) for s in steps] == [0, 1, 1, 0, 2, 1, 1, 1, 1, 0]
    statuses = ["done", "ongoing", "ongoing", "planned", "ongoing", "ongoing", "ongoing"]
    assert [s["status"] for s in steps][:7] == statuses
    assert steps[2]["boards"][0]["checkpoints"][0]["name"] == "Målbild 0.5"
    archive = await anna.client.get(f"/api/journeys/{jid}/archive.zip")
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "journey.json" in names
    assert sum(name.endswith(".docx") for name in names) == 8
    assert (await other.client.get(f"/api/journeys/{jid}/archive.zip")).status_code == 403
    for member in (anna, other):
        await member.client.aclose()
