"""Small frames go straight to the transport, framed once per broadcast
(server/sync/fragments.py `direct_writer_for`): on the wire each is one whole unmasked
binary frame, and a reader that stops for a while still gets every frame, in order,
once the server's queue has taken over from the direct path and handed back to it."""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Doc, Map, Text

from server.sync import protocol
from tests.support.boards import create_board
from tests.support.rawws import raw_join, read_frame
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient, var_uints


async def _writer(server: InProcessServer, board: dict[str, Any]) -> YClient:
    client = YClient(f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}")
    await client.connect()
    await client.wait_for(client.synced.is_set)
    return client


def _first_clock(update: bytes) -> tuple[int, int]:
    """The client and clock an update's first structs start at (lib0 var uints: clients,
    then structs, client and clock of the first)."""
    values = var_uints(update)
    if next(values) == 0:
        return 0, 0
    next(values)
    return next(values), next(values)


def _note_texts(doc: Doc[Any]) -> dict[str, str]:
    notes = doc.get("notes", type=Map)
    return {nid: str(note["text"]) for nid, note in notes.items()}


async def _read_until(
    reader: asyncio.StreamReader,
    doc: Doc[Any],
    want: dict[str, str],
    reached: list[int] | None = None,
) -> list[tuple[int, int]]:
    """Apply every update the socket brings to `doc` until it holds all of `want`; the
    headers of the data frames read. A message of more than 128 KiB comes in fragments.
    `reached` collects the clock each update of client `reached[0]` starts at."""
    headers: list[tuple[int, int]] = []
    message = bytearray()
    async with asyncio.timeout(30):
        while not want.items() <= _note_texts(doc).items():
            first, second, body = await read_frame(reader)
            opcode = first & 0x0F
            assert opcode != 0x8, f"closed by the server: {body!r}"
            if opcode >= 0x8:
                continue  # a ping, also between fragments
            assert (opcode == 0x0) == bool(message), "a fragment out of place"
            headers.append((first, second))
            message += body
            if not first & 0x80:
                continue
            decoded = protocol.decode(bytes(message))
            message.clear()
            if isinstance(decoded, (protocol.SyncStep2, protocol.SyncUpdate)):
                doc.apply_update(decoded.update)
                client, clock = _first_clock(decoded.update)
                if reached and client == reached[0]:
                    reached.append(clock)
    return headers


async def test_edits_reach_a_socket_as_whole_unmasked_frames(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url, "Direkt")
    writer = await _writer(app_server, board)
    reader, stream = await raw_join(app_server, board, rcvbuf=256 * 1024)
    try:
        room = app_server.app.state.rooms.get(board["id"])
        assert room is not None and len(room.connections) == 2
        # Under uvicorn's sans-I/O protocol every connection takes the direct path.
        assert all(conn.writes_direct for conn in room.connections)
        notes = writer.doc.get("notes", type=Map)
        for i in range(60):
            notes[f"n{i}"] = Map({"text": Text(f"Lapp {i}: läsfrämjande för unga"), "x": 1.0})
            await asyncio.sleep(0.003)
        headers = await _read_until(reader, Doc(), _note_texts(writer.doc))
        # FIN and binary, never masked, and no fragments: each a whole small frame.
        assert len(headers) >= 3
        assert {first for first, _ in headers} == {0x82}
        assert all(second & 0x80 == 0 for _, second in headers)
    finally:
        stream.close()
        await writer.close()


async def test_a_reader_that_stops_for_a_while_gets_every_frame_in_order(
    app_server: InProcessServer,
) -> None:
    """About 6 MB of edits while the socket reads nothing: more than the kernel buffers
    for a socket (4 MiB here), so the transport pauses and the frames wait in the
    connection's queue. Then it reads while small edits keep coming: none of them may
    overtake the queue or land between the fragments of a big message."""
    board = await create_board(app_server.url, "Paus")
    writer = await _writer(app_server, board)
    reader, stream = await raw_join(app_server, board)
    try:
        notes = writer.doc.get("notes", type=Map)
        line = "Biblioteket som mötesplats, med plats för samtal och lugn. "
        for i in range(600):
            notes[f"n{i}"] = Map({"text": Text(f"{i}: " + line * 170), "x": float(i)})
            if i % 20 == 19:
                await asyncio.sleep(0.02)
        want = _note_texts(writer.doc)
        # Everyone else has all of it: the room broadcast it while this socket slept.
        probe = await _writer(app_server, board)
        await probe.wait_for(lambda: _note_texts(probe.doc) == want, within=30)
        await probe.close()
        room = app_server.app.state.rooms.get(board["id"])
        assert room is not None
        # The raw socket's connection is the one still waiting, and it is not closed.
        assert [conn.closing for conn in room.connections if conn.backlogged] == [False]

        async def small_edits() -> None:
            for i in range(150):
                notes[f"kort{i}"] = Map({"text": Text(f"Kort lapp {i}"), "x": 0.0})
                await asyncio.sleep(0.004)

        edits = asyncio.create_task(small_edits())
        doc: Doc[Any] = Doc()
        reached = [writer.doc.client_id]
        headers = await _read_until(reader, doc, want, reached)
        await edits
        want = _note_texts(writer.doc)
        headers += await _read_until(reader, doc, want, reached)
        # In the order the writer made them: each update starts where the last ended.
        clocks = reached[1:]
        assert len(clocks) >= 10 and clocks == sorted(set(clocks))
        assert len(headers) >= 10
        assert all(second & 0x80 == 0 for _, second in headers)
        assert _note_texts(doc) == want and len(want) == 750
        assert not any(conn.backlogged for conn in room.connections)
    finally:
        stream.close()
        await writer.close()
