"""Facilitation with the facilitator and the participants on different processes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Map, Text

from tests.support.boards import create_board, join_board
from tests.support.cluster import running_cluster
from tests.support.servers import ServerProcess
from tests.support.services import RedisServer
from tests.support.yjs import YClient


async def _post(
    node: ServerProcess, path: str, secret: str, body: dict[str, Any]
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=node.url, timeout=10) as client:
        return await client.post(path, json=body, headers={"Authorization": f"Bearer {secret}"})


def _map(client: YClient, name: str) -> dict[str, Any]:
    return client.doc.get(name, type=Map).to_py() or {}


def _socket(node: ServerProcess, board: dict[str, Any], secret: str, doc: str = "") -> YClient:
    return YClient(f"{node.ws_url}/ws/{board['id']}{doc}?token={secret}")


async def test_phase_timer_lock_and_reveal_across_processes(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url, "Workshop", template="malbild-workshop")
        key, api = board["facilitator_key"], f"/api/boards/{board['id']}"
        anna = await join_board(b.url, board, "Anna")
        bo = await join_board(a.url, board, "Bo")
        async with (
            _socket(b, board, anna["token"], "/session") as anna_session,
            _socket(b, board, anna["token"], "/drafts") as anna_drafts,
            _socket(a, board, bo["token"], "/drafts") as bo_drafts,
            _socket(b, board, anna["token"]) as anna_board,
        ):
            for client in (anna_session, anna_drafts, bo_drafts, anna_board):
                await client.wait_for(client.synced.is_set)
            # Drafts written on both processes are counted for everyone ...
            anna_drafts.doc.get("notes", type=Map)["a0"] = Map({"text": Text("Anna 0")})
            bo_drafts.doc.get("notes", type=Map)["b0"] = Map({"text": Text("Bo 0")})
            await anna_session.wait_for(
                lambda: sum(d["count"] for d in _map(anna_session, "drafts").values()) == 2
            )
            # ... and revealed once, though the reveal reaches both processes at once.
            first, second = await asyncio.gather(
                _post(a, f"{api}/reveal", key, {}), _post(b, f"{api}/reveal", key, {})
            )
            assert first.status_code == second.status_code == 200
            await anna_board.wait_for(lambda: {"a0", "b0"} <= set(_map(anna_board, "notes")))
            notes = _map(anna_board, "notes")
            assert len(notes) == 2
            assert {nid: str(n["text"]) for nid, n in notes.items()} == {
                "a0": "Anna 0",
                "b0": "Bo 0",
            }
            # The phase set on a shows on b, the timer started on b shows on a's answer.
            moved = await _post(a, f"{api}/phase", key, {"name": "cluster"})
            assert moved.status_code == 200
            await anna_session.wait_for(lambda: _map(anna_session, "phase")["name"] == "cluster")
            started = await _post(b, f"{api}/timer", key, {"duration_s": 120})
            assert started.json()["phase"]["name"] == "cluster"
            paused = await _post(a, f"{api}/timer", key, {"action": "pause"})
            assert paused.status_code == 200, paused.text
            assert paused.json()["timer"]["paused_left_s"] is not None
            await anna_session.wait_for(lambda: _map(anna_session, "timer")["ends_at"] is None)
            # A lock set on a makes Anna's socket on b read-only.
            locked = await _post(a, f"{api}/lock", key, {"content": True})
            assert locked.status_code == 200
            await anna_session.wait_for(lambda: _map(anna_session, "lock")["content"] is True)
            anna_board.doc.get("notes", type=Map)["late"] = Map({"text": Text("låst")})
            async with _socket(a, board, key) as fac:
                await fac.wait_for(fac.synced.is_set)
                fac.doc.get("notes", type=Map)["fac"] = Map({"text": Text("facilitatorn")})
                await anna_board.wait_for(lambda: "fac" in _map(anna_board, "notes"))
                assert "late" not in _map(fac, "notes")
                # Unlocked on a, the process Anna is not on: what she wrote meanwhile
                # merges (b asks her socket for it when it learns of the unlock).
                await _post(a, f"{api}/lock", key, {"content": False})
                await fac.wait_for(lambda: "late" in _map(fac, "notes"))


async def test_vote_budget_and_tallies_over_two_processes(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url, "Röstning")
        key, api = board["facilitator_key"], f"/api/boards/{board['id']}"
        anna = await join_board(a.url, board, "Anna")
        async with _socket(a, board, key) as fac:
            await fac.wait_for(fac.synced.is_set)
            clusters = fac.doc.get("clusters", type=Map)
            for cid in ("c1", "c2"):
                clusters[cid] = Map({"title": Text(cid), "x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0})
            async with _socket(b, board, key) as other:
                await other.wait_for(lambda: len(_map(other, "clusters")) == 2)
        body = {"open": True, "budget": 5, "target": "clusters", "tallies_visible": True}
        assert (await _post(b, f"{api}/voting", key, body)).status_code == 200
        responses = await asyncio.gather(
            *(
                _post(
                    a if i % 2 else b, f"{api}/votes", anna["token"], {"target": "c1", "delta": 1}
                )
                for i in range(20)
            )
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] * 5 + [409] * 15
        assert {r.json()["error"] for r in responses if r.status_code == 409} == {
            "budget_exhausted"
        }
        # Every process's session doc ends with the tally the votes add up to.
        async with (
            _socket(a, board, key, "/session") as on_a,
            _socket(b, board, key, "/session") as on_b,
        ):
            for client in (on_a, on_b):
                await client.wait_for(lambda c=client: _map(c, "tallies") == {"c1": 5})
