"""Several processes on one board through PostgreSQL and Redis: real processes, nginx."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycrdt import Map, Text

from tests.support.boards import create_board
from tests.support.cluster import board_url, note_ids, notes_json, running_cluster
from tests.support.services import RedisServer
from tests.support.yjs import YClient


async def _connected(url: str) -> YClient:
    client = YClient(url)
    await client.connect()
    await client.wait_for(client.synced.is_set)
    return client


def _add_notes(client: YClient, prefix: str, count: int) -> None:
    notes = client.doc.get("notes", type=Map)
    for i in range(count):
        notes[f"{prefix}-{i}"] = Map({"text": Text(f"{prefix} idé {i}"), "x": float(i), "y": 0.0})


@pytest.mark.parametrize("count", [2, 3])
async def test_concurrent_edits_on_every_process_converge(
    tmp_path: Path, pg_url: str, redis_server: RedisServer, count: int
) -> None:
    # The poll of the log is the safety net; here every update must come through Redis.
    no_poll = {"SAMSYN_CLUSTER_POLL_S": "3600"}
    with running_cluster(tmp_path, pg_url, redis_server, count, no_poll) as nodes:
        board = await create_board(nodes[0].url)
        clients = [await _connected(board_url(n.ws_url, board)) for n in nodes]
        try:
            for i, client in enumerate(clients):
                _add_notes(client, f"p{i}", 30)
            # Everyone also edits one shared note's text at once.
            shared = clients[0].doc.get("notes", type=Map)["p0-0"]["text"]
            shared.insert(0, "A ")
            expected = {f"p{i}-{j}" for i in range(count) for j in range(30)}
            for client in clients:
                await client.wait_for(lambda c=client: expected <= note_ids(c))
            for client in clients[1:]:
                client.doc.get("notes", type=Map)["p0-0"]["text"].insert(0, "B ")
            for client in clients:
                await client.wait_for(
                    lambda c=client: str(notes_json(c)["p0-0"]["text"]).count("B ") == count - 1
                )
            states = [notes_json(c) for c in clients]
            assert all(state == states[0] for state in states)
            # A fresh client, on any process, gets the same state.
            fresh = await _connected(board_url(nodes[-1].ws_url, board))
            assert notes_json(fresh) == states[0]
            await fresh.close()
        finally:
            for client in clients:
                await client.close()
    # A cold load from PostgreSQL alone (no process had the board in memory).
    with running_cluster(tmp_path, pg_url, None, 1) as (cold,):
        async with YClient(board_url(cold.ws_url, board)) as again:
            await again.wait_for(again.synced.is_set)
            assert notes_json(again) == states[0]
