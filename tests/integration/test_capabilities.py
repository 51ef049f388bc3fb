"""boards/capabilities.json is the one rule of what participants may do per phase: the
board rules read it, and the server's write check enforces it on real sockets."""

from __future__ import annotations

from typing import Any

import httpx
from pycrdt import Map, Text

from boards.facilitation import PHASES, capabilities
from server.sync import protocol
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient


def test_the_table_gives_each_phase_its_rules() -> None:
    brainstorm = capabilities("brainstorm")
    assert brainstorm.silent_notes and brainstorm.edit and not brainstorm.vote
    vote = capabilities("vote")
    assert vote.vote and not vote.edit and not vote.add_notes
    allowed = capabilities("vote", notes_while_voting=True)
    assert allowed.vote and allowed.edit and allowed.add_notes
    for phase in PHASES:
        locked = capabilities(phase, locked=True)
        assert not (locked.edit or locked.add_notes or locked.vote), phase
    closed = capabilities("closed")
    assert not (closed.edit or closed.add_notes or closed.vote)


def _socket(server: InProcessServer, board: dict[str, Any], secret: str) -> YClient:
    return YClient(f"{server.ws_url}/ws/{board['id']}?token={secret}")


def _texts(client: YClient) -> dict[str, str]:
    return {k: str(v["text"]) for k, v in client.doc.get("notes", type=Map).items()}


def _was_told_read_only(client: YClient) -> bool:
    return any(isinstance(protocol.decode(f), protocol.Auth) for f in client.received)


async def _post(
    server: InProcessServer, board: dict[str, Any], what: str, body: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        response = await client.post(f"/api/boards/{board['id']}/{what}", json=body)
    assert response.status_code == 200, response.text


async def test_participants_edits_during_the_vote_wait_for_notes_while_voting(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Röstning")
    anna = await join_board(app_server.url, board, "Anna")
    key = board["facilitator_key"]
    await set_phase(app_server.url, board, "cluster")
    async with (
        _socket(app_server, board, key) as fac,
        _socket(app_server, board, anna["token"]) as a,
    ):
        await a.wait_for(a.synced.is_set)
        fac.doc.get("notes", type=Map)["n1"] = Map({"text": Text("idé")})
        await a.wait_for(lambda: _texts(a).get("n1") == "idé")
        await set_phase(app_server.url, board, "vote")
        text = a.doc.get("notes", type=Map)["n1"]["text"]
        text.insert(len(text), " (ändrad)")
        # The vote makes the board read-only for participants, as the client shows it:
        # the server says so and keeps the edit out of the board.
        await a.wait_for(lambda: _was_told_read_only(a))
        async with _socket(app_server, board, key) as late:
            await late.wait_for(late.synced.is_set)
            assert _texts(late)["n1"] == "idé"
        assert _texts(fac)["n1"] == "idé"
        # With notes_while_voting the held-back edit merges, and new ones go through.
        await _post(app_server, board, "settings", {"notes_while_voting": True})
        await fac.wait_for(lambda: _texts(fac).get("n1") == "idé (ändrad)")
        a.doc.get("notes", type=Map)["n2"] = Map({"text": Text("under röstningen")})
        await fac.wait_for(lambda: _texts(fac).get("n2") == "under röstningen")
