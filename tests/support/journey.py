"""Driving a journey over HTTP and y-websocket as a signed-in facilitator."""

from __future__ import annotations

import asyncio
from typing import Any

from boards import schema
from tests.support.accounts import Member
from tests.support.servers import InProcessServer, ServerProcess, eventually
from tests.support.yjs import YClient

Server = InProcessServer | ServerProcess


async def start(member: Member, journey_id: str, step: int, **body: Any) -> list[dict[str, Any]]:
    response = await member.client.post(f"/api/journeys/{journey_id}/steps/{step}/start", json=body)
    assert response.status_code == 201, response.text
    boards: list[dict[str, Any]] = response.json()["boards"]
    return boards


async def board_json(member: Member, board_id: str) -> dict[str, Any]:
    response = await member.client.get(f"/b/{board_id}/export.json")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def by_title(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["title"]: item for item in items}


async def cluster_workshop(
    server: Server, member: Member, board_id: str, themes: dict[str, list[str]]
) -> None:
    """As the facilitator: one cluster per theme in the first sections, its notes in it."""
    async with YClient(f"{server.ws_url}/ws/{board_id}", headers={"cookie": member.cookie}) as y:
        await y.wait_for(lambda: len(schema.sections_map(y.doc)) == 6)
        sections = sorted(
            (schema.sections_map(y.doc).to_py() or {}).items(), key=lambda kv: kv[1]["order"]
        )
        for i, (theme, texts) in enumerate(themes.items()):
            sid = sections[i][0]
            cid = schema.add_cluster(
                y.doc, title=theme, x=40, y=200, w=600, h=400, color="#cfe6ff", section=sid
            )
            for n, text in enumerate(texts):
                schema.add_note(
                    y.doc,
                    text=text,
                    x=60 + n * 10,
                    y=260,
                    color="#fff3b0",
                    author="",
                    created_ms=schema.now_ms(),
                    section=sid,
                    cluster=cid,
                )
        await arrived(server, board_id, len(schema.notes_map(y.doc)), member)


async def arrived(server: Server, board_id: str, notes: int, member: Member | None = None) -> None:
    """Until the server's live doc of the board holds `notes` notes: read in the process,
    or, for a server in a child process, through the member's export."""
    if isinstance(server, InProcessServer):

        def there() -> bool:
            room = server.app.state.rooms.get(board_id)
            return room is not None and len(schema.notes_map(room.doc)) >= notes

        await eventually(there)
        return
    assert member is not None
    async with asyncio.timeout(10):
        # A child process exposes no event: its export is the state to wait on.
        while len((await board_json(member, board_id))["notes"]) < notes:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def answer(
    server: Server, member: Member, board_id: str, theme: str, question: str, text: str
) -> str:
    """Put a note into `question`'s cluster of the deepening board's `theme` section."""
    async with YClient(f"{server.ws_url}/ws/{board_id}", headers={"cookie": member.cookie}) as y:
        await y.wait_for(lambda: len(schema.clusters_map(y.doc)) > 0)
        sections = schema.sections_map(y.doc).to_py() or {}
        sid = next(k for k, s in sections.items() if s["title"].endswith(theme))
        clusters = schema.clusters_map(y.doc)
        cid = next(
            k for k, c in clusters.items() if c["section"] == sid and str(c["title"]) == question
        )
        before = len(schema.notes_map(y.doc))
        nid = schema.add_note(
            y.doc,
            text=text,
            x=0,
            y=0,
            color="#ffd8a8",
            author="",
            created_ms=schema.now_ms(),
            section=sid,
            cluster=cid,
        )
        await arrived(server, board_id, before + 1, member)
    return nid
