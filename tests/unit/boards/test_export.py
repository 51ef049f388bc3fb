"""The Målbild 0.5 read model and its writers, on boards built in code."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import docx
import pytest
from pycrdt import Doc, Map

from boards import schema
from boards.catalog import get_template
from boards.export import FORMATS, render
from boards.export.csv import to_csv
from boards.export.docx import to_docx
from boards.export.html import to_html
from boards.export.json import apply_json, board_from_json, to_json
from boards.export.markdown import to_markdown
from boards.export.svg import to_svg, wrap
from boards.model import Board, CheckpointInfo, board_from_doc
from tests.support.boards import workshop_doc

NOW = 1_700_000_000_000
HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** _em_ [link](javascript:alert(1)) `code` # not a heading",
    '=HYPERLINK("http://evil.example","klicka")',
    "Superkalifragilistiskexpialidocious" * 5,
    "Fler språk 📚🎉👩🏽‍💻",
    "مكتبة رقمية للجميع",
    "a & b < c > d \" e ' f",
]


@dataclass
class Built:
    doc: Doc[Any]
    sections: list[str]  # template order
    ids: dict[str, str]


def _build(language: str = "sv") -> Built:
    doc, sections = workshop_doc("Stadsbiblioteket <Norr>", language, NOW)
    ids: dict[str, str] = {}
    s0, s1 = sections[0], sections[1]
    ids["c_low"] = schema.add_cluster(
        doc, title="Zebra", x=0, y=100, w=400, h=300, color="#cfe6ff", section=s0
    )
    ids["c_tie_b"] = schema.add_cluster(
        doc, title="Bokbussar", x=500, y=100, w=400, h=300, color="#cdf0d2", section=s0
    )
    ids["c_tie_a"] = schema.add_cluster(
        doc, title="Appar", x=0, y=500, w=400, h=300, color="#ffd1e3", section=s1
    )
    ids["c_top"] = schema.add_cluster(
        doc, title="Mötesplats", x=1500, y=100, w=400, h=300, color="#ffd8a8", section=s1
    )
    ids["c_other"] = schema.add_cluster(
        doc, title="Utanför", x=5000, y=0, w=300, h=200, color="#e5d9ff"
    )

    def note(key: str, text: str, author: str, **kw: Any) -> None:
        ids[key] = schema.add_note(
            doc,
            text=text,
            x=kw.pop("x", 10),
            y=kw.pop("y", 10),
            color="#fff3a6",
            author=author,
            created_ms=NOW + len(ids),
            **kw,
        )

    note("n_top1", "Öppet dygnet runt", "Ada", cluster=ids["c_top"])
    note("n_top2", "Kafé", "Bo", cluster=ids["c_top"])
    note("n_tie_a", "Lånekort i mobilen", "Cy", cluster=ids["c_tie_a"])
    note("n_tie_b", "Fler bussar", "Di", cluster=ids["c_tie_b"])
    note("n_low", "Randig", "Ed", cluster=ids["c_low"])
    note("n_loose_s0", "Ingen grupp än", "Fa", section=s0)
    note("n_loose", "Helt fri", "Gunnel")
    note("n_other", "I en fri grupp", "Ha", cluster=ids["c_other"])
    for i, text in enumerate(HOSTILE):
        note(f"h{i}", text, f"Person <{i}>", section=sections[5], x=20 * i)
    return Built(doc, sections, ids)


TALLIES_KEYS = {"c_top": 5, "n_top2": 2, "c_tie_a": 3, "c_tie_b": 3, "c_low": 1}


def _board(built: Built, *, anonymous: bool = False) -> Board:
    tallies = {built.ids[k]: v for k, v in TALLIES_KEYS.items()}
    tallies["ghost"] = 9  # a tally for something deleted counts nowhere
    return board_from_doc(
        built.doc,
        tallies=tallies,
        anonymous=anonymous,
        participants=4,
        checkpoints=[
            CheckpointInfo("k2", "Dag 2 klar", NOW + 86_400_000),
            CheckpointInfo("k1", "Dag 1 <klar>", NOW + 3_600_000),
        ],
    )


@pytest.fixture
def built() -> Built:
    return _build()


@pytest.fixture
def board(built: Built) -> Board:
    return _board(built)


# ---------------------------------------------------------------------------- the model


def test_clusters_rank_by_votes_then_title(board: Board) -> None:
    # Mötesplats: 5 on the cluster + 2 on a note; Appar and Bokbussar tie on 3 -> by title.
    assert [(c.title, c.votes) for c in board.clusters] == [
        ("Mötesplats", 7),
        ("Appar", 3),
        ("Bokbussar", 3),
        ("Zebra", 1),
        ("Utanför", 0),
    ]
    top = board.clusters[0]
    assert [n.text for n in top.notes] == ["Kafé", "Öppet dygnet runt"]  # voted note first
    assert board.votes == 14  # the ghost tally is not counted
    assert "ghost" not in board.tallies


def test_equal_votes_rank_in_swedish_alphabetical_order(built: Built) -> None:
    for title in ("Öppenhet", "Ärlighet", "Åtkomst", "zon", "Äventyr", "Éco"):
        schema.add_cluster(built.doc, title=title, x=0, y=0, w=1, h=1, color="")
    unvoted = [c.title for c in _board(built).clusters if c.votes == 0]
    assert unvoted == ["Éco", "Utanför", "zon", "Åtkomst", "Ärlighet", "Äventyr", "Öppenhet"]


def test_sections_follow_template_order_with_unclustered_notes_last(
    built: Built, board: Board
) -> None:
    assert [s.id for s in board.sections] == built.sections
    first = board.sections[0]
    assert [c.title for c in first.clusters] == ["Bokbussar", "Zebra"]
    assert [n.text for n in first.notes] == ["Ingen grupp än"]
    assert [c.title for c in board.other_clusters] == ["Utanför"]
    assert [n.text for n in board.other_notes] == ["Helt fri"]
    assert board.participants == 4 + 12  # every author took part, even if not counted


def test_model_tolerates_what_clients_may_write(built: Built) -> None:
    notes = schema.notes_map(built.doc)
    # Garbage a buggy or hostile client could write: wrong types, dangling references.
    notes["bad"] = Map({"text": 42, "x": "far", "cluster": "gone", "section": 7, "created": None})
    notes["ctl"] = Map({"text": "a\x00b\x07c\ttab", "x": float("nan"), "y": 1e308})
    notes["junk"] = "not a map"
    board = _board(built)
    by_id = {n.id: n for n in board.notes}
    assert by_id["bad"].text == "" and by_id["bad"].x == 0
    assert by_id["bad"].cluster is None and by_id["bad"].section is None
    assert by_id["ctl"].text == "abc\ttab" and by_id["ctl"].x == 0
    assert "junk" not in by_id
    for fmt in FORMATS:
        render(board, fmt, generated_ms=NOW)  # nothing of it breaks a writer


def test_ordering_is_deterministic(built: Built) -> None:
    # A replica receives the same content in another internal order; exports must not care.
    first = _board(built)
    copy: Doc[Any] = Doc()
    copy.apply_update(built.doc.get_update())
    second = _board(Built(copy, built.sections, built.ids))
    for fmt in ("md", "html", "csv", "svg", "json"):
        assert (
            render(first, fmt, generated_ms=NOW).content
            == render(second, fmt, generated_ms=NOW).content
        )


# -------------------------------------------------------------------------- the writers


def _positions(text: str, needles: list[str]) -> list[int]:
    found = [text.find(n) for n in needles]
    assert -1 not in found, dict(zip(needles, found, strict=True))
    return found


def test_markdown_outline(board: Board) -> None:
    md = to_markdown(board, generated_ms=NOW)
    assert md.startswith("# Målbild 0.5 — Stadsbiblioteket \\<Norr\\>\n")
    assert "Datum: 2023-11-14" in md
    assert "16 deltagare skrev 16 lappar, samlade dem i 5 kluster och lade 14 röster." in md
    vision = md[md.index("## Förslag till målbild") : md.index("## Lappar utan kluster")]
    assert "### 1. Mötesplats (7 röster)" in vision
    ranked = _positions(
        vision,
        [
            "### 1. Mötesplats",
            "### 2. Appar",
            "### 2. Bokbussar",
            "### 4. Zebra (1 röst)",
            "### Utanför (0 röster)",
        ],
    )
    assert ranked == sorted(ranked)
    rest = md[md.index("## Lappar utan kluster") :]
    order = _positions(
        rest,
        [
            "### Det digitala samhället",
            "- Ingen grupp än",
            "### Övrigt",
            "- Helt fri",
            "## Nästa steg",
            "## Kontrollpunkter",
            "- Dag 1 \\<klar\\> — 2023-11-15 00:13",
            "- Dag 2 klar",
        ],
    )
    assert order == sorted(order)


def _md_unescape(line: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", line)


def test_markdown_escapes_hostile_text(board: Board) -> None:
    md = to_markdown(board, generated_ms=NOW)
    assert not re.search(r"(?<!\\)[<>]", md.split("\n", 1)[1])  # every < and > escaped
    assert "**bold**" not in md
    assert not re.search(r"(?<!\\)\]\(", md)  # no link syntax survives
    items = {
        _md_unescape(line[2:].rsplit(" — ", 1)[0])
        for line in md.splitlines()
        if line.startswith("- ")
    }
    for text in HOSTILE:
        assert text in items


def test_markdown_keeps_multiline_notes_in_their_list_item(built: Built) -> None:
    schema.add_note(
        built.doc, text="1. ett\n# två\n\n- tre", x=0, y=0, color="", author="Iv", created_ms=NOW
    )
    md = to_markdown(_board(built), generated_ms=NOW)
    assert "- 1\\. ett\\\n  \\# två\\\n  \\- tre\n" in md


class _TextAndTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_print_ready_and_escapes_everything(board: Board) -> None:
    page = to_html(board, generated_ms=NOW)
    assert "@page" in page and "size: A4" in page
    parsed = _TextAndTags()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [name for name, _ in parsed.attrs if name.startswith("on")]
    text = "".join(parsed.text)
    assert "Målbild 0.5 — Stadsbiblioteket <Norr>" in text
    for hostile in HOSTILE:
        assert hostile in text
    ranked = _positions(text, ["Mötesplats", "Appar", "Bokbussar", "Zebra", "Utanför"])
    assert ranked == sorted(ranked)
    assert "Dag 1 <klar>" in text and "Person <3>" not in text
    signed = _TextAndTags()
    signed.feed(to_html(board, generated_ms=NOW, authors=True))
    assert "Person <3>" in "".join(signed.text)


def test_html_keeps_hostile_colours_out_of_css(built: Built) -> None:
    schema.add_cluster(
        built.doc, title="X", x=0, y=0, w=1, h=1, color="red; background:url(//attacker)"
    )
    page = to_html(_board(built), generated_ms=NOW)
    assert "attacker" not in page


def test_docx_has_real_heading_styles_and_plain_text(board: Board) -> None:
    document = docx.Document(io.BytesIO(to_docx(board, generated_ms=NOW)))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", "Målbild 0.5 — Stadsbiblioteket <Norr>")
    h1 = [t for s, t in paragraphs if s == "Heading 1"]
    assert h1 == [
        "Om utkastet",
        "Förslag till målbild",
        "Lappar utan kluster",
        "Nästa steg",
        "Kontrollpunkter",
    ]
    h2 = [t for s, t in paragraphs if s == "Heading 2"]
    assert h2[:5] == [
        "1. Mötesplats (7 röster)",
        "2. Appar (3 röster)",
        "2. Bokbussar (3 röster)",
        "4. Zebra (1 röst)",
        "Utanför (0 röster)",
    ]
    assert h2[5] == "Det digitala samhället och bibliotekets omvärld"
    assert h2[-1] == "Övrigt"
    bullets = [t for s, t in paragraphs if s == "List Bullet"]
    assert "Kafé (2 röster)" in bullets
    for text in HOSTILE:
        assert text in bullets
    assert document.core_properties.title == "Målbild 0.5 — Stadsbiblioteket <Norr>"
    section = document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def _csv_rows(board: Board, *, authors: bool = False) -> list[list[str]]:
    text = to_csv(board, authors=authors)
    assert text.startswith("\ufeff")
    delimiter = ";" if board.language == "sv" else ","
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_csv_one_row_per_note_in_document_order(board: Board) -> None:
    rows = _csv_rows(board)
    assert rows[0] == [
        "Plats",
        "Kluster",
        "Röster på klustret",
        "Målbildspåstående",
        "Avsnitt",
        "Lapp",
        "Röster på lappen",
    ]
    body = rows[1:]
    assert len(body) == len(board.notes)
    assert body[0] == [
        "1",
        "Mötesplats",
        "7",
        "",
        "Kunder, intressenter och medarbetare",
        "Kafé",
        "2",
    ]
    assert body[3] == [
        "2",
        "Bokbussar",
        "3",
        "",
        "Det digitala samhället och bibliotekets omvärld",
        "Fler bussar",
        "0",
    ]
    # Unclustered notes after every cluster, by section.
    first_loose = next(i for i, row in enumerate(body) if row[1] == "")
    assert body[first_loose][4:] == [
        "Det digitala samhället och bibliotekets omvärld",
        "Ingen grupp än",
        "0",
    ]
    assert all(row[1] == "" for row in body[first_loose:])
    assert body[-1][4] == "Övrigt"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+46 8 123", "'+46 8 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'=1"),  # the model drops the CR itself
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("Kafé = mötesplats", "Kafé = mötesplats"),
        ("'redan citerad", "'redan citerad"),
    ],
)
def test_csv_neutralises_formula_injection(built: Built, text: str, cell: str) -> None:
    schema.add_note(
        built.doc, text=text, x=0, y=0, color="", author=text, section=None, created_ms=NOW
    )
    rows = _csv_rows(_board(built), authors=True)
    row = next(r for r in rows if r[7] == cell)
    assert row[5] == cell


def test_csv_neutralises_section_and_cluster_names(built: Built) -> None:
    schema.add_cluster(built.doc, title="=cmd|' /C calc'!A0", x=0, y=0, w=1, h=1, color="")
    rows = _csv_rows(_board(built))
    assert any(r[1] == "'=cmd|' /C calc'!A0" for r in rows)


def test_svg_is_well_formed_and_draws_the_board(board: Board) -> None:
    svg = to_svg(board, generated_ms=NOW)
    root = ET.fromstring(svg.encode())  # raises if anything broke the XML
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert not [el for el in root.iter() if el.tag in (f"{ns}script", f"{ns}foreignObject")]
    assert not [k for el in root.iter() for k in el.attrib if k.startswith("on")]
    texts = [el.text or "" for el in root.iter(f"{ns}text")]
    joined = "\n".join(texts)
    unwrapped = re.sub(r"\s+", "", joined)
    assert root.findtext(f"{ns}title") == "Målbild 0.5 — Stadsbiblioteket <Norr>"
    for short in ("<script>alert('x')</script>", "a & b < c > d \" e ' f", "مكتبة رقمية للجميع"):
        assert re.sub(r"\s+", "", short) in unwrapped
    assert "1. Mötesplats — 7 röster" in joined
    rects = root.findall(f"{ns}rect")
    assert len(rects) == 1 + len(board.sections) + len(board.clusters) + len(board.notes)


def test_svg_wrap_breaks_long_words_and_truncates() -> None:
    lines = wrap("Superkalifragilistiskexpialidocious" * 5, 10, 3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(len(line) <= 18 for line in lines)
    assert wrap("a b\nc", 40, 5) == ["a b", "c"]
    assert wrap("", 10, 3) == [""]


def test_svg_rejects_hostile_colours(built: Built) -> None:
    schema.add_note(
        built.doc,
        text="x",
        x=0,
        y=0,
        color='red" onload="alert(1)',
        author="",
        created_ms=NOW,
    )
    svg = to_svg(_board(built), generated_ms=NOW)
    assert "onload" not in svg


def _author_free(board: Board) -> None:
    for fmt in FORMATS:
        content = render(board, fmt, generated_ms=NOW, authors=True).content
        if fmt == "docx":
            document = docx.Document(io.BytesIO(content))
            text = "\n".join(p.text for p in document.paragraphs)
        else:
            text = content.decode()
        for author in ("Ada", "Person", "Gunnel"):
            assert author not in text, (fmt, author)


def test_anonymous_exports_name_no_one(built: Built) -> None:
    board = _board(built, anonymous=True)
    assert all(n.author == "" for n in board.notes)
    _author_free(board)


def test_english_labels(built: Built) -> None:
    english = _build("en")
    board = _board(english)
    md = to_markdown(board, generated_ms=NOW)
    assert md.startswith("# Target vision 0.5 — Stadsbiblioteket \\<Norr\\>")
    assert "## Draft target vision" in md and "### 1. Mötesplats (7 votes)" in md
    assert "### 4. Zebra (1 vote)" in md
    assert "### The digital society and the library's surroundings" in md.replace("\\'", "'")
    assert _csv_rows(board)[0][0] == "Rank"
    assert render(board, "md").filename == "target-vision-0.5-stadsbiblioteket-norr.md"


def test_blank_board_puts_everything_under_no_section_heading() -> None:
    doc: Doc[Any] = Doc()
    schema.init_board(doc, title="", template=get_template("blank"), language="sv", created_ms=NOW)
    schema.add_note(doc, text="Ensam lapp", x=0, y=0, color="", author="A", created_ms=NOW)
    board = board_from_doc(doc)
    md = to_markdown(board, generated_ms=NOW)
    assert md.startswith("# Målbild 0.5\n")
    assert "Övrigt" not in md and "- Ensam lapp\n" in md
    assert "Inga kluster ännu." in md and "Kontrollpunkter" not in md
    for fmt in FORMATS:
        assert render(board, fmt, generated_ms=NOW).content


def test_render_dispatch(board: Board) -> None:
    got = {fmt: render(board, fmt, generated_ms=NOW) for fmt in FORMATS}
    assert got["docx"].content.startswith(b"PK")
    assert got["json"].media_type == "application/json"
    assert json.loads(got["json"].content)["format"] == "samsyn-board"
    assert got["md"].filename == "malbild-0.5-stadsbiblioteket-norr.md"
    with pytest.raises(KeyError):
        render(board, "pdf")


# ------------------------------------------------------------------------------- JSON


def test_json_export_import_export_is_exact(board: Board) -> None:
    exported = to_json(board, generated_ms=NOW)
    wire = json.loads(json.dumps(exported))  # as it travels over HTTP
    fresh: Doc[Any] = Doc()
    info = apply_json(fresh, wire)
    again = board_from_doc(
        fresh,
        tallies=info.tallies,
        anonymous=info.anonymous,
        participants=info.participants,
        checkpoints=info.checkpoints,
    )
    assert to_json(again, generated_ms=NOW) == exported
    assert to_json(board_from_json(wire), generated_ms=NOW) == exported
    # The rebuilt doc has the shared types a Yjs client expects.
    note = schema.notes_map(fresh)[board.notes[0].id]
    assert type(note["text"]).__name__ == "Text"
    assert to_markdown(again, generated_ms=NOW) == to_markdown(board, generated_ms=NOW)


def test_json_export_is_complete(board: Board) -> None:
    data = to_json(board, generated_ms=NOW)
    assert data["format"] == "samsyn-board" and data["version"] == 1
    assert data["title"] == "Målbild 0.5 — Stadsbiblioteket <Norr>"
    assert data["counts"] == {"participants": 16, "notes": 16, "clusters": 5, "votes": 14}
    assert [v["title"] for v in data["vision"]][:2] == ["Mötesplats", "Appar"]
    assert {n["text"] for n in data["notes"]} >= set(HOSTILE)
    assert [c["name"] for c in data["checkpoints"]] == ["Dag 1 <klar>", "Dag 2 klar"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d["meta"].update(language="de"), "meta.language"),
        (lambda d: d["notes"][0].update(id="../x"), "notes[0].id"),
        (lambda d: d["notes"][1].update(id=d["notes"][0]["id"]), "notes[1].id"),
        (lambda d: d["notes"][0].update(text=["x"]), "notes[0].text"),
        (lambda d: d.update(sections=[{}] * 20_001), "sections: expected at most 20000 items"),
        (lambda d: d["clusters"][0].update(x=float("inf")), "clusters[0].x"),
        (lambda d: d["sections"][0].update(w="wide"), "sections[0].w"),
        (lambda d: d.update(notes={"not": "a list"}), "notes"),
        (lambda d: d["tallies"].update({d["notes"][0]["id"]: -1}), "tallies"),
    ],
)
def test_apply_json_rejects_bad_input_naming_the_field(
    board: Board, mutate: Any, field: str
) -> None:
    data = json.loads(json.dumps(to_json(board, generated_ms=NOW)))
    mutate(data)
    fresh: Doc[Any] = Doc()
    with pytest.raises(ValueError, match=re.escape(field)):
        apply_json(fresh, data)
    assert len(schema.notes_map(fresh)) == 0  # nothing half-written


def test_apply_json_keeps_a_text_of_any_length(board: Board) -> None:
    # A board holds notes of any length, so its own export must come back whole.
    data = json.loads(json.dumps(to_json(board, generated_ms=NOW)))
    data["notes"][0]["text"] = "ord " * 10_000
    fresh: Doc[Any] = Doc()
    apply_json(fresh, data)
    assert str(schema.notes_map(fresh)[data["notes"][0]["id"]]["text"]) == "ord " * 10_000


def test_apply_json_refuses_a_board_with_content(built: Built, board: Board) -> None:
    with pytest.raises(ValueError, match="empty board"):
        apply_json(built.doc, to_json(board))


def test_apply_json_drops_dangling_references(board: Board) -> None:
    data = to_json(board, generated_ms=NOW)
    data["notes"][0]["cluster"] = "nowhere"
    data["clusters"][0]["section"] = "nowhere"
    fresh: Doc[Any] = Doc()
    apply_json(fresh, data)
    assert schema.notes_map(fresh)[data["notes"][0]["id"]]["cluster"] is None
    assert schema.clusters_map(fresh)[data["clusters"][0]["id"]]["section"] is None
