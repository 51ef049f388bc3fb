"""Several processes on one board through PostgreSQL and Redis: real processes, nginx."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Map, Text

from server.sync import protocol
from tests.support.boards import create_board
from tests.support.cluster import board_url, note_ids, notes_json, running_cluster
from tests.support.servers import ServerProcess, eventually
from tests.support.services import PostgresServer, RedisServer, nginx_in_front
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


def _presence(client_id: int, clock: int, name: str) -> bytes:
    state = json.dumps({"user": {"name": name}, "cursor": {"x": 1, "y": 2}})
    entry = protocol.AwarenessEntry(client_id, clock, state)
    return protocol.encode_awareness(protocol.encode_awareness_update([entry]))


async def test_presence_crosses_processes_and_leaves_with_a_dead_one(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    env = {"SAMSYN_AWARENESS_TIMEOUT_S": "2"}
    with running_cluster(tmp_path, pg_url, redis_server, 2, env) as (a, b):
        board = await create_board(a.url)
        on_a = await _connected(board_url(a.ws_url, board))
        on_b = await _connected(board_url(b.ws_url, board))
        try:
            await on_a.send(_presence(4711, 1, "Ada"))
            await on_b.wait_for(lambda: 4711 in on_b.awareness)
            assert '"Ada"' in on_b.awareness[4711]
            # Cursors cross the other way too, and a newcomer on b is told who is on a.
            await on_b.send(_presence(4712, 1, "Bea"))
            await on_a.wait_for(lambda: 4712 in on_a.awareness)
            await on_a.send(_presence(4711, 2, "Ada"))
            late = await _connected(board_url(b.ws_url, board))
            await late.wait_for(lambda: {4711, 4712} <= set(late.awareness))
            # Ada's process dies without a word: her cursor goes within the timeout.
            a.kill()
            await late.wait_for(lambda: 4711 not in late.awareness, within=2 + 4)
            await on_b.wait_for(lambda: 4711 not in on_b.awareness)
            assert 4712 in late.awareness  # b's own client is still here
            await late.close()
        finally:
            await on_a.close()
            await on_b.close()


async def _write_until(client: YClient, prefix: str, stop: asyncio.Event) -> None:
    notes = client.doc.get("notes", type=Map)
    i = 0
    while not stop.is_set():
        notes[f"{prefix}-{i}"] = Map({"text": Text(f"{prefix} {i} " + "å" * 500), "x": 1.0})
        i += 1
        await asyncio.sleep(0.002)


def _host_of(board: dict[str, Any], nodes: list[ServerProcess]) -> ServerProcess:
    """The process nginx sent the board's websockets to (from the access logs)."""
    hosts = [n for n in nodes if f"/ws/{board['id']}" in n.log.read_text(errors="replace")]
    assert len(hosts) == 1, f"expected one process with the board, got {len(hosts)}"
    return hosts[0]


