"""The målbild on every board: participants read it, write the parts a round opens, and the
library's logo goes on its documents. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from boards import schema
from server.settings import Settings
from tests.support.backends import BACKENDS, backend_settings
from tests.support.boards import create_board, join_board
from tests.support.cluster import running_cluster
from tests.support.servers import InProcessServer
from tests.support.services import RedisServer
from tests.support.yjs import YClient

LIBRARY = "Stadsbiblioteket Norr"
DOCUMENT = {
    "library": LIBRARY,
    "purpose": "Varför vi gör det här",
    "summary": "Biblioteket är hela stadens vardagsrum.",
    "statements": [
        {"id": "meet", "theme": "Mötesplats", "text": "Biblioteket är en mötesplats"},
        {"id": "read", "theme": "Läslust", "text": "Biblioteket väcker läslust"},
    ],
    "questions": [{"id": "q1", "text": "Hur når vi de som inte kommer?"}],
}


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return backend_settings(request, tmp_path)


def _png(width: int = 4, height: int = 2) -> bytes:
    """A real (tiny, red) PNG, made here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Caller:
    def __init__(self, client: httpx.AsyncClient, board_id: str, secret: str) -> None:
        self.client, self.board_id = client, board_id
        self.headers = {"Authorization": f"Bearer {secret}"}

    async def __call__(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        url = path if path.startswith("/b/") else f"/api/boards/{self.board_id}{path}"
        return await self.client.request(method, url, headers=headers, **kw)

    async def part(
        self, part: str, base: str, text: str, item: str | None = None
    ) -> httpx.Response:
        body = {"part": part, "item": item, "base": base, "text": text}
        return await self("PUT", "/vision/part", json=body)


async def _board_with_vision(
    server: InProcessServer, client: httpx.AsyncClient
) -> tuple[dict[str, Any], Caller]:
    board = await create_board(server.url, "Målbild", template="malbild-workshop")
    facilitator = Caller(client, board["id"], board["facilitator_key"])
    made = await facilitator("POST", "/vision", json={"library": LIBRARY})
    assert made.status_code == 201, made.text
    saved = await facilitator(
        "PUT", "/vision", json={"rev": made.json()["rev"], "vision": DOCUMENT}
    )
    assert saved.status_code == 200, saved.text
    return board, facilitator


async def _statement(caller: Caller, sid: str) -> str:
    data = (await caller("GET", "/vision")).json()["vision"]
    return str(next(s["text"] for s in data["statements"] if s["id"] == sid))


async def test_a_participant_reads_and_writes_only_the_parts_a_round_opens(
    app_server: InProcessServer,
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        board, facilitator = await _board_with_vision(app_server, client)
        joined = await join_board(app_server.url, board, "Ada")
        ada = Caller(client, board["id"], joined["token"])
        wall = Caller(client, board["id"], board["urls"]["wall"].split("key=", 1)[1])
        other = await create_board(app_server.url, "En annan tavla")
        stranger = Caller(
            client, board["id"], (await join_board(app_server.url, other, "Bo"))["token"]
        )

        # Participants and the wall read the current målbild; a stranger does not.
        for reader in (ada, wall):
            read = await reader("GET", "/vision")
            assert read.status_code == 200, read.text
            assert [s["text"] for s in read.json()["vision"]["statements"]] == [
                "Biblioteket är en mötesplats",
                "Biblioteket väcker läslust",
            ]
        assert (await stranger("GET", "/vision")).status_code == 401
        assert (await client.get(f"/api/boards/{board['id']}/vision")).status_code == 401

        # Outside a round nothing is theirs to write.
        refused = await ada.part("statement:meet", "Biblioteket är en mötesplats", "Ändrat")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "round_closed"
        assert "facilitator opens" in refused.json()["detail"]
        whole = await ada("PUT", "/vision", json={"rev": 2, "vision": DOCUMENT})
        assert whole.status_code == 403
        assert (
            await ada("POST", "/vision/round", json={"open": True, "parts": ["summary"]})
        ).status_code == 403

        # The facilitator opens one statement and the open questions.
        bad = await facilitator("POST", "/vision/round", json={"open": True, "parts": ["nope"]})
        assert bad.status_code == 400 and "nope" in bad.json()["detail"]
        opened = await facilitator(
            "POST", "/vision/round", json={"open": True, "parts": ["questions", "statement:meet"]}
        )
        assert opened.status_code == 200, opened.text
        assert opened.json() == {"round": True, "parts": ["statement:meet", "questions"]}
        asked = await ada("GET", "/vision/round")
        assert asked.json() == {"round": True, "parts": ["statement:meet", "questions"]}
        async with YClient(
            f"{app_server.ws_url}/ws/{board['id']}/session?token={joined['token']}"
        ) as session:
            vision_map = schema.root_map(session.doc, "vision")
            await session.wait_for(lambda: vision_map.get("round") is True)
            assert vision_map.get("parts") == ["statement:meet", "questions"]
            before = vision_map.get("rev")

            wrote = await ada.part(
                "statement:meet",
                "Biblioteket är en mötesplats",
                "Biblioteket är en mötesplats för alla",
            )
            assert wrote.status_code == 200, wrote.text
            assert wrote.json()["rev"] > before
            # Every board of the målbild hears of the new rev (its pages reload).
            await session.wait_for(lambda: vision_map.get("rev") == wrote.json()["rev"])
        assert await _statement(facilitator, "meet") == "Biblioteket är en mötesplats för alla"

        for part in ("statement:read", "summary"):
            closed = await ada.part(part, "", "Något annat")
            assert closed.status_code == 403, closed.text
            assert closed.json()["error"] == "part_closed"
            assert part in closed.json()["detail"]
        assert await _statement(facilitator, "read") == "Biblioteket väcker läslust"
        from_wall = await wall.part("questions", "", "Från väggen")
        assert from_wall.status_code == 403 and from_wall.json()["error"] == "read_only"

        # A new open question from a participant, and an edit of an existing one.
        added = await ada.part("questions", "", "Vad behöver personalen lära sig?")
        assert added.status_code == 200, added.text
        edited = await ada.part(
            "questions", "Hur når vi de som inte kommer?", "Hur når vi dem som aldrig kommer?", "q1"
        )
        assert edited.status_code == 200, edited.text
        questions = [q["text"] for q in edited.json()["vision"]["questions"]]
        assert questions == [
            "Hur når vi dem som aldrig kommer?",
            "Vad behöver personalen lära sig?",
        ]

        # Closed again: the participant's next edit is refused, nothing changes.
        closed_round = await facilitator("POST", "/vision/round", json={"open": False})
        assert closed_round.json() == {"round": False, "parts": []}
        late = await ada.part("statement:meet", "Biblioteket är en mötesplats för alla", "Sent")
        assert late.status_code == 403
        assert await _statement(facilitator, "meet") == "Biblioteket är en mötesplats för alla"


async def test_two_participants_saving_one_part_at_once_keep_both_texts(
    app_server: InProcessServer,
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        board, facilitator = await _board_with_vision(app_server, client)
        ada = Caller(client, board["id"], (await join_board(app_server.url, board, "Ada"))["token"])
        bo = Caller(client, board["id"], (await join_board(app_server.url, board, "Bo"))["token"])
        opened = await facilitator(
            "POST", "/vision/round", json={"open": True, "parts": ["summary"]}
        )
        assert opened.status_code == 200
        base = DOCUMENT["summary"]
        assert isinstance(base, str)
        mine, theirs = f"{base} Öppet för alla.", f"{base} Med digitala tjänster."
        # Both started from the same text and save at the same moment.
        replies = await asyncio.gather(
            ada.part("summary", base, mine), bo.part("summary", base, theirs)
        )
        assert Counter(r.status_code for r in replies) == {200: 1, 409: 1}, [
            r.text for r in replies
        ]
        won = 0 if replies[0].status_code == 200 else 1
        lost = replies[1 - won]
        winner_text, loser_text = (mine, theirs) if won == 0 else (theirs, mine)
        # The refused one is told what the part says now, so nobody's words are lost.
        assert lost.json()["error"] == "part_changed"
        assert lost.json()["current"] == winner_text
        assert "merge" in lost.json()["detail"]
        loser = (ada, bo)[1 - won]
        merged = f"{winner_text}\n\n{loser_text}"
        again = await loser.part("summary", lost.json()["current"], merged)
        assert again.status_code == 200, again.text
        summary = (await facilitator("GET", "/vision")).json()["vision"]["summary"]
        assert "Öppet för alla." in summary and "Med digitala tjänster." in summary


async def test_the_logo_is_checked_and_goes_in_the_documents_headers(
    app_server: InProcessServer,
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        board, facilitator = await _board_with_vision(app_server, client)
        ada = Caller(client, board["id"], (await join_board(app_server.url, board, "Ada"))["token"])
        png = _png()

        async def upload(caller: Caller, data: bytes, media_type: str) -> httpx.Response:
            return await caller(
                "PUT", "/vision/logo", content=data, headers={"Content-Type": media_type}
            )

        text = await upload(facilitator, "Det här är ingen bild".encode(), "image/png")
        assert text.status_code == 400, text.text
        assert text.json()["error"] == "invalid_logo"
        assert "PNG or JPEG" in text.json()["detail"]
        cut = await upload(facilitator, png[:20], "image/png")
        assert cut.status_code == 400 and "could not be read" in cut.json()["detail"]
        big = await upload(facilitator, png + b"\x00" * (600 * 1024), "image/png")
        assert big.status_code == 413, big.text
        assert big.json()["error"] == "logo_too_large"
        assert "512 KiB" in big.json()["detail"]
        plain = await upload(facilitator, png, "text/plain")
        assert plain.status_code == 415
        assert (await upload(ada, png, "image/png")).status_code == 403
        # Nothing of the refused uploads was kept.
        assert (await facilitator("GET", f"/b/{board['id']}/vision/logo")).status_code == 404

        stored = await upload(facilitator, png, "image/png")
        assert stored.status_code == 201, stored.text
        assert stored.json() == {"media_type": "image/png", "bytes": len(png)}
        shown = await ada("GET", f"/b/{board['id']}/vision/logo")
        assert shown.status_code == 200 and shown.content == png
        assert shown.headers["content-type"] == "image/png"

        docx = await facilitator("GET", f"/b/{board['id']}/vision.docx")
        assert docx.status_code == 200, docx.text
        document = Document(io.BytesIO(docx.content))
        header = document.sections[0].header
        images = [
            rel.target_part.blob for rel in header.part.rels.values() if rel.reltype == RT.IMAGE
        ]
        assert images == [png]
        assert LIBRARY in header.paragraphs[0].text
        footer_xml = document.sections[0].footer._element.xml
        assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
        assert "Sida" in document.sections[0].footer.paragraphs[0].text
        assert LIBRARY in document.sections[0].footer.paragraphs[0].text
        body = "\n".join(p.text for p in document.paragraphs)
        assert "Biblioteket är en mötesplats" in body

        html = (await facilitator("GET", f"/b/{board['id']}/vision.html")).text
        assert '<header class="masthead"><img src="data:image/png;base64,' in html
        assert "counter(page)" in html and "counter(pages)" in html

        # Removed, the documents have no picture in their header any more.
        assert (await facilitator("DELETE", "/vision/logo")).status_code == 200
        again = await facilitator("GET", f"/b/{board['id']}/vision.docx")
        header = Document(io.BytesIO(again.content)).sections[0].header
        assert not [r for r in header.part.rels.values() if r.reltype == RT.IMAGE]
        assert LIBRARY in header.paragraphs[0].text


async def test_a_board_deleted_with_its_logo_leaves_no_logo_behind(
    app_server: InProcessServer,
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as client:
        board, facilitator = await _board_with_vision(app_server, client)
        stored = await facilitator(
            "PUT", "/vision/logo", content=_png(), headers={"Content-Type": "image/png"}
        )
        assert stored.status_code == 201, stored.text
        # The logo row refers to the målbild: the delete removes it first, on both backends.
        deleted = await facilitator("DELETE", "")
        assert deleted.status_code == 204, deleted.text
        gone = await facilitator("GET", f"/b/{board['id']}/vision/logo")
        assert gone.status_code in (401, 404), gone.text


async def test_the_round_and_the_saves_reach_a_participant_on_another_process(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url, "Målbild", template="malbild-workshop")
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=30) as on_a,
            httpx.AsyncClient(base_url=b.url, timeout=30) as on_b,
        ):
            facilitator = Caller(on_a, board["id"], board["facilitator_key"])
            made = await facilitator("POST", "/vision", json={"library": LIBRARY})
            assert made.status_code == 201, made.text
            joined = await join_board(b.url, board, "Ada")
            ada = Caller(on_b, board["id"], joined["token"])
            async with YClient(f"{b.ws_url}/ws/{board['id']}/session?token={joined['token']}") as s:
                vision_map = schema.root_map(s.doc, "vision")
                saved = await facilitator(
                    "PUT", "/vision", json={"rev": made.json()["rev"], "vision": DOCUMENT}
                )
                assert saved.status_code == 200, saved.text
                # The save on process A tells Ada's board on process B.
                await s.wait_for(lambda: vision_map.get("rev") == saved.json()["rev"])
                opened = await facilitator(
                    "POST", "/vision/round", json={"open": True, "parts": ["summary"]}
                )
                assert opened.status_code == 200, opened.text
                await s.wait_for(lambda: vision_map.get("round") is True)
                # Process B lets Ada write the part that process A opened.
                wrote = await ada.part("summary", str(DOCUMENT["summary"]), "Ett nytt korthet")
                assert wrote.status_code == 200, wrote.text
                read = await facilitator("GET", "/vision")
                assert read.json()["vision"]["summary"] == "Ett nytt korthet"
