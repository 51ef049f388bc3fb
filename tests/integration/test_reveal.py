"""The reveal against a running server: where drafts land, and malformed entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import Map, Text

from boards.layout import SECTION_HEADER, Rect
from boards.schema import NOTE_H, NOTE_W
from tests.integration.test_facilitation import drafts_of, notes_of, post, socket
from tests.support.boards import create_board, join_board
from tests.support.servers import InProcessServer

pytestmark = pytest.mark.asyncio


def _sections(client: Any) -> dict[str, Rect]:
    return {
        sid: Rect(s["x"], s["y"], s["w"], s["h"])
        for sid, s in client.doc.get("sections", type=Map).items()
        if isinstance(s, Map)
    }


def _draft_count(session: Any) -> int:
    drafts = session.doc.get("drafts", type=Map).to_py() or {}
    return int(sum(d.get("count") or 0 for d in drafts.values()))


def _inside(inner: Rect, outer: Rect) -> bool:
    return (
        inner.x >= outer.x
        and inner.y >= outer.y
        and inner.right <= outer.right
        and inner.bottom <= outer.bottom
    )


async def test_sixty_drafts_land_in_their_sections_in_a_grid_overlapping_nothing(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Tjugo", template="malbild-workshop")
    key = board["facilitator_key"]
    people = [await join_board(app_server.url, board, f"Person {i}") for i in range(12)]
    async with (
        socket(app_server, board, key) as fac,
        socket(app_server, board, key, "/session") as session,
    ):
        await fac.wait_for(lambda: len(_sections(fac)) >= 4)
        sections = _sections(fac)
        by_order = sorted(sections, key=lambda sid: fac.doc.get("sections", type=Map)[sid]["order"])
        questions = by_order[:4]
        # Something already lies in the first section: the reveal goes below it.
        first = sections[questions[0]]
        fac.doc.get("notes", type=Map)["old"] = Map(
            {"text": Text("Fanns redan"), "x": first.x + 40, "y": first.y + SECTION_HEADER + 10}
        )
        for i, person in enumerate(people):
            async with socket(app_server, board, person["token"], "/drafts") as drafts:
                await drafts.wait_for(drafts.synced.is_set)
                for j in range(5):
                    drafts.doc.get("notes", type=Map)[f"p{i}n{j}"] = Map(
                        {
                            "text": Text(f"Tanke {j} från person {i}"),
                            "created": float(1000 * j + i),
                            "section": questions[(i + j) % 4],
                        }
                    )
                expected = 5 * (i + 1)
                await session.wait_for(lambda n=expected: _draft_count(session) == n)
        reply = await post(app_server, f"/api/boards/{board['id']}/reveal", key)
        assert reply.status_code == 200, reply.text
        assert (reply.json()["revealed"], reply.json()["skipped"]) == (60, [])
        await fac.wait_for(lambda: len(notes_of(fac)) == 61)
        notes = fac.doc.get("notes", type=Map)
        boxes = {nid: Rect(n["x"], n["y"], NOTE_W, NOTE_H) for nid, n in notes.items()}
        for i in range(12):
            for j in range(5):
                nid = f"p{i}n{j}"
                sid = questions[(i + j) % 4]
                assert notes[nid]["section"] == sid
                assert _inside(boxes[nid], sections[sid]), (nid, boxes[nid], sections[sid])
                # The section's title and question stay uncovered.
                assert boxes[nid].y >= sections[sid].y + SECTION_HEADER
        ids = sorted(boxes)
        overlaps = [
            (a, b) for k, a in enumerate(ids) for b in ids[k + 1 :] if boxes[a].overlaps(boxes[b])
        ]
        assert overlaps == []


@pytest.fixture
async def trasig(app_server: InProcessServer) -> dict[str, Any]:
    """A workshop board with one participant, Anna."""
    board = await create_board(app_server.url, "Trasig", template="malbild-workshop")
    return {"board": board, "anna": await join_board(app_server.url, board, "Anna")}


def _draft_as_string(drafts: Any) -> None:
    drafts.doc.get("notes", type=Map)["bad"] = "a string"


def _created_as_text(drafts: Any) -> None:
    drafts.doc.get("notes", type=Map)["bad"] = Map({"text": Text("igår"), "created": "yesterday"})


def _section_as_string(fac: Any) -> None:
    fac.doc.get("sections", type=Map)["zzz"] = "a string"


def _note_y_as_string(fac: Any) -> None:
    fac.doc.get("notes", type=Map)["zzz"] = Map({"text": Text("Trasig"), "x": 10.0, "y": "10"})


# Drafts are written by their participant; a section or a board note, only by the
# facilitator during the brainstorm (participants' notes go to their drafts then, and
# the server's write checks refuse their changes to sections).
@pytest.mark.parametrize(
    ("spoil", "writer", "owner", "entry"),
    [
        (_draft_as_string, "drafts", "anna", "bad"),
        (_created_as_text, "drafts", "anna", "bad"),
        (_section_as_string, "facilitator", "board", "zzz"),
        (_note_y_as_string, "facilitator", "board", "zzz"),
    ],
)
async def test_a_malformed_entry_is_skipped_and_reported(
    app_server: InProcessServer,
    trasig: dict[str, Any],
    spoil: Callable[[Any], None],
    writer: str,
    owner: str,
    entry: str,
) -> None:
    board, anna = trasig["board"], trasig["anna"]
    key = board["facilitator_key"]
    async with (
        drafts_of(app_server, trasig, "anna") as drafts,
        socket(app_server, board, anna["token"] if writer == "participant" else key) as spoiler,
        socket(app_server, board, key) as fac,
    ):
        await drafts.wait_for(drafts.synced.is_set)
        await spoiler.wait_for(spoiler.synced.is_set)
        if writer != "drafts":
            spoil(spoiler)
            await fac.wait_for(
                lambda: any(entry in fac.doc.get(root, type=Map) for root in ("sections", "notes"))
            )
        else:
            spoil(drafts)
        # A draft's own x, y are not used (the reveal lays drafts out), so a string y
        # in one is harmless.
        drafts.doc.get("notes", type=Map)["good"] = Map(
            {"text": Text("Hel"), "created": 1.0, "y": "inte ett tal"}
        )
        reply = await _reveal_when_sent(app_server, board, drafts)
        assert reply["revealed"] == 1
        expected_owner = anna["participant_id"] if owner == "anna" else "board"
        assert [(s["owner"], s["entry"]) for s in reply["skipped"]] == [(expected_owner, entry)]
        assert all(s["reason"] for s in reply["skipped"])
        await fac.wait_for(lambda: "good" in notes_of(fac))


async def _reveal_when_sent(
    app_server: InProcessServer, board: dict[str, Any], drafts: Any
) -> dict[str, Any]:
    """Reveal once the server has the drafts (its count in the session says so)."""
    key = board["facilitator_key"]
    async with socket(app_server, board, key, "/session") as session:
        # The malformed entry was written before the good one, in the same transaction
        # or an earlier one: once the good one is counted, both are on the server.
        await session.wait_for(lambda: _draft_count(session) == 1)
    reply = await post(app_server, f"/api/boards/{board['id']}/reveal", key)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


async def test_a_revealed_draft_edited_in_swedish_reads_the_same_on_the_board(
    app_server: InProcessServer, trasig: dict[str, Any]
) -> None:
    """After the reveal, Anna goes on writing her note in her list of drafts: the board
    gets her words exactly, å, ä and ö included (texts are indexed in UTF-8 bytes)."""
    board = trasig["board"]
    async with (
        drafts_of(app_server, trasig, "anna") as drafts,
        socket(app_server, board, board["facilitator_key"]) as fac,
    ):
        await drafts.wait_for(drafts.synced.is_set)
        drafts.doc.get("notes", type=Map)["n1"] = Map({"text": Text("Läscirklar"), "created": 1.0})
        assert (await _reveal_when_sent(app_server, board, drafts))["revealed"] == 1
        await fac.wait_for(lambda: "n1" in notes_of(fac))
        # The server marks the draft revealed; then Anna edits it, at the end and inside.
        mine = drafts.doc.get("notes", type=Map)
        await drafts.wait_for(lambda: bool(mine["n1"].get("revealed")))
        text = mine["n1"]["text"]
        text.insert(len(text), " för äldre")
        await fac.wait_for(lambda: notes_of(fac)["n1"] == "Läscirklar för äldre")
        text.insert(len("Läs".encode()), "-")
        await fac.wait_for(lambda: notes_of(fac)["n1"] == "Läs-cirklar för äldre")
