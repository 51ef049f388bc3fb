"""Pure tests of bulk-note parsing and layout and of the continuation boards."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc

from boards import schema
from boards.bulk import (
    MAX_NOTE_CHARS,
    MAX_NOTES,
    BulkError,
    Rect,
    place_notes,
    texts_from_csv,
    texts_from_lines,
)
from boards.catalog import get_template
from boards.continuation import default_title, write_copy, write_deepening
from boards.export.json import MAX_ITEMS, apply_json, to_json
from boards.model import Board, board_from_doc
from tests.support.boards import workshop_doc

NOW = 1_700_000_000_000


def _workshop(language: str = "sv") -> tuple[Doc[Any], list[str]]:
    return workshop_doc("Stadsbiblioteket", language, NOW)


# -- parsing ------------------------------------------------------------------------------


def test_lines_skip_blanks_and_strip() -> None:
    assert texts_from_lines(["  Meröppet  ", "", "   ", "Läsfrämjande\t"]) == [
        "Meröppet",
        "Läsfrämjande",
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("a string", "lines: expected a list of strings, got str"),
        (["ok", 3], "lines[1]: expected a string, got int"),
        (["", "  "], "expected at least one non-empty note, got none"),
        (["x" * (MAX_NOTE_CHARS + 1)], f"expected at most {MAX_NOTE_CHARS} characters"),
        (["x"] * (MAX_NOTES + 1), f"expected at most {MAX_NOTES} notes"),
    ],
)
def test_lines_errors_say_what_was_expected(lines: object, message: str) -> None:
    with pytest.raises(BulkError, match=message.replace("[", r"\[").replace("]", r"\]")):
        texts_from_lines(lines)


def test_csv_first_column_without_header() -> None:
    text = "Fler studieplatser,intervju 3\nÖppet på söndagar,enkät\n"
    assert texts_from_csv(text) == ["Fler studieplatser", "Öppet på söndagar"]


def test_csv_swedish_semicolons_header_and_quoted_newlines() -> None:
    # Excel in Swedish writes ";" and a BOM; a header names the text column.
    text = '\ufeffKälla;Citat\r\nIntervju 1;"Jag vill låna\r\nen cykel"\r\nEnkät;"a;b"\r\n'
    assert texts_from_csv(text) == ["Jag vill låna\nen cykel", "a;b"]


def test_csv_explicit_header_flag() -> None:
    assert texts_from_csv("Rubrik\nEtt\nTvå\n", header=True) == ["Ett", "Två"]
    assert texts_from_csv("Text\nEtt\n", header=False) == ["Text", "Ett"]


def test_csv_refuses_non_text() -> None:
    with pytest.raises(BulkError, match="csv: expected the CSV file as a string, got list"):
        texts_from_csv(["a"])


# -- layout -------------------------------------------------------------------------------


def _rects(spots: list[tuple[float, float]]) -> list[Rect]:
    return [Rect(x, y, schema.NOTE_W, schema.NOTE_H) for x, y in spots]


def test_placed_notes_sit_inside_the_section_and_never_overlap() -> None:
    doc, sections = _workshop()
    sid = sections[1]
    schema.add_note(
        doc, text="där", x=2000, y=250, color="", author="", created_ms=NOW, section=sid
    )
    board = board_from_doc(doc)
    section = next(s for s in board.sections if s.id == sid)
    spots = place_notes(board, sid, 20)
    assert len(spots) == 20
    rects = _rects(spots)
    existing = Rect(2000, 250, schema.NOTE_W, schema.NOTE_H)
    for i, rect in enumerate(rects):
        assert section.x <= rect.x and rect.x + rect.w <= section.x + section.w
        assert rect.y >= section.y
        assert not rect.overlaps(existing)
        assert not any(rect.overlaps(other) for other in rects[i + 1 :])
    # Twenty notes in a 1200 px section fit in four rows: inside the section's height.
    assert max(r.y + r.h for r in rects) <= section.y + section.h


def test_free_space_is_below_everything() -> None:
    doc, _ = _workshop()
    board = board_from_doc(doc)
    bottom = max(s.y + s.h for s in board.sections)
    spots = place_notes(board, None, 3)
    assert all(y > bottom for _, y in spots)
    assert place_notes(board_from_doc(Doc()), None, 1) == [(0, 0)]


def test_unknown_section_is_refused() -> None:
    doc, _ = _workshop()
    with pytest.raises(BulkError, match="section: expected the id of a section"):
        place_notes(board_from_doc(doc), "nope", 1)


# -- continuation -------------------------------------------------------------------------


def _voted_board(*, anonymous: bool = False, language: str = "sv") -> Board:
    doc, sections = _workshop(language)
    low = schema.add_cluster(
        doc, title="Digital delaktighet", x=0, y=0, w=400, h=300, color="", section=sections[0]
    )
    top = schema.add_cluster(
        doc, title="Mötesplatsen", x=0, y=0, w=400, h=300, color="", section=sections[1]
    )
    empty = schema.add_cluster(doc, title="  ", x=0, y=0, w=1, h=1, color="")
    for i, (text, cluster) in enumerate(
        [("Kafé i entrén", top), ("Öppet\nsent", top), ("Kurser för seniorer", low)]
    ):
        schema.add_note(
            doc, text=text, x=0, y=0, color="", author=f"P{i}", created_ms=NOW + i, cluster=cluster
        )
    schema.add_note(doc, text="lös lapp", x=0, y=0, color="", author="Q", created_ms=NOW)
    return board_from_doc(
        doc, tallies={top: 4, low: 1, empty: 0}, anonymous=anonymous, participants=5
    )


def test_deepening_makes_a_section_per_cluster_in_rank_order() -> None:
    source = _voted_board()
    doc: Doc[Any] = Doc()
    write_deepening(doc, source, title="Fördjupning", created_ms=NOW)
    board = board_from_doc(doc)
    template = get_template("malbild-deepening")
    assert [s.title for s in board.sections] == [
        "1. Mötesplatsen",
        "2. Digital delaktighet",
        "Kluster utan namn",
    ]
    assert [s.prompt for s in board.sections] == [
        "4 röster i workshopen.",
        "1 röst i workshopen.",
        "0 röster i workshopen.",
    ]
    assert sorted(n.text for n in board.sections[0].notes) == ["Kafé i entrén", "Öppet\nsent"]
    assert [n.text for n in board.sections[1].notes] == ["Kurser för seniorer"]
    assert board.sections[2].notes == ()
    questions = sorted(s.localized("sv")["title"] for s in template.sections)
    assert all(sorted(c.title for c in s.clusters) == questions for s in board.sections)
    assert board.template == "malbild-deepening"
    assert board.title == "Fördjupning" and board.language == "sv"
    assert board.votes == 0
    # Sections are laid out in the grid, none on top of another.
    rects = [Rect(s.x, s.y, s.w, s.h) for s in board.sections]
    assert not any(a.overlaps(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


def test_deepening_in_english_uses_english_template_texts() -> None:
    doc: Doc[Any] = Doc()
    write_deepening(doc, _voted_board(language="en"), title="T", created_ms=NOW)
    sections = board_from_doc(doc).sections
    assert sections[2].title == "Untitled cluster"
    assert "What is missing?" in {c.title for c in sections[-1].clusters}


def test_deepening_needs_clusters() -> None:
    doc, _ = _workshop()
    with pytest.raises(ValueError, match="at least one cluster"):
        write_deepening(Doc(), board_from_doc(doc), title="T", created_ms=NOW)


def test_copy_keeps_content_and_drops_votes() -> None:
    source = _voted_board()
    doc: Doc[Any] = Doc()
    write_copy(doc, source, title="Kopia", created_ms=NOW + 5)
    copy = board_from_doc(doc)
    before, after = to_json(source, generated_ms=0), to_json(copy, generated_ms=0)
    for key in ("sections", "notes"):
        assert after[key] == before[key]
    assert {c["id"] for c in after["clusters"]} == {c["id"] for c in before["clusters"]}
    assert after["meta"] == {**before["meta"], "title": "Kopia", "created": NOW + 5}
    assert copy.votes == 0 and copy.checkpoints == ()
    assert {n.author for n in copy.notes} == {"P0", "P1", "P2", "Q"}


def test_copy_of_an_anonymous_board_names_no_one() -> None:
    doc: Doc[Any] = Doc()
    write_copy(doc, _voted_board(anonymous=True), title="Kopia", created_ms=NOW)
    notes = schema.notes_map(doc).to_py() or {}
    assert notes and {n["author"] for n in notes.values()} == {""}


def test_copy_carries_more_notes_than_an_imported_file_may_hold() -> None:
    # A board with no note quota can outgrow the import's item cap; its copy is not an
    # untrusted file and carries every note, where an import of the same data is refused.
    doc, _ = _workshop()
    with doc.transaction():
        for i in range(MAX_ITEMS + 1):
            schema.add_note(doc, text=f"n{i}", x=0, y=0, color="", author="", created_ms=NOW)
    source = board_from_doc(doc)
    copy: Doc[Any] = Doc()
    write_copy(copy, source, title="Kopia", created_ms=NOW)
    assert len(schema.notes_map(copy)) == MAX_ITEMS + 1
    with pytest.raises(ValueError, match=f"notes: expected at most {MAX_ITEMS} items"):
        apply_json(Doc(), to_json(source))


def test_default_titles() -> None:
    assert default_title(_voted_board(), "deepening") == "Stadsbiblioteket — fördjupning"
    assert default_title(_voted_board(language="en"), "copy") == "Stadsbiblioteket — copy"
