"""The per-item maximum of dots and the facilitator's view of who has voted, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.test_facilitation import (
    _open_voting,
    bearer,
    get,
    post,
    session_map,
    socket,
)
from tests.support.boards import create_board, join_board
from tests.support.servers import InProcessServer


@pytest.fixture
async def room(app_server: InProcessServer) -> dict[str, Any]:
    """A board with the facilitator's key and two participants, Anna and Bo."""
    board = await create_board(app_server.url, "Röster", template="malbild-workshop")
    anna = await join_board(app_server.url, board, "Anna")
    bo = await join_board(app_server.url, board, "Bo")
    return {"board": board, "key": board["facilitator_key"], "anna": anna, "bo": bo}


async def test_max_per_item_is_enforced_with_409(
    app_server: InProcessServer, room: dict[str, Any]
) -> None:
    board = await _open_voting(app_server, room, max_per_item=2)
    path = f"/api/boards/{board['id']}/votes"
    async with httpx.AsyncClient(
        base_url=app_server.url, headers=bearer(room["anna"]["token"])
    ) as client:
        for _ in range(2):
            assert (await client.post(path, json={"target": "c1", "delta": 1})).status_code == 200
        third = await client.post(path, json={"target": "c1", "delta": 1})
        assert third.status_code == 409 and third.json()["error"] == "item_limit"
        # The refused dot is not spent: it can go on another item.
        other = await client.post(path, json={"target": "c2", "delta": 1})
        assert other.json() == {"remaining": 2, "mine": {"c1": 2, "c2": 1}}
    # 0 lifts the maximum again.
    lifted = await post(
        app_server, f"/api/boards/{board['id']}/voting", room["key"], {"max_per_item": 0}
    )
    assert lifted.json()["voting"]["max_per_item"] == 0
    again = await post(app_server, path, room["anna"]["token"], {"target": "c1", "delta": 1})
    assert again.status_code == 200 and again.json()["mine"]["c1"] == 3
    bad = await post(
        app_server, f"/api/boards/{board['id']}/voting", room["key"], {"max_per_item": -1}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_field"


async def test_facilitator_sees_who_has_voted_and_the_session_only_counts(
    app_server: InProcessServer, room: dict[str, Any]
) -> None:
    board = await _open_voting(app_server, room)
    status_path = f"/api/boards/{board['id']}/votes/status"
    refused = await get(app_server, status_path, room["anna"]["token"])
    assert refused.status_code == 403
    await post(
        app_server,
        f"/api/boards/{board['id']}/votes",
        room["anna"]["token"],
        {"target": "c1", "delta": 1},
    )
    # The facilitator's own dot does not count as a participant having voted.
    await post(
        app_server,
        f"/api/boards/{board['id']}/votes",
        room["key"],
        {"target": "c2", "delta": 1},
    )
    status = (await get(app_server, status_path, room["key"])).json()
    assert status["voted"] == 1 and status["participants"] == 2 and status["budget"] == 5
    assert status["voters"] == [
        {
            "participant_id": room["anna"]["participant_id"],
            "name": "Anna",
            "used": 1,
            "remaining": 4,
        },
        {
            "participant_id": room["bo"]["participant_id"],
            "name": "Bo",
            "used": 0,
            "remaining": 5,
        },
    ]
    async with socket(app_server, board, room["bo"]["token"], "/session") as bo:
        await bo.wait_for(lambda: session_map(bo, "voting").get("voted") == 1)
        assert "Anna" not in str(session_map(bo, "voting"))
    reset = await post(
        app_server, f"/api/boards/{board['id']}/voting", room["key"], {"reset": True}
    )
    assert reset.json()["voting"]["voted"] == 0
