"""The plan's cards on a board doc, without a server: what `write_cards` lays out and what
`board_edits` reads back, above all that a card the server has not brought up to date yet
never undoes a newer save of the målbild."""

from __future__ import annotations

import copy
from typing import Any

from pycrdt import Doc, Map, Text

from boards import schema
from boards.vision import normalize
from server.services.plan_board import board_edits, plan_sections, read_cards, write_cards


def _board() -> Doc[Any]:
    doc: Doc[Any] = Doc()
    with doc.transaction():
        for order, status in enumerate(("planned", "ongoing", "done")):
            x, y, w, h = schema.section_position(order)
            sid = schema.add_section(
                doc, title=status, prompt="", x=x, y=y, w=w, h=h, order=order, section_id=status
            )
            schema.sections_map(doc)[sid]["plan"] = status
    return doc


def _plan() -> dict[str, Any]:
    return normalize(
        {
            "statements": [{"id": "s1", "theme": "Mötesplats", "text": "En mötesplats"}],
            "actions": [
                {
                    "id": "a1",
                    "title": "Öppna entrén",
                    "owner": "Eva",
                    "status": "planned",
                    "statement": "s1",
                },
                {"id": "a2", "title": "Kurser", "owner": "Omar", "status": "ongoing"},
            ],
        }
    )


def test_cards_land_in_their_sections_and_a_stale_card_undoes_no_newer_save() -> None:
    doc, baseline, data = _board(), {}, _plan()
    with doc.transaction():
        assert write_cards(doc, data, baseline)
    cards, new = read_cards(doc)
    assert new == []
    assert {aid: c.status for aid, c in cards.items()} == {"a1": "planned", "a2": "ongoing"}
    assert schema.notes_map(doc)[cards["a1"].note_id]["statement"] == "En mötesplats"
    with doc.transaction():
        assert not write_cards(doc, data, baseline)  # in step: nothing to write

    # The målbild page saves a new owner for a2; before the board hears of it, a1 is
    # moved on the board. Reading the board back moves a1 and keeps a2's new owner.
    newer = copy.deepcopy(data)
    newer["actions"][1]["owner"] = "Lina"
    schema.notes_map(doc)[cards["a1"].note_id]["section"] = plan_sections(doc)["done"]
    edits = board_edits(doc, baseline, newer)
    assert (edits.changed, edits.made, edits.removed, edits.stray) == (True, [], [], False)
    assert [(a["id"], a["status"], a["owner"]) for a in newer["actions"]] == [
        ("a1", "done", "Eva"),
        ("a2", "ongoing", "Lina"),
    ]


def test_a_bad_date_or_a_card_off_the_sections_is_put_right_not_saved() -> None:
    doc, baseline, data = _board(), {}, _plan()
    with doc.transaction():
        write_cards(doc, data, baseline)
    cards, _ = read_cards(doc)
    notes = schema.notes_map(doc)
    notes[cards["a1"].note_id]["due"] = "i morgon"
    notes[cards["a2"].note_id]["section"] = None
    edits = board_edits(doc, baseline, data)
    assert (edits.changed, edits.stray) == (False, True)
    with doc.transaction():
        assert write_cards(doc, data, baseline)
    cards, _ = read_cards(doc)
    assert notes[cards["a1"].note_id]["due"] == ""
    assert cards["a2"].status == "ongoing"


def test_a_facilitators_note_with_text_in_a_status_section_is_a_new_action() -> None:
    doc, baseline, data = _board(), {}, _plan()
    notes = schema.notes_map(doc)
    with doc.transaction():
        write_cards(doc, data, baseline)
        notes["mine"] = Map({"text": Text("Skylta om"), "section": "ongoing", "x": 0, "y": 0})
        notes["empty"] = Map({"text": Text(" "), "section": "ongoing", "x": 0, "y": 0})
        notes["theirs"] = Map(
            {"text": Text("Min idé"), "section": "ongoing", "author_id": "p1", "x": 0, "y": 0}
        )
    edits = board_edits(doc, baseline, data)
    assert edits.changed and [nid for nid, _ in edits.made] == ["mine"]
    assert data["actions"][-1]["title"] == "Skylta om"
    assert data["actions"][-1]["status"] == "ongoing"


def test_a_deleted_card_removes_its_action_and_an_action_never_shown_stays() -> None:
    doc, baseline, data = _board(), {}, _plan()
    with doc.transaction():
        write_cards(doc, data, baseline)
    cards, _ = read_cards(doc)
    del schema.notes_map(doc)[cards["a2"].note_id]
    # a3 was added on the målbild page and has not reached this board yet.
    data["actions"].append({**data["actions"][0], "id": "a3", "title": "Ny"})
    edits = board_edits(doc, baseline, data)
    assert (edits.changed, edits.removed) == (True, ["a2"])
    assert [a["id"] for a in data["actions"]] == ["a1", "a3"]


def test_a_deleted_status_section_comes_back_with_its_cards() -> None:
    doc, baseline, data = _board(), {}, _plan()
    schema.meta_map(doc)["language"] = "sv"
    with doc.transaction():
        write_cards(doc, data, baseline)
    del schema.sections_map(doc)["ongoing"]
    edits = board_edits(doc, baseline, data)
    assert (edits.changed, edits.stray) == (False, True)  # a2 lies in no status section
    with doc.transaction():
        assert write_cards(doc, data, baseline)
    sections = plan_sections(doc)
    assert str(schema.sections_map(doc)[sections["ongoing"]]["title"]) == "Pågår"
    cards, _ = read_cards(doc)
    assert {aid: c.status for aid, c in cards.items()} == {"a1": "planned", "a2": "ongoing"}
