"""A server killed with SIGKILL mid-stream loses nothing that any client had received."""

from __future__ import annotations

import asyncio
import contextlib

from pycrdt import Map, Text

from tests.support.boards import create_board
from tests.support.servers import ServerProcess
from tests.support.yjs import YClient


async def _stream(client: YClient, writer: int, stop: asyncio.Event) -> None:
    notes = client.doc.get("notes", type=Map)
    seq = 0
    while not stop.is_set():
        # Notes of a few kB keep the writer thread busy, so the kill lands mid-commit.
        text = f"idé {seq} " + "ö" * 4000
        notes[f"w{writer}-{seq}"] = Map({"text": Text(text), "x": 1.0, "y": 2.0})
        seq += 1
        await asyncio.sleep(0)


def _keys(client: YClient) -> set[str]:
    return set(client.doc.get("notes", type=Map).keys())


async def test_sigkill_loses_nothing_clients_had_seen(server_process: ServerProcess) -> None:
    server_process.start()
    board = await create_board(server_process.url)
    url = f"{server_process.ws_url}/ws/{board['id']}?token={board['facilitator_key']}"
    writers = [YClient(url) for _ in range(6)]
    watchers = [YClient(url) for _ in range(2)]
    for client in writers + watchers:
        await client.connect()
        await client.wait_for(client.synced.is_set)
    stop = asyncio.Event()
    streams = [asyncio.create_task(_stream(c, i, stop)) for i, c in enumerate(writers)]
    # Let the stream run until the watchers have seen a good number of notes.
    await watchers[0].wait_for(lambda: len(_keys(watchers[0])) >= 400, within=20)
    server_process.kill()
    stop.set()
    await asyncio.gather(*streams)
    for client in writers + watchers:
        await client.wait_closed()
    seen = set().union(*(_keys(w) for w in watchers))
    assert len(seen) >= 400

    server_process.start()
    async with YClient(url) as after:
        await after.wait_for(after.synced.is_set)
        restored = _keys(after)
    missing = seen - restored
    assert not missing, f"{len(missing)} notes seen by clients were lost: {sorted(missing)[:5]}"
    for client in writers:
        with contextlib.suppress(Exception):
            await client.close()
