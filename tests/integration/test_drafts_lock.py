"""Issue 10, finding 4: a participant's drafts doc is read-only whenever the board is.

Real Yjs peers over real sockets: an edit refused while the board is locked or closed is
not in the server's drafts doc (a fresh peer of the same participant does not see it),
the participant is told "read-only" as on the board socket, and after the unlock the
held-back edit merges like an offline one.
"""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Map, Text

from server.sync import protocol
from tests.integration.test_facilitation import notes_of, post, session_map, socket
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

pytestmark = pytest.mark.asyncio


def _denials(client: YClient) -> list[str | None]:
    """The reasons of the auth (permission denied) frames the server sent this peer."""
    reasons = []
    for frame in client.received:
        message = protocol.decode(frame)
        if isinstance(message, protocol.Auth):
            reasons.append(message.denied_reason)
    return reasons


async def _drafts_seen_by_server(
    server: InProcessServer, board: dict[str, Any], token: str
) -> dict[str, str]:
    """The participant's drafts as the server holds them, through a fresh peer."""
    async with socket(server, board, token, "/drafts") as fresh:
        await fresh.wait_for(fresh.synced.is_set)
        return notes_of(fresh)


async def test_drafts_are_read_only_while_locked_and_merge_after_the_unlock(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Låst", template="malbild-workshop")
    key = board["facilitator_key"]
    anna = await join_board(app_server.url, board, "Anna")
    lock = f"/api/boards/{board['id']}/lock"
    async with (
        socket(app_server, board, anna["token"], "/drafts") as drafts,
        socket(app_server, board, key, "/session") as session,
    ):
        await drafts.wait_for(drafts.synced.is_set)
        drafts.doc.get("notes", type=Map)["before"] = Map({"text": Text("före låset")})
        pid = anna["participant_id"]
        await session.wait_for(
            lambda: session_map(session, "drafts").get(pid, {}).get("count") == 1
        )

        assert (await post(app_server, lock, key, {"content": True})).status_code == 200
        drafts.doc.get("notes", type=Map)["locked"] = Map({"text": Text("under låset")})
        await drafts.wait_for(lambda: "read-only" in _denials(drafts))
        assert await _drafts_seen_by_server(app_server, board, anna["token"]) == {
            "before": "före låset"
        }
        assert session_map(session, "drafts")[pid]["count"] == 1

        assert (await post(app_server, lock, key, {"content": False})).status_code == 200
        drafts.doc.get("notes", type=Map)["after"] = Map({"text": Text("efter låset")})
        await session.wait_for(
            lambda: session_map(session, "drafts").get(pid, {}).get("count") == 3
        )
        # What Anna wrote while locked was held back, then merged like an offline edit.
        assert await _drafts_seen_by_server(app_server, board, anna["token"]) == {
            "before": "före låset",
            "locked": "under låset",
            "after": "efter låset",
        }


async def test_drafts_are_read_only_on_a_closed_board_but_not_for_the_facilitator(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Stängd", template="malbild-workshop")
    key = board["facilitator_key"]
    bo = await join_board(app_server.url, board, "Bo")
    await set_phase(app_server.url, board, "closed")
    async with socket(app_server, board, bo["token"], "/drafts") as drafts:
        await drafts.wait_for(drafts.synced.is_set)
        drafts.doc.get("notes", type=Map)["late"] = Map({"text": Text("för sent")})
        await drafts.wait_for(lambda: "read-only" in _denials(drafts))
    assert await _drafts_seen_by_server(app_server, board, bo["token"]) == {}
    # The facilitator's own drafts doc follows no phase.
    async with socket(app_server, board, key, "/drafts") as mine:
        await mine.wait_for(mine.synced.is_set)
        mine.doc.get("notes", type=Map)["own"] = Map({"text": Text("min egen")})
        async with socket(app_server, board, key, "/drafts") as check:
            await check.wait_for(lambda: notes_of(check).get("own") == "min egen")
