"""Målbild 0.5 as a document a library manager sends as it is, and the staff board after it.

A board as a real two-day workshop leaves it: Swedish notes with hyphens and å ä ö, named
authors, clusters with vision statements written in the discuss phase, two clusters
tied on votes, a few notes nobody clustered.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from typing import Any

import docx
import pytest
from pycrdt import Doc

from boards import schema
from boards.bulk import Rect
from boards.catalog import get_template
from boards.continuation import write_deepening
from boards.export import render
from boards.export.csv import to_csv
from boards.export.docx import to_docx
from boards.export.html import to_html
from boards.export.json import apply_json, board_from_json, to_json
from boards.export.markdown import to_markdown
from boards.model import Board, CheckpointInfo, board_from_doc
from tests.support import ROOT
from tests.support.tools import require_or_skip

NOW = 1_764_000_000_000  # 2025-11-24
TITLE = "Målbild 2027 – Stadsbiblioteket Norrköping"
AUTHORS = ("Åsa Lindqvist", "Göran Öberg", "Märta Ek", "Jonas Bäckström")

# cluster title -> (statement, votes on the cluster, [(author, note text, votes on note)])
THEMES: dict[str, tuple[str, int, list[tuple[int, str, int]]]] = {
    "Mötesplats för alla": (
        "Biblioteket är kommunens mest öppna mötesplats, där alla är välkomna utan krav.",
        6,
        [
            (0, "Kafé och soffor i entrén", 1),
            (1, "Meröppet med BankID även på söndagar", 0),
            (2, "Språkcaféer för nyanlända i samarbete med SFI", 0),
        ],
    ),
    "Digital delaktighet": (
        "Ingen ska lämnas utanför det digitala samhället: vi hjälper alla att komma igång.",
        4,
        [
            (3, "Drop-in-hjälp med e-legitimation och Mina sidor", 0),
            (0, "Lånebara surfplattor och Wi-Fi-routrar", 0),
        ],
    ),
    "Läsfrämjande": (
        "Barn och unga i Norrköping läser mer, på papper och på skärm.",
        4,
        [
            (1, "Bokcirklar för mellanstadiet på fritids", 0),
            (2, "Sommarboken med e-böcker och ljudböcker", 0),
        ],
    ),
    "Kompetens hos medarbetarna": (
        "",  # the room ran out of time before writing this one
        1,
        [(3, "Fortbildning i AI-verktyg för all personal", 0)],
    ),
}
LOOSE = ("Samarbete med kommunens kontaktcenter", "Öppna data om utlåning per stadsdel")
CHECKPOINT = "Slut på dag 1"


@dataclass
class Workshop:
    doc: Doc[Any]
    clusters: dict[str, str]  # title -> id
    sections: list[str]
    board: Board


def _workshop(language: str = "sv") -> Workshop:
    doc: Doc[Any] = Doc()
    schema.init_board(
        doc,
        title=TITLE,
        template=get_template("malbild-workshop"),
        language=language,
        created_ms=NOW,
    )
    sections = [
        sid
        for sid, _ in sorted(
            (schema.sections_map(doc).to_py() or {}).items(), key=lambda kv: kv[1]["order"]
        )
    ]
    clusters: dict[str, str] = {}
    tallies: dict[str, int] = {}
    created = NOW
    for i, (title, (statement, votes, notes)) in enumerate(THEMES.items()):
        cid = schema.add_cluster(
            doc,
            title=title,
            x=40 + 420 * i,
            y=200,
            w=400,
            h=400,
            color="#cfe6ff",
            section=sections[i % 3],
            statement=statement,
        )
        clusters[title] = cid
        tallies[cid] = votes
        for author, text, note_votes in notes:
            created += 1
            nid = schema.add_note(
                doc,
                text=text,
                x=60 + 420 * i,
                y=260,
                color="#fff3a6",
                author=AUTHORS[author],
                created_ms=created,
                cluster=cid,
            )
            if note_votes:
                tallies[nid] = note_votes
    for j, text in enumerate(LOOSE):
        schema.add_note(
            doc,
            text=text,
            x=40,
            y=700,
            color="#fff3a6",
            author=AUTHORS[j],
            created_ms=created + 1 + j,
            section=sections[1],
        )
    board = board_from_doc(
        doc,
        tallies=tallies,
        participants=len(AUTHORS),
        checkpoints=[CheckpointInfo("k1", CHECKPOINT, NOW + 8 * 3_600_000)],
    )
    return Workshop(doc, clusters, sections, board)


@pytest.fixture
def shop() -> Workshop:
    return _workshop()


def _note_texts() -> list[str]:
    return [text for _, _, notes in THEMES.values() for _, text, _ in notes] + list(LOOSE)


def _paragraphs(content: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(content))
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


# ------------------------------------------------------------------------------- Word


def test_docx_names_every_note_once_under_its_ranked_cluster(shop: Workshop) -> None:
    paragraphs = _paragraphs(to_docx(shop.board, generated_ms=NOW))
    for text in _note_texts():
        holding = [t for _, t in paragraphs if text in t]
        assert len(holding) == 1, (text, holding)
    # Mötesplats 6 + 1 on a note; the two clusters on 4 share second place; then 4th.
    h2 = [t for s, t in paragraphs if s == "Heading 2"]
    assert h2[:4] == [
        "1. Mötesplats för alla (7 röster)",
        "2. Digital delaktighet (4 röster)",
        "2. Läsfrämjande (4 röster)",
        "4. Kompetens hos medarbetarna (1 röst)",
    ]
    # Each note is listed under its own cluster's heading.
    for title, (_, _, notes) in THEMES.items():
        start = next(i for i, (s, t) in enumerate(paragraphs) if s == "Heading 2" and title in t)
        end = next(
            i for i, (s, _) in enumerate(paragraphs) if i > start and s.startswith("Heading")
        )
        listed = [t for s, t in paragraphs[start:end] if s == "List Bullet"]
        assert [t.split(" (")[0] for t in listed] == [
            text for _, text, _ in sorted(notes, key=lambda n: -n[2])
        ]


def test_docx_puts_each_statement_under_its_cluster(shop: Workshop) -> None:
    paragraphs = _paragraphs(to_docx(shop.board, generated_ms=NOW))
    for title, (statement, _, _) in THEMES.items():
        at = next(i for i, (s, t) in enumerate(paragraphs) if s == "Heading 2" and title in t)
        following = paragraphs[at + 1]
        if statement:
            assert following == ("Quote", f"Målbildspåstående: {statement}")
        else:
            assert following[0] != "Quote"  # no empty statement printed for it


def test_docx_reads_as_a_document_to_send(shop: Workshop) -> None:
    content = to_docx(shop.board, generated_ms=NOW)
    paragraphs = _paragraphs(content)
    # The board's title names the vision already: it is not prefixed a second time.
    assert paragraphs[0] == ("Title", TITLE)
    assert paragraphs[1] == ("Subtitle", "Målbild 0.5")
    assert "Datum: 2025-11-24" in paragraphs[2][1]
    h1 = [t for s, t in paragraphs if s == "Heading 1"]
    assert h1 == [
        "Om utkastet",
        "Förslag till målbild",
        "Lappar utan kluster",
        "Nästa steg",
        "Kontrollpunkter",
    ]
    purpose = paragraphs[paragraphs.index(("Heading 1", "Om utkastet")) + 1][1]
    assert "första utkastet" in purpose and "målbildspåstående" in purpose
    assert "4 deltagare skrev 10 lappar, samlade dem i 4 kluster och lade 16 röster." in (
        t for _, t in paragraphs
    )
    steps = [t for s, t in paragraphs if s == "List Number"]
    assert len(steps) >= 3 and any("arbetsplatsträffar" in step for step in steps)
    # The board's words, not the old document's.
    text = "\n".join(t for _, t in paragraphs)
    assert "kluster" in text and "Kontrollpunkter" in text
    for old in ("Grupper", "Grupp", "grupper", "Sparade lägen", "Avsnitt för avsnitt"):
        assert old not in text, old
    assert "Målbild 0.5 — Målbild" not in text
    assert docx.Document(io.BytesIO(content)).core_properties.title == TITLE


def test_docx_footer_numbers_the_pages(shop: Workshop) -> None:
    content = to_docx(shop.board, generated_ms=NOW)
    document = docx.Document(io.BytesIO(content))
    footer = document.sections[0].footer
    assert "Målbild 0.5 · Sida" in footer.paragraphs[0].text
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        footers = [n for n in package.namelist() if n.startswith("word/footer")]
        xml = "".join(package.read(n).decode() for n in footers)
    assert "<w:instrText" in xml and " PAGE " in xml and " NUMPAGES " in xml
    assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml


def test_authors_only_when_the_facilitator_chooses(shop: Workshop) -> None:
    plain = "\n".join(t for _, t in _paragraphs(to_docx(shop.board, generated_ms=NOW)))
    signed = "\n".join(
        t for _, t in _paragraphs(to_docx(shop.board, generated_ms=NOW, authors=True))
    )
    for author in AUTHORS:
        assert author not in plain, author
        assert author in signed, author
    assert "Kafé och soffor i entrén — Åsa Lindqvist (1 röst)" in signed
    for fmt in ("md", "html", "svg", "csv"):
        assert "Lindqvist" not in render(shop.board, fmt, generated_ms=NOW).content.decode()
        assert (
            "Lindqvist" in render(shop.board, fmt, generated_ms=NOW, authors=True).content.decode()
        )
    # An anonymous board names no one, whatever the option says.
    anonymous = board_from_doc(shop.doc, anonymous=True)
    assert "Lindqvist" not in to_markdown(anonymous, generated_ms=NOW, authors=True)


def test_ties_share_a_rank_as_on_the_board(shop: Workshop) -> None:
    """The document's ranks are those of the board's results list (static/src/workshop/votes.js)."""
    static = ROOT / "static"
    node = shutil.which("node")
    require_or_skip(
        node is not None and (static / "node_modules" / "yjs").is_dir(),
        "node with static/node_modules/yjs",
    )
    assert node is not None
    tallies = {c.id: c.votes for c in shop.board.clusters}
    labels = [[c.id, c.title] for c in shop.board.clusters]
    script = (
        "import { rankTargets } from './src/workshop/votes.js';"
        f"const rows = rankTargets({json.dumps(tallies)}, new Map({json.dumps(labels)}), 'sv');"
        "console.log(JSON.stringify(rows.map((r) => [r.label, r.rank])))"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=static,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    on_screen = [tuple(row) for row in json.loads(result.stdout)]
    assert on_screen == [(c.title, c.rank) for c in shop.board.clusters]
    assert [rank for _, rank in on_screen] == [1, 2, 2, 4]
    md = to_markdown(shop.board, generated_ms=NOW)
    for title, rank in on_screen:
        assert f"### {rank}. {title} (" in md


# --------------------------------------------------------------------- other writers


def test_swedish_csv_opens_as_columns_in_excel(shop: Workshop) -> None:
    text = to_csv(shop.board)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (å, ä, ö) only after a BOM
    raw = text.encode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == [
        "Plats",
        "Kluster",
        "Röster på klustret",
        "Målbildspåstående",
        "Avsnitt",
        "Lapp",
        "Röster på lappen",
    ]
    assert all(len(row) == 7 for row in rows)
    body = rows[1:]
    assert [row[5] for row in body] == [
        "Kafé och soffor i entrén",
        "Meröppet med BankID även på söndagar",
        "Språkcaféer för nyanlända i samarbete med SFI",
        "Drop-in-hjälp med e-legitimation och Mina sidor",
        "Lånebara surfplattor och Wi-Fi-routrar",
        "Bokcirklar för mellanstadiet på fritids",
        "Sommarboken med e-böcker och ljudböcker",
        "Fortbildning i AI-verktyg för all personal",
        *LOOSE,
    ]
    first = body[0]
    assert first[:4] == ["1", "Mötesplats för alla", "7", THEMES["Mötesplats för alla"][0]]
    assert first[4] == "Det digitala samhället och bibliotekets omvärld"
    assert first[6] == "1"
    assert body[3][0] == body[5][0] == "2"  # the tie, as in the document
    assert (
        body[-1][:4] == ["", "", "", ""] and body[-1][4] == "Kunder, intressenter och medarbetare"
    )
    signed = list(csv.reader(io.StringIO(to_csv(shop.board, authors=True)[1:]), delimiter=";"))
    assert signed[0][-1] == "Författare" and signed[1][-1] == "Åsa Lindqvist"


def test_english_csv_keeps_commas() -> None:
    board = _workshop("en").board
    text = to_csv(board)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0][:3] == ["Rank", "Cluster", "Cluster votes"]
    assert all(len(row) == 7 for row in rows)


def test_markdown_leaves_hyphens_alone(shop: Workshop) -> None:
    md = to_markdown(shop.board, generated_ms=NOW)
    assert "\\-" not in md
    assert "- Drop-in-hjälp med e-legitimation och Mina sidor" in md
    assert "> **Målbildspåstående:** Barn och unga i Norrköping läser mer, på papper" in md
    assert md.startswith(f"# {TITLE}\n\n*Målbild 0.5*\n")
    # A note that starts like a list item still reads as typed.
    schema.add_note(shop.doc, text="- inte en lista", x=0, y=0, color="", author="", created_ms=NOW)
    assert "- \\- inte en lista" in to_markdown(board_from_doc(shop.doc), generated_ms=NOW)


def test_html_print_view_has_statements_once_and_page_numbers(shop: Workshop) -> None:
    page = to_html(shop.board, generated_ms=NOW)
    assert "counter(page)" in page and "counter(pages)" in page
    for title, (statement, _, _) in THEMES.items():
        if statement:
            assert page.count(statement) == 1
        assert page.index(title) < page.index(statement or title) + 1
    for text in _note_texts():
        assert page.count(text) == 1, text
    assert "<h2>Nästa steg</h2>" in page and "Sparade lägen" not in page


# ------------------------------------------------------------------------------- JSON


def test_json_round_trip_keeps_statements(shop: Workshop) -> None:
    exported = json.loads(json.dumps(to_json(shop.board, generated_ms=NOW)))
    by_title = {c["title"]: c for c in exported["clusters"]}
    assert by_title["Läsfrämjande"]["statement"] == THEMES["Läsfrämjande"][0]
    fresh: Doc[Any] = Doc()
    apply_json(fresh, exported)
    again = board_from_doc(fresh)
    assert {c.title: c.statement for c in again.clusters} == {
        title: statement for title, (statement, _, _) in THEMES.items()
    }
    # The rebuilt statement is a Y.Text, so people can write it together on the new board.
    cid = by_title["Läsfrämjande"]["id"]
    assert type(schema.clusters_map(fresh)[cid]["statement"]).__name__ == "Text"
    # An export from before statements imports with empty ones.
    for cluster in exported["clusters"]:
        del cluster["statement"]
    assert {c.statement for c in board_from_json(exported).clusters} == {""}


# ------------------------------------------------------------------ the staff's board


def test_continue_with_the_staff_makes_each_cluster_a_section_with_its_notes(
    shop: Workshop,
) -> None:
    doc: Doc[Any] = Doc()
    write_deepening(doc, shop.board, title="APT mars — fördjupning", created_ms=NOW)
    staff = board_from_doc(doc)
    questions = [s.localized("sv")["title"] for s in get_template("malbild-deepening").sections]
    # One section per cluster, in rank order; nothing appended after them.
    assert [s.title for s in staff.sections] == [
        "1. Mötesplats för alla",
        "2. Digital delaktighet",
        "2. Läsfrämjande",
        "4. Kompetens hos medarbetarna",
    ]
    for section, source in zip(staff.sections, shop.board.clusters, strict=True):
        statement, _, notes = THEMES[source.title]
        # The votes and the statement are on the board, in the section's prompt.
        assert section.prompt.startswith(f"{source.votes} röst")
        if statement:
            assert section.prompt.endswith(f"Målbildspåstående: {statement}")
        # The notes are notes again, in their theme's section, with their authors.
        assert sorted(n.text for n in section.notes) == sorted(t for _, t, _ in notes)
        assert {n.author for n in section.notes} <= set(AUTHORS)
        # The deepening questions, under every theme, as clusters to put answers in.
        assert [c.title for c in sorted(section.clusters, key=lambda c: (c.y, c.x))] == questions
        assert all(c.notes == () and c.votes == 0 for c in section.clusters)
        frame = Rect(section.x, section.y, section.w, section.h)
        things = [Rect(n.x, n.y, schema.NOTE_W, schema.NOTE_H) for n in section.notes]
        things += [Rect(c.x, c.y, c.w, c.h) for c in section.clusters]
        for thing in things:
            assert frame.x <= thing.x and thing.x + thing.w <= frame.x + frame.w
            assert frame.y <= thing.y and thing.y + thing.h <= frame.y + frame.h
        assert not any(a.overlaps(b) for i, a in enumerate(things) for b in things[i + 1 :])
    rects = [Rect(s.x, s.y, s.w, s.h) for s in staff.sections]
    assert not any(a.overlaps(b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assert len(staff.notes) == sum(len(notes) for _, _, notes in THEMES.values())
    assert staff.votes == 0  # the staff vote afresh; the workshop's votes are in the prompts


def test_continue_with_the_staff_in_english() -> None:
    doc: Doc[Any] = Doc()
    write_deepening(doc, _workshop("en").board, title="T", created_ms=NOW)
    staff = board_from_doc(doc)
    first = staff.sections[0]
    assert first.prompt.startswith("7 votes in the workshop. Vision statement: ")
    assert "What is missing?" in {c.title for c in first.clusters}