async def test_kill_9_behind_nginx_loses_nothing_any_client_had(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    # A short stream: Redis keeps a window of the log, never all of it.
    short = {"SAMSYN_REDIS_STREAM_MAXLEN": "10"}
    with (
        running_cluster(tmp_path, pg_url, redis_server, 2, short) as nodes,
        nginx_in_front([n.port for n in nodes]) as proxy,
    ):
        board = await create_board(proxy.url)
        writers = [await _connected(board_url(proxy.ws_url, board)) for _ in range(3)]
        victim = _host_of(board, nodes)
        survivor = next(n for n in nodes if n is not victim)
        # A watcher straight on the survivor: it hears the victim's clients through Redis.
        watcher = await _connected(board_url(survivor.ws_url, board))
        stop = asyncio.Event()
        streams = [
            asyncio.create_task(_write_until(w, f"w{i}", stop)) for i, w in enumerate(writers)
        ]
        try:
            await watcher.wait_for(lambda: len(note_ids(watcher)) >= 150, within=30)
            victim.kill()
            seen = note_ids(watcher) | set().union(*(note_ids(w) for w in writers))
            stop.set()
            await asyncio.gather(*streams)
            for writer in writers:
                await writer.wait_closed()
            written = set().union(*(note_ids(w) for w in writers))
            # They reconnect through nginx, to the survivor, and send what it lacks.
            for writer in writers:
                await writer.connect()
            for client in [*writers, watcher]:
                await client.wait_for(lambda c=client: note_ids(c) == written, within=15)
            assert seen <= written
            stream = f"samsyn:log:{board['id']}"
            kept = int(redis_server.command("XLEN", stream)[1:].split(b"\r")[0])
            assert 0 < kept < len(written)
            assert int(redis_server.command("TTL", stream)[1:].split(b"\r")[0]) > 0
        finally:
            for client in [*writers, watcher]:
                with contextlib.suppress(Exception):
                    await client.close()
    # Exact counts: the log of record holds every note, no more, no fewer.
    with running_cluster(tmp_path, pg_url, None, 1) as (cold,):
        async with YClient(board_url(cold.ws_url, board)) as again:
            await again.wait_for(again.synced.is_set)
            assert note_ids(again) == written


async def test_nobody_sees_an_update_before_postgresql_committed_it(
    tmp_path: Path, pg_url: str, redis_server: RedisServer, postgres_server: PostgresServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url)
        writer = await _connected(board_url(a.ws_url, board))
        near = await _connected(board_url(a.ws_url, board))
        far = await _connected(board_url(b.ws_url, board))
        postgres_server.pause()
        try:
            _add_notes(writer, "held", 1)
            # The server answers an awareness query in order: then it has the update.
            await writer.send(protocol.encode_query_awareness())
            answered = len(writer.received)
            await writer.wait_for(lambda: len(writer.received) > answered)
            for client in (near, far):
                with pytest.raises(TimeoutError):
                    await client.wait_for(lambda c=client: "held-0" in note_ids(c), within=1)
        finally:
            postgres_server.resume()
        for client in (near, far):
            await client.wait_for(lambda c=client: "held-0" in note_ids(c))
        for client in (writer, near, far):
            await client.close()


async def test_redis_killed_or_flushed_mid_session_loses_nothing(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url)
        clients = [await _connected(board_url(node.ws_url, board)) for node in (a, b, a, b)]
        try:
            expected: set[str] = set()
            for step, trouble in enumerate(("none", "kill", "restart", "flush")):
                if trouble == "kill":
                    redis_server.kill()
                elif trouble == "restart":
                    redis_server.start()
                elif trouble == "flush":
                    redis_server.command("FLUSHALL")
                for i, client in enumerate(clients):
                    _add_notes(client, f"s{step}c{i}", 5)
                    expected |= {f"s{step}c{i}-{j}" for j in range(5)}
                for client in clients:
                    await client.wait_for(
                        lambda c=client, want=set(expected): note_ids(c) == want, within=5
                    )
            # Both processes listen for the board's presence again after the restart ...
            channel = f"samsyn:aw:{board['id']}"
            await eventually(lambda: _subscribers(redis_server, channel) == 2)
        finally:
            for client in clients:
                await client.close()
        # ... and stop once the board unloads (its clients gone, SAMSYN_UNLOAD_GRACE_S=1).
        await eventually(lambda: _subscribers(redis_server, channel) == 0)


def _subscribers(redis: RedisServer, channel: str) -> int:
    reply = redis.command("PUBSUB", "NUMSUB", channel)
    return int(reply.rsplit(b":", 1)[1].split(b"\r")[0])


async def test_without_redis_the_log_alone_keeps_processes_together(
    tmp_path: Path, pg_url: str
) -> None:
    with running_cluster(tmp_path, pg_url, None, 2) as (a, b):
        board = await create_board(a.url)
        on_a = await _connected(board_url(a.ws_url, board))
        on_b = await _connected(board_url(b.ws_url, board))
        try:
            _add_notes(on_a, "a", 3)
            _add_notes(on_b, "b", 3)
            both = {f"{p}-{i}" for p in "ab" for i in range(3)}
            for client in (on_a, on_b):
                await client.wait_for(lambda c=client: note_ids(c) == both, within=5)
        finally:
            await on_a.close()
            await on_b.close()
