"""A small Målbild workshop played through real websocket clients, for the export tests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from boards import schema
from server.store import CheckpointRecord, Store
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

TITLE = "Stadsbiblioteket <Norr> & Co"
DOCUMENT_TITLE = f"Målbild 0.5 — {TITLE}"
HOSTILE = '<img src=x onerror="alert(1)"> **fet** =1+1'
# Ranked as the room voted: 3, 2 and 1 votes.
CLUSTERS = ("Mötesplats för alla", "Digital delaktighet", "Läsfrämjande")
AUTHORS = ("Ada Ekström", "Bo Nyqvist", "Cy Åberg")
NOTES: tuple[tuple[int, str, str], ...] = (
    # (author index, text, cluster title or "" for a loose note in the first section)
    (0, "Kafé och soffor i entrén", "Mötesplats för alla"),
    (1, "Öppet sent på fredagar", "Mötesplats för alla"),
    (2, "Hjälp med BankID", "Digital delaktighet"),
    (0, "Kurser för seniorer", "Digital delaktighet"),
    (1, "Bokcirklar för unga", "Läsfrämjande"),
    (2, HOSTILE, "Läsfrämjande"),
    (0, "مرحبا بالجميع 📚", ""),
)
CHECKPOINT = "Dag 1 klar"


@dataclass
class Workshop:
    board: dict[str, Any]
    participants: list[dict[str, Any]]  # the three authors, then one who wrote nothing
    sections: list[str]  # template order
    clusters: dict[str, str] = field(default_factory=dict)  # title -> id
    notes: dict[str, str] = field(default_factory=dict)  # text -> id

    @property
    def key(self) -> str:
        return str(self.board["facilitator_key"])


def ws_url(server: InProcessServer, board: dict[str, Any], token: str) -> str:
    return f"{server.ws_url}/ws/{board['id']}?token={token}"


def section_ids(client: YClient) -> list[str]:
    sections = schema.sections_map(client.doc).to_py() or {}
    return [sid for sid, _ in sorted(sections.items(), key=lambda kv: kv[1]["order"])]


async def run_workshop(server: InProcessServer) -> Workshop:
    """Clusters by the facilitator, notes by three participants, votes and a checkpoint."""
    board = await create_board(server.url, TITLE, template="malbild-workshop", language="sv")
    people = [await join_board(server.url, board, name) for name in (*AUTHORS, "Di Tyst")]
    await set_phase(server.url, board, "cluster")
    async with YClient(ws_url(server, board, board["facilitator_key"])) as facilitator:
        await facilitator.wait_for(lambda: len(section_ids(facilitator)) == 6)
        shop = Workshop(board, people, section_ids(facilitator))
        for i, title in enumerate(CLUSTERS):
            shop.clusters[title] = schema.add_cluster(
                facilitator.doc,
                title=title,
                x=i * 1400 + 40,
                y=160,
                w=600,
                h=500,
                color="#cfe6ff",
                section=shop.sections[i],
            )
        for index, person in enumerate(people[:3]):
            async with YClient(ws_url(server, board, person["token"])) as client:
                await client.wait_for(lambda c=client: len(schema.clusters_map(c.doc)) == 3)
                for n, (author, text, cluster) in enumerate(NOTES):
                    if author != index:
                        continue
                    shop.notes[text] = schema.add_note(
                        client.doc,
                        text=text,
                        x=40 + 180 * n,
                        y=700,
                        color=schema.DEFAULT_NOTE_COLOR,
                        author=AUTHORS[author],
                        created_ms=1_700_000_000_000 + n,
                        cluster=shop.clusters.get(cluster),
                        section=None if cluster else shop.sections[0],
                    )
                # The facilitator seeing them means the server has applied them.
                mine = [shop.notes[t] for a, t, _ in NOTES if a == index]
                notes = schema.notes_map(facilitator.doc)
                await facilitator.wait_for(lambda m=mine, ns=notes: all(i in ns for i in m))
    store: Store = server.app.state.store
    votes = {CLUSTERS[0]: 3, CLUSTERS[1]: 2, CLUSTERS[2]: 1}
    for cluster, count in votes.items():
        for voter in people[:count]:
            await store.cast_vote(
                board["id"], voter["participant_id"], shop.clusters[cluster], 1, 5
            )
    await store.create_checkpoint(
        CheckpointRecord("cp1", board["id"], CHECKPOINT, int(time.time() * 1000)), b"", b""
    )
    return shop


async def download(server: InProcessServer, board_id: str, fmt: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        return await client.get(
            f"/b/{board_id}/export.{fmt}", headers={"Authorization": f"Bearer {token}"}
        )
