"""A big board's state reaches every joiner whole, written in fragments from shared bytes
(server/sync/fragments.py): Python and npm clients, joiners at once, edits meanwhile."""

from __future__ import annotations

import asyncio
import json
import struct
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Map, Text

from server.settings import Settings
from server.sync import fragments, protocol
from tests.support.boards import create_board
from tests.support.rawws import raw_join, read_frame
from tests.support.servers import InProcessServer, run_server
from tests.support.tools import node_output, node_peer
from tests.support.yjs import YClient

NOTE_CHARS = 1000
BATCHES = 3
PER_BATCH = 500  # ~0.5 MB per update, under the 2 MiB frame limit


def _texts(client: YClient) -> dict[str, str]:
    notes = client.doc.get("notes", type=Map)
    return {nid: str(note["text"]) for nid, note in notes.items()}


async def _big_board(
    server: InProcessServer, batches: int = BATCHES
) -> tuple[dict[str, Any], YClient]:
    """A board of 500 notes of 1,000 characters per batch (1.5 MB for three), written by
    the facilitator."""
    board = await create_board(server.url, "Stor tavla")
    writer = YClient(f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}")
    await writer.connect()
    await writer.wait_for(writer.synced.is_set)
    notes = writer.doc.get("notes", type=Map)
    for batch in range(batches):
        with writer.doc.transaction():
            for i in range(PER_BATCH):
                line = f"Lapp {batch}-{i}: biblioteket är öppet för alla "
                notes[f"n{batch}-{i}"] = Map(
                    {"text": Text((line * 40)[:NOTE_CHARS]), "x": float(i), "y": float(batch)}
                )
    # The writer's updates are on their way; once a fresh joiner sees them all, they are
    # in the room (and saved) before anyone else joins.
    probe = YClient(f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}")
    await probe.connect()
    await probe.wait_for(lambda: len(_texts(probe)) == batches * PER_BATCH, within=30)
    await probe.close()
    return board, writer


async def test_joiners_at_once_get_the_whole_big_state_and_later_edits(
    app_server: InProcessServer,
) -> None:
    board, writer = await _big_board(app_server)
    try:
        url = f"{app_server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}"
        joiners = [YClient(url) for _ in range(12)]
        await asyncio.gather(*(j.connect() for j in joiners))
        # While the big replies are on their way, the writer keeps editing: each joiner
        # must get those edits after its state, never inside it.
        notes = writer.doc.get("notes", type=Map)
        for i in range(20):
            notes[f"late-{i}"] = Map({"text": Text(f"sent i efterhand {i}"), "x": 0.0, "y": 0.0})
            await asyncio.sleep(0.01)
        want = _texts(writer)
        assert len(want) == BATCHES * PER_BATCH + 20
        for joiner in joiners:
            await joiner.wait_for(lambda j=joiner: _texts(j) == want, within=30)
        await asyncio.gather(*(j.close() for j in joiners))
    finally:
        await writer.close()


async def test_the_npm_client_reads_a_fragmented_state(app_server: InProcessServer) -> None:
    board, writer = await _big_board(app_server)
    try:
        want = _texts(writer)
        node = await node_peer(
            "big-board-client.mjs",
            f"{app_server.ws_url}/ws",
            board["id"],
            board["facilitator_key"],
        )
        seen = json.loads(await node_output(node, within=30))
        assert seen == {"notes": len(want), "chars": sum(len(t) for t in want.values())}
    finally:
        await writer.close()


async def _read_state_reply(
    reader: asyncio.StreamReader, pause_s: float = 0.0
) -> tuple[list[int], list[int], bytes]:
    """The opcodes and payload sizes of the frames of the sync step 2 reply, and the
    reassembled message; control frames and small whole frames before it are skipped."""
    sizes: list[int] = []
    opcodes: list[int] = []
    message = bytearray()
    while True:
        first, _, body = await read_frame(reader, pause_s)
        length = len(body)
        opcode = first & 0x0F
        if opcode == 0x8:
            raise ConnectionError(f"closed by the server: {body!r}")
        if opcode > 0x8:
            continue  # a ping between fragments is allowed
        if not opcodes and opcode == 0x2 and first & 0x80 and body[:2] != b"\x00\x01":
            continue  # a whole small frame before the reply (the server's own step 1)
        opcodes.append(opcode)
        sizes.append(length)
        message += body
        if first & 0x80:
            return opcodes, sizes, bytes(message)


def _check_state(message: bytes, writer: YClient) -> None:
    reply = protocol.decode(message)
    assert isinstance(reply, protocol.SyncStep2)
    check = YClient("ws://unused")
    check._apply(reply.update)
    assert _texts(check) == _texts(writer)


async def test_the_state_goes_out_in_fragments_of_bounded_size(app_server: InProcessServer) -> None:
    """On the wire: the reply is a binary frame without FIN, continuation frames, and a
    last one with FIN, none bigger than a fragment; together one valid sync step 2."""
    board, writer = await _big_board(app_server)
    try:
        reader, stream = await raw_join(app_server, board)
        opcodes, sizes, message = await _read_state_reply(reader)
        stream.close()
        assert opcodes[0] == 0x2 and set(opcodes[1:]) == {0x0}
        assert len(opcodes) > 10
        assert max(sizes) <= fragments.FRAGMENT_BYTES
        _check_state(message, writer)
    finally:
        await writer.close()


async def test_a_slow_reader_of_a_big_state_is_kept_and_a_stopped_one_dropped(
    tmp_path: Path,
) -> None:
    """The stall deadline counts from the last fragment taken, not from the start of the
    message: a slow phone that takes longer than the deadline to read the state keeps its
    socket, and a socket that reads nothing at all is still dropped. The board (7.5 MB)
    is bigger than what the kernel buffers for a socket (4 MiB here), so the server's
    write has to wait for the reader. The kernel wakes the writer only once about a third
    of its buffer is free: the reader takes that in well under the deadline."""
    settings = Settings(db=tmp_path / "s.db", unload_grace_s=0.2, flush_ms=2.0, send_timeout_s=1.0)
    async with run_server(settings) as server:
        board, writer = await _big_board(server, batches=15)
        try:
            stopped, stopped_stream = await raw_join(server, board)
            slow, slow_stream = await raw_join(server, board)
            loop = asyncio.get_running_loop()
            began = loop.time()
            opcodes, _, message = await _read_state_reply(slow, pause_s=0.004)
            assert loop.time() - began > settings.send_timeout_s
            assert len(opcodes) > 10
            _check_state(message, writer)
            # The one that never read was aborted: its stream ends before the whole reply.
            with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
                await asyncio.wait_for(stopped.readexactly(len(message) + 1024), timeout=20)
            slow_stream.close()
            stopped_stream.close()
        finally:
            await writer.close()


def test_fragment_headers_follow_rfc_6455() -> None:
    assert fragments.header(True, False, 10) == bytes([0x02, 10])
    assert fragments.header(False, False, 300) == bytes([0x00, 126]) + struct.pack("!H", 300)
    assert fragments.header(False, True, 70000) == bytes([0x80, 127]) + struct.pack("!Q", 70000)
    assert fragments.header(True, True, 125) == bytes([0x82, 125])
