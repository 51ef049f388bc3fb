"""The sync endpoint on a real uvicorn, with real websocket clients speaking y-websocket."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets
from pycrdt import Map, Text

from server.settings import Settings
from server.sync import protocol
from server.sync.protocol import AwarenessEntry
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer, eventually, run_server
from tests.support.yjs import YClient


def ws_url(server: InProcessServer, board: dict[str, Any], token: str | None = None) -> str:
    return f"{server.ws_url}/ws/{board['id']}?token={token or board['facilitator_key']}"


def note_texts(client: YClient) -> dict[str, str]:
    notes = client.doc.get("notes", type=Map)
    return {key: str(value["text"]) for key, value in notes.items()}


def add_note(client: YClient, note_id: str, text: str) -> None:
    notes = client.doc.get("notes", type=Map)
    notes[note_id] = Map({"text": Text(text), "x": 10.0, "y": 20.0, "color": "yellow"})


async def test_two_clients_converge(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    guest = await join_board(app_server.url, board, "Kim")
    await set_phase(app_server.url, board, "cluster")
    async with (
        YClient(ws_url(app_server, board)) as a,
        YClient(ws_url(app_server, board, guest["token"])) as b,
    ):
        await a.synced.wait()
        await b.synced.wait()
        add_note(a, "n1", "Öppna bibliotek")
        add_note(b, "n2", "Meröppet")
        await a.wait_for(lambda: len(note_texts(a)) == 2)
        await b.wait_for(lambda: len(note_texts(b)) == 2)
        assert note_texts(a) == note_texts(b) == {"n1": "Öppna bibliotek", "n2": "Meröppet"}
        # The board's title and template came from the server's initial state.
        assert b.doc.get("meta", type=Map)["title"] == "Testtavla"


async def test_late_joiner_gets_everything(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with YClient(ws_url(app_server, board)) as a:
        for i in range(30):
            add_note(a, f"n{i}", f"idé {i}")
        await a.wait_for(lambda: len(a.received) > 1)
        async with YClient(ws_url(app_server, board)) as late:
            await late.wait_for(lambda: len(note_texts(late)) == 30)
            assert note_texts(late) == note_texts(a)


async def test_restart_on_the_same_file_keeps_everything(settings: Settings) -> None:
    async with run_server(settings) as server:
        board = await create_board(server.url)
        async with YClient(ws_url(server, board)) as a, YClient(ws_url(server, board)) as b:
            add_note(a, "n1", "före omstart")
            await b.wait_for(lambda: "n1" in note_texts(b))
    async with run_server(settings) as server, YClient(ws_url(server, board)) as c:
        await c.wait_for(lambda: "n1" in note_texts(c))
        assert note_texts(c) == {"n1": "före omstart"}
        assert c.doc.get("meta", type=Map)["title"] == "Testtavla"


async def test_compaction_keeps_the_document(tmp_path: Any) -> None:
    settings = Settings(db=tmp_path / "c.db", compact_after_updates=10, unload_grace_s=0.05)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        async with YClient(ws_url(server, board)) as a, YClient(ws_url(server, board)) as b:
            for i in range(35):
                add_note(a, f"n{i}", f"lapp {i}")
                await b.wait_for(lambda i=i: f"n{i}" in note_texts(b))
            before = note_texts(b)
        rooms = server.app.state.rooms
        await eventually(lambda: rooms.unloads >= 1)
        history = await server.app.state.store.load_doc(board["id"])
        assert history.snapshot is not None
        assert len(history.updates) == 0, "unloading folds the whole log into the snapshot"
        async with YClient(ws_url(server, board)) as c:
            await c.wait_for(lambda: len(note_texts(c)) == 35)
            assert note_texts(c) == before


async def test_twenty_clients_joining_cause_one_load(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    rooms = app_server.app.state.rooms
    assert rooms.get(board["id"]) is None
    clients = [YClient(ws_url(app_server, board)) for _ in range(20)]
    await asyncio.gather(*(c.connect() for c in clients))
    try:
        async with asyncio.timeout(10):
            await asyncio.gather(*(c.synced.wait() for c in clients))
        assert rooms.loads_by_name[board["id"]] == 1
        assert rooms.loads_by_name[f"{board['id']}/session"] == 1
        assert rooms.connection_count == 20
    finally:
        await asyncio.gather(*(c.close() for c in clients))


async def test_empty_room_unloads_after_grace(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    rooms = app_server.app.state.rooms
    async with YClient(ws_url(app_server, board)) as a:
        await a.synced.wait()
        assert rooms.get(board["id"]) is not None
    await eventually(lambda: rooms.unloads == 2)  # the content doc and the session doc
    assert rooms.get(board["id"]) is None


@pytest.mark.parametrize(
    ("path", "token", "code"),
    [
        ("{id}", None, 4401),
        ("{id}", "not-a-real-token", 4401),
        ("no-such-board", "whatever", 4404),
    ],
)
async def test_refusals_close_with_named_codes(
    app_server: InProcessServer, path: str, token: str | None, code: int
) -> None:
    board = await create_board(app_server.url)
    url = f"{app_server.ws_url}/ws/{path.format(id=board['id'])}"
    if token:
        url += f"?token={token}"
    async with websockets.connect(url) as ws:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        assert ws.close_code == code


async def test_token_of_another_board_is_refused(app_server: InProcessServer) -> None:
    one = await create_board(app_server.url, "ett")
    two = await create_board(app_server.url, "två")
    guest = await join_board(app_server.url, one, "Kim")
    for token in (guest["token"], one["facilitator_key"]):
        client = YClient(f"{app_server.ws_url}/ws/{two['id']}?token={token}")
        await client.connect()
        assert await client.wait_closed() == 4401


async def test_bearer_header_and_cookie_are_accepted(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    guest = await join_board(app_server.url, board, "Kim")
    url = f"{app_server.ws_url}/ws/{board['id']}"
    for headers in (
        {"Authorization": f"Bearer {guest['token']}"},
        {"Cookie": f"samsyn_{board['id']}={guest['token']}"},
    ):
        async with YClient(url, headers=headers) as client:
            await client.wait_for(client.synced.is_set)


async def test_cross_origin_handshake_is_refused(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    client = YClient(ws_url(app_server, board), headers={"Origin": "https://evil.example"})
    await client.connect()
    assert await client.wait_closed() == 4403


async def test_oversize_frame_closes_only_that_socket(tmp_path: Any) -> None:
    settings = Settings(db=tmp_path / "o.db", max_message_bytes=64 * 1024)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        async with YClient(ws_url(server, board)) as good, YClient(ws_url(server, board)) as bad:
            await bad.synced.wait()
            await bad.send(protocol.encode_update(b"\x00" * (100 * 1024)))
            assert await bad.wait_closed() == 1009
            assert "exceeds the limit" in bad.close_reason
            huge = YClient(ws_url(server, board))
            await huge.connect()
            await huge.send(protocol.encode_update(b"\x00" * (200 * 1024)))
            assert await huge.wait_closed() == 1009
            add_note(good, "n1", "still here")
            async with YClient(ws_url(server, board)) as other:
                await other.wait_for(lambda: "n1" in note_texts(other))


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\x09\x01", "message type"),
        (b"\x00\x02\x10abc", "bytes of an update"),
        (protocol.encode_update(b"\x05\x05\x05\x05"), "update that applies"),
        (protocol.encode_awareness(b"\x01\x01\x01\x05{nope"), "JSON"),
    ],
)
async def test_malformed_frame_closes_1008_and_room_carries_on(
    app_server: InProcessServer, frame: bytes, reason: str
) -> None:
    board = await create_board(app_server.url)
    async with YClient(ws_url(app_server, board)) as good:
        bad = YClient(ws_url(app_server, board))
        await bad.connect()
        await bad.synced.wait()
        await bad.send(frame)
        assert await bad.wait_closed() == 1008
        assert reason in bad.close_reason
        add_note(good, "n1", "fortfarande här")
        async with YClient(ws_url(app_server, board)) as other:
            await other.wait_for(lambda: "n1" in note_texts(other))


async def test_awareness_is_relayed_and_removed_on_close(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with YClient(ws_url(app_server, board)) as watcher:
        leaver = YClient(ws_url(app_server, board))
        await leaver.connect()
        state = '{"user":{"name":"Åsa","color":"#7a1"}}'
        body = protocol.encode_awareness_update([AwarenessEntry(4242, 1, state)])
        await leaver.send(protocol.encode_awareness(body))
        await watcher.wait_for(lambda: watcher.awareness.get(4242) == state)
        # A newcomer gets the states of those already here.
        async with YClient(ws_url(app_server, board)) as newcomer:
            await newcomer.wait_for(lambda: 4242 in newcomer.awareness)
        await leaver.close()
        await watcher.wait_for(lambda: 4242 not in watcher.awareness)


async def test_query_awareness_is_answered(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with YClient(ws_url(app_server, board)) as a, YClient(ws_url(app_server, board)) as b:
        body = protocol.encode_awareness_update([AwarenessEntry(7, 1, '{"n":1}')])
        await a.send(protocol.encode_awareness(body))
        await b.wait_for(lambda: 7 in b.awareness)
        b.awareness.clear()
        await b.send(protocol.encode_query_awareness())
        await b.wait_for(lambda: 7 in b.awareness)


async def test_slow_client_is_closed_and_others_keep_up(tmp_path: Any) -> None:
    settings = Settings(db=tmp_path / "s.db", send_queue_frames=4, rate_burst=100_000)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        # max_queue=1 and no reads: the server's writes back up into its own queue.
        slow = await websockets.connect(ws_url(server, board), max_queue=1, max_size=None)
        async with YClient(ws_url(server, board)) as writer, YClient(ws_url(server, board)) as fast:
            await fast.synced.wait()
            notes = writer.doc.get("notes", type=Map)
            # 24 MB in separate frames: more than the kernel's socket buffers can hide.
            for i in range(120):
                notes[f"n{i}"] = Map({"text": Text("x" * 200_000)})
                await fast.wait_for(lambda i=i: f"n{i}" in note_texts(fast))
        async with asyncio.timeout(10):
            while slow.close_code is None:
                try:
                    await slow.recv()
                except websockets.ConnectionClosed:
                    break
        assert slow.close_code == 1013


async def test_secrets_never_reach_the_log(
    app_server: InProcessServer, caplog: pytest.LogCaptureFixture
) -> None:
    board = await create_board(app_server.url)
    with caplog.at_level("INFO", logger="uvicorn.error"):
        async with YClient(ws_url(app_server, board)) as client:
            await client.wait_for(client.synced.is_set)
    accepted = [r.getMessage() for r in caplog.records if "WebSocket" in r.getMessage()]
    assert accepted, "uvicorn logs each websocket it accepts"
    assert all(board["facilitator_key"] not in line for line in accepted)
    assert any("token=[redacted]" in line for line in accepted)


async def test_a_failed_save_keeps_the_update_and_retries(app_server: InProcessServer) -> None:
    """A full disk: nobody is sent the update until it is saved; then everyone is."""
    board = await create_board(app_server.url)
    store = app_server.app.state.store

    def cap_at_current_size(conn: Any) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    async with YClient(ws_url(app_server, board)) as a, YClient(ws_url(app_server, board)) as b:
        await b.wait_for(b.synced.is_set)
        await store.submit(cap_at_current_size)
        add_note(a, "big", "x" * 200_000)  # needs new pages: the insert fails
        with pytest.raises(TimeoutError):
            await b.wait_for(lambda: "big" in note_texts(b), within=1.0)
        await store.submit(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
        await b.wait_for(lambda: "big" in note_texts(b))
    history = await store.load_doc(board["id"])
    assert any(len(update) > 200_000 for update in history.updates)


async def test_a_burst_of_cursor_moves_is_relayed_merged(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with (
        YClient(ws_url(app_server, board)) as mover,
        YClient(ws_url(app_server, board)) as watcher,
    ):
        await watcher.wait_for(watcher.synced.is_set)
        before = len(watcher.received)
        loop = asyncio.get_running_loop()
        started = loop.time()
        for clock in range(1, 21):
            state = f'{{"cursor":{{"x":{clock},"y":0}}}}'
            body = protocol.encode_awareness_update([AwarenessEntry(99, clock, state)])
            await mover.send(protocol.encode_awareness(body))
            await asyncio.sleep(0.005)  # a cursor moving at 200 Hz
        elapsed = loop.time() - started
        await watcher.wait_for(lambda: watcher.awareness.get(99) == '{"cursor":{"x":20,"y":0}}')
        frames = [f for f in watcher.received[before:] if f[0] == protocol.MessageType.AWARENESS]
        # The relay merges what arrives within SAMSYN_AWARENESS_FLUSH_MS (40 ms): the
        # watcher gets at most one frame per window, not one per move.
        assert len(frames) <= elapsed / 0.040 + 2, (len(frames), elapsed)
