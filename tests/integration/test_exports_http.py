"""End to end: a workshop over websockets, then every export downloaded over HTTP."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import docx
import httpx
import pytest
from pycrdt import Map

from boards.export import FORMATS
from server.store import Store
from tests.support.servers import InProcessServer
from tests.support.workshop import (
    AUTHORS,
    CHECKPOINT,
    CLUSTERS,
    DOCUMENT_TITLE,
    HOSTILE,
    NOTES,
    TITLE,
    Workshop,
    download,
    run_workshop,
)


def _docx_text(content: bytes) -> tuple[list[tuple[str, str]], str]:
    document = docx.Document(io.BytesIO(content))
    paragraphs = [
        (p.style.name if p.style is not None else "", p.text) for p in document.paragraphs
    ]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return paragraphs, "\n".join([t for _, t in paragraphs] + cells)


def _svg_text(content: bytes) -> str:
    root = ET.fromstring(content)  # well-formed, or this raises
    return "\n".join("".join(el.itertext()) for el in root.iter() if el.text)


def _in_order(text: str, needles: tuple[str, ...] | list[str]) -> bool:
    positions = [text.find(n) for n in needles]
    return -1 not in positions and positions == sorted(positions)


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _readable(fmt: str, content: bytes) -> str:
    """What a reader of the document sees, as one text."""
    if fmt == "docx":
        return _docx_text(content)[1]
    if fmt == "svg":
        return _svg_text(content)
    text = content.decode("utf-8-sig")
    if fmt == "csv":
        return "\n".join(cell for row in csv.reader(io.StringIO(text)) for cell in row)
    if fmt == "json":
        return "\n".join(_strings(json.loads(text)))
    if fmt == "md":
        return re.sub(r"\\(.)", r"\1", text)  # Markdown's backslash escapes
    if fmt == "html":
        import html

        return html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


@pytest.fixture
async def workshop(app_server: InProcessServer) -> Workshop:
    return await run_workshop(app_server)


async def test_every_export_carries_what_the_room_decided(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    token = workshop.participants[3]["token"]  # any member may export
    board_id = workshop.board["id"]
    for fmt in FORMATS:
        response = await download(app_server, board_id, fmt, token)
        assert response.status_code == 200, (fmt, response.text)
        disposition = response.headers["content-disposition"]
        kind = "inline" if fmt in ("html", "svg") else "attachment"
        assert disposition == f'{kind}; filename="malbild-0.5-stadsbiblioteket-norr-co.{fmt}"'
        text = _readable(fmt, response.content)
        if fmt != "csv":  # the sheet is rows of notes, no title
            assert DOCUMENT_TITLE in text, fmt
            assert CHECKPOINT in text or fmt == "svg", fmt
        if fmt != "svg":  # the picture is laid out as the board is, not ranked
            # The draft vision comes first, ranked 3, 2, 1 votes.
            assert _in_order(text, CLUSTERS), fmt
        for _, note, _ in NOTES:
            if fmt == "svg":
                continue  # the picture wraps long notes; checked below
            assert note in text, (fmt, note)
        if fmt in ("md", "html", "docx", "json", "csv"):
            assert all(author in text for author in AUTHORS), fmt

    # The picture wraps notes over lines; the words are all there.
    svg = " ".join(_svg_text((await download(app_server, board_id, "svg", token)).content).split())
    assert all(c in svg for c in CLUSTERS)
    assert "Kafé och soffor i entrén" in svg and "مرحبا بالجميع 📚" in svg


async def test_formats_say_it_in_their_own_way(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    board_id, key = workshop.board["id"], workshop.key

    html = (await download(app_server, board_id, "html", key)).text
    assert "<img" not in html and "&lt;img src=x" in html
    assert "<title>Målbild 0.5 — Stadsbiblioteket &lt;Norr&gt; &amp; Co</title>" in html

    paragraphs, _ = _docx_text((await download(app_server, board_id, "docx", key)).content)
    headings = [(style, text) for style, text in paragraphs if style.startswith(("Title", "Head"))]
    assert headings[0] == ("Title", DOCUMENT_TITLE)
    ranked = [(style, t) for style, t in headings if t.startswith(CLUSTERS)][:3]
    assert [t.startswith(c) for (_, t), c in zip(ranked, CLUSTERS, strict=True)] == [True] * 3
    assert all(style.startswith("Heading") for style, _ in ranked)

    data = json.loads((await download(app_server, board_id, "json", key)).content)
    assert data["counts"] == {"participants": 4, "notes": 7, "clusters": 3, "votes": 6}
    assert [(v["title"], v["votes"]) for v in data["vision"]] == list(
        zip(CLUSTERS, (3, 2, 1), strict=True)
    )

    sheet = (await download(app_server, board_id, "csv", key)).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(sheet)))
    assert len(rows) == 1 + len(NOTES)
    hostile_row = next(r for r in rows if HOSTILE in r[3])
    assert hostile_row[3] == HOSTILE  # starts with "<", not a formula: left as it is
    # Section by section: the first section's cluster, with its votes, then its notes.
    assert rows[0][:3] == ["Avsnitt", "Grupp", "Röster på gruppen"]
    assert rows[1][1:3] == [CLUSTERS[0], "3"]

    md = (await download(app_server, board_id, "md", key)).text
    assert md.startswith("# Målbild 0.5 — Stadsbiblioteket \\<Norr\\> \\& Co\n")


async def test_anonymous_board_names_no_one_in_any_format(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    store: Store = app_server.app.state.store
    await store.set_board_flags(workshop.board["id"], anonymous=True)
    for fmt in FORMATS:
        response = await download(app_server, workshop.board["id"], fmt, workshop.key)
        assert response.status_code == 200
        text = _readable(fmt, response.content)
        for author in (*AUTHORS, "Ekström", "Nyqvist", "Åberg"):
            assert author not in text, (fmt, author)
        assert CLUSTERS[0] in text


async def test_export_refusals(app_server: InProcessServer, workshop: Workshop) -> None:
    board_id = workshop.board["id"]
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        anonymous = await client.get(f"/b/{board_id}/export.md")
        assert anonymous.status_code == 401
        assert anonymous.json()["error"] == "unauthorized"
        wrong = await client.get(f"/b/{board_id}/export.md", headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 401
    pdf = await download(app_server, board_id, "pdf", workshop.key)
    assert pdf.status_code == 404
    assert pdf.json() == {
        "error": "unknown_format",
        "detail": "expected one of ['md', 'html', 'docx', 'json', 'csv', 'svg'], got 'pdf'",
    }
    missing = await download(app_server, "nosuchboard", "md", workshop.key)
    assert missing.status_code == 404 and missing.json()["error"] == "board_not_found"
    # A participant's token does not open another board's export.
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        other = (await client.post("/api/boards", json={"title": "Annan"})).json()
    foreign = await download(app_server, other["id"], "md", workshop.participants[0]["token"])
    assert foreign.status_code == 401


async def test_export_by_cookie_and_query_token(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    board_id = workshop.board["id"]
    person = workshop.participants[0]
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        client.cookies.set(f"samsyn_{board_id}", person["token"])
        by_cookie = await client.get(f"/b/{board_id}/export.md")
    assert by_cookie.status_code == 200 and DOCUMENT_TITLE.split(" <")[0] in by_cookie.text
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        by_query = await client.get(f"/b/{board_id}/export.json?token={person['token']}")
    assert by_query.status_code == 200 and by_query.json()["meta"]["title"] == TITLE


async def test_a_secret_ballot_stays_secret_until_it_closes(
    app_server: InProcessServer, workshop: Workshop
) -> None:
    board_id = workshop.board["id"]

    def set_voting(open_: bool) -> None:
        room.mutate(
            lambda doc: doc.get("voting", type=Map).update(
                {"open": open_, "tallies_visible": False}
            )
        )

    async def votes(token: str) -> int:
        data = (await download(app_server, board_id, "json", token)).json()
        return int(data["counts"]["votes"])

    participant = workshop.participants[0]["token"]
    async with app_server.app.state.rooms.use(f"{board_id}/session") as room:
        set_voting(True)
        # A participant's export would tell the running score; the facilitator's does.
        assert await votes(participant) == 0
        assert await votes(workshop.key) == 6
        set_voting(False)
        assert await votes(participant) == 6
