"""Hostile and unlucky clients against a real server (issue 10): none of them can bloat,
stall or rewrite a board, and nothing is served that the log does not hold."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from pycrdt import Map

from boards.schema import replay
from server.settings import Settings
from server.sync import protocol
from server.sync.protocol import AwarenessEntry
from tests.support.attacks import (
    SilentSocket,
    add_big_notes,
    doc_json,
    half_valid_update,
    metric,
    rss_mb,
)
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import (
    METRICS_HEADERS,
    InProcessServer,
    ServerProcess,
    eventually,
    run_server,
)
from tests.support.tools import node_output, node_peer
from tests.support.yjs import YClient, refused_with


def _ws(base: str, board: dict[str, Any], secret: str, suffix: str = "") -> str:
    return f"{base}/ws/{board['id']}{suffix}?token={secret}"


async def _seed(ws_base: str, board: dict[str, Any], count: int, chars: int) -> None:
    """A board of `count` notes written by the facilitator, acknowledged by the server."""
    async with YClient(_ws(ws_base, board, board["facilitator_key"])) as writer:
        await writer.wait_for(writer.synced.is_set)
        add_big_notes(writer, count, chars)
        async with YClient(_ws(ws_base, board, board["facilitator_key"])) as check:
            notes = check.doc.get("notes", type=Map)
            await check.wait_for(lambda: len(notes) >= count, within=30)


async def _connections(url: str) -> float:
    async with httpx.AsyncClient() as client:
        reply = await client.get(f"{url}/metrics", headers=METRICS_HEADERS)
        return metric(reply.text, "samsyn_connections")


async def test_step1_flood_from_sockets_that_never_read_keeps_memory_bounded(
    tmp_path: Path,
) -> None:
    """Finding 1: 400 four-byte sync step 1s on each of three sockets that never read
    (a participant and two walls) against a 1.2 MB board. Before: +457 MB for one socket,
    +1,371 MB for three. Now one reply per socket is queued, and the sockets are dropped
    once they read nothing for SAMSYN_SEND_TIMEOUT_S."""
    server = ServerProcess(tmp_path / "flood.db", env={"SAMSYN_SEND_TIMEOUT_S": "2"}).start()
    try:
        board = await create_board(server.url)
        guest = await join_board(server.url, board, "Mallory")
        await _seed(server.ws_url, board, 1000, 1200)
        assert server.proc is not None
        pid = server.proc.pid
        before = rss_mb(pid, "VmHWM")
        secrets = [guest["token"], _wall_key(board), _wall_key(board)]
        sockets = [SilentSocket(server.port, f"/ws/{board['id']}?token={s}") for s in secrets]
        step1 = protocol.encode_sync_step1(b"\x00")
        for _ in range(400):
            for sock in sockets:
                sock.send(step1)
        # The server reads every frame and then drops each socket for not reading.
        async with asyncio.timeout(20):
            while await _connections(server.url) > 0:  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.1)
        peak = rss_mb(pid, "VmHWM")
        for sock in sockets:
            sock.close()
        assert peak - before < 60, f"peak RSS grew {peak - before:.0f} MB ({before:.0f} MB)"
        # An honest client still syncs the whole board afterwards.
        async with YClient(_ws(server.ws_url, board, guest["token"])) as honest:
            notes = honest.doc.get("notes", type=Map)
            await honest.wait_for(lambda: len(notes) == 1000, within=20)
    finally:
        server.stop()


async def test_sockets_over_the_caps_are_refused_with_a_reason(tmp_path: Path) -> None:
    """Finding 1: 4,000 sockets from one address were accepted. Now each address and each
    credential has a cap; the socket past it closes with 1013 and says which cap."""
    settings = Settings(db=tmp_path / "caps.db", sockets_per_address=5, sockets_per_credential=3)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        guest = await join_board(server.url, board, "Kim")
        held = [YClient(_ws(server.ws_url, board, guest["token"])) for _ in range(3)]
        for client in held:
            await client.connect()
            await client.wait_for(client.synced.is_set)
        extra = YClient(_ws(server.ws_url, board, guest["token"]))
        assert await refused_with(extra) == protocol.CloseCode.TRY_AGAIN_LATER
        assert extra.close_reason == "too many open sockets for this credential (at most 3)"
        others = [YClient(_ws(server.ws_url, board, board["facilitator_key"])) for _ in range(2)]
        for client in others:
            await client.connect()
            await client.wait_for(client.synced.is_set)
        over = YClient(_ws(server.ws_url, board, _wall_key(board)))
        assert await refused_with(over) == protocol.CloseCode.TRY_AGAIN_LATER
        assert over.close_reason == "too many open sockets for this address (at most 5)"
        # A socket that leaves frees its place.
        await held.pop().close()
        async with YClient(_ws(server.ws_url, board, guest["token"])) as again:
            await again.wait_for(again.synced.is_set)
        for client in held + others:
            await client.close()


async def _raw_send(url: str, frame: bytes) -> tuple[int | None, str]:
    """Send one frame on a fresh socket (after its sync step 1) and read until it closes."""
    async with websockets.connect(url, max_size=None, open_timeout=10) as ws:
        await ws.send(protocol.encode_sync_step1(b"\x00"))
        await ws.send(frame)
        async with asyncio.timeout(10):
            with contextlib.suppress(websockets.ConnectionClosed):
                async for _ in ws:
                    pass
        return ws.close_code, ws.close_reason or ""


async def _doc_equals_log(server: InProcessServer, board_id: str) -> dict[str, Any]:
    """The live doc, after checking that it is exactly what the stored log replays to."""
    room = server.app.state.rooms.get(board_id)
    await room.durable()
    history = await server.app.state.store.load_doc(board_id)
    live = doc_json(room.doc)
    assert doc_json(replay(history.replayed())) == live
    return live


async def test_a_half_applied_update_is_logged_and_follows_the_phase_rules(
    app_server: InProcessServer,
) -> None:
    """Finding 3: an update whose second struct has an invalid parent makes the library
    integrate the first (a new note) and raise RuntimeError. Before: the socket died with
    "Exception in ASGI application" and the note stayed in memory, past the silent
    brainstorm's rule and missing from the log. Now the socket closes 1008, the rule takes
    the note back in the brainstorm, the cluster phase keeps it, and the doc always equals
    what the log replays to."""
    board = await create_board(app_server.url)
    guest = await join_board(app_server.url, board, "Mallory")
    url = _ws(app_server.ws_url, board, guest["token"])
    async with YClient(_ws(app_server.ws_url, board, board["facilitator_key"])) as watcher:
        await watcher.wait_for(watcher.synced.is_set)
        code, reason = await _raw_send(url, protocol.encode_update(half_valid_update(7, "n1", "x")))
        assert code == protocol.CloseCode.POLICY
        assert reason.startswith("expected an update that applies")
        assert "n1" not in (await _doc_equals_log(app_server, board["id"]))["notes"]

        await set_phase(app_server.url, board, "cluster")
        update = half_valid_update(8, "n2", "kvar")
        code, reason = await _raw_send(url, protocol.encode_update(update))
        assert code == protocol.CloseCode.POLICY
        assert (await _doc_equals_log(app_server, board["id"]))["notes"]["n2"] == "kvar"
        notes = watcher.doc.get("notes", type=Map)
        await watcher.wait_for(lambda: "n2" in notes)
        assert "n1" not in notes


async def test_awareness_of_another_client_cannot_be_overwritten(
    app_server: InProcessServer,
) -> None:
    """Finding 10: any socket could overwrite or erase another client's presence, and one
    socket announced 2.4 million ids. Now an id belongs to the socket that announced it,
    a socket holds a few ids, each state capped in bytes (SAMSYN_AWARENESS_*)."""
    board = await create_board(app_server.url)
    guest = await join_board(app_server.url, board, "Mallory")
    url = _ws(app_server.ws_url, board, guest["token"])

    def awareness(*entries: AwarenessEntry) -> bytes:
        return protocol.encode_awareness(protocol.encode_awareness_update(list(entries)))

    async with (
        YClient(_ws(app_server.ws_url, board, board["facilitator_key"])) as alice,
        YClient(_ws(app_server.ws_url, board, board["facilitator_key"])) as watcher,
        YClient(url) as mallory,
    ):
        await alice.send(awareness(AwarenessEntry(111, 1, '{"user":{"name":"Alice"}}')))
        await watcher.wait_for(lambda: "Alice" in watcher.awareness.get(111, ""))
        await mallory.send(awareness(AwarenessEntry(111, 9, '{"user":{"name":"PWNED"}}')))
        await mallory.send(awareness(AwarenessEntry(111, 10, "null")))
        # Mallory's own state is relayed after the ignored ones: once it arrives, they
        # have been handled.
        await mallory.send(awareness(AwarenessEntry(222, 1, '{"user":{"name":"Mallory"}}')))
        await watcher.wait_for(lambda: "Mallory" in watcher.awareness.get(222, ""))
        assert watcher.awareness[111] == '{"user":{"name":"Alice"}}'
        async with YClient(url) as late:
            await late.wait_for(lambda: 111 in late.awareness and 222 in late.awareness)
            assert late.awareness[111] == '{"user":{"name":"Alice"}}'

    code, reason = await _raw_send(
        url, awareness(*(AwarenessEntry(1000 + i, 1, "{}") for i in range(5)))
    )
    assert code == protocol.CloseCode.POLICY
    assert reason == "expected at most 4 awareness ids per socket, got a new one (1004)"
    big = '{"user":{"name":"' + "x" * 9000 + '"}}'
    code, reason = await _raw_send(url, awareness(AwarenessEntry(333, 1, big)))
    assert code == protocol.CloseCode.POLICY
    assert reason.startswith("expected awareness states of at most 8192 bytes")


async def test_an_update_past_the_document_cap_is_refused_with_a_reason(tmp_path: Path) -> None:
    """Finding 5: a document cap (SAMSYN_MAX_DOC_BYTES) with a clear refusal."""
    settings = Settings(db=tmp_path / "cap.db", max_doc_bytes=512 * 1024)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as writer:
            await writer.wait_for(writer.synced.is_set)
            add_big_notes(writer, 600, 1000)
            assert await writer.wait_closed() == protocol.CloseCode.TOO_BIG
        assert "past its limit of 524288 bytes" in writer.close_reason
        async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as check:
            await check.wait_for(check.synced.is_set)
            assert len(check.doc.get("notes", type=Map)) == 0


def _wall_key(board: dict[str, Any]) -> str:
    return str(board["urls"]["wall"].split("key=")[1])


async def _finish(node: asyncio.subprocess.Process) -> list[dict[str, Any]]:
    """The JSON lines a node peer printed, once it has finished."""
    return [json.loads(line) for line in (await node_output(node)).decode().splitlines()]


async def test_a_big_offline_backlog_from_the_stock_client_is_saved_in_full(
    app_server: InProcessServer,
) -> None:
    """Finding 5: the stock y-websocket client with 3.45 MB of offline notes was closed
    with 1009 182 times in 45 s and saved none of its 1,573 notes. Its sync step 2 (the
    reply to the server's step 1) may now be up to SAMSYN_MAX_SYNC_BYTES."""
    board = await create_board(app_server.url)
    node = await node_peer(
        "offline-client.mjs",
        f"{app_server.ws_url}/ws",
        board["id"],
        board["facilitator_key"],
        "1573",
        "2200",
    )
    try:
        async with YClient(_ws(app_server.ws_url, board, board["facilitator_key"])) as check:
            notes = check.doc.get("notes", type=Map)
            await check.wait_for(lambda: len(notes) == 1573, within=60)
    finally:
        lines = await _finish(node)
    assert lines[0]["bytes"] > 3_400_000
    assert lines[-1] == {"closes": 0}
    history = await app_server.app.state.store.load_doc(board["id"])
    assert len(replay(history.replayed()).get("notes", type=Map)) == 1573


async def test_a_quiet_socket_stays_open_for_the_stock_client(tmp_path: Path) -> None:
    """Issue 9, item 10: the session and drafts sockets receive nothing for 30 s and the
    stock client, taking them for dead, reconnected every ~33 s. The server now sends an
    empty awareness update after SAMSYN_KEEPALIVE_S of silence. The stock client runs its
    clock 5x fast here: 12 s of test are 60 s of its time, twice its 30 s limit."""
    settings = Settings(db=tmp_path / "quiet.db", keepalive_s=2.0)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        url = f"{server.ws_url}/ws"
        node = await node_peer(
            "quiet-client.mjs",
            url,
            f"{board['id']}/session",
            board["facilitator_key"],
            "5",
            "12000",
        )
        (seen,) = await _finish(node)
    assert seen["clientSeconds"] >= 60
    assert seen["closes"] == 0


async def test_sigterm_with_a_client_that_never_reads_exits_after_saving(tmp_path: Path) -> None:
    """Finding 12: a client that never reads kept SIGTERM from working (SIGKILL needed
    after 20 s; more than 30 s in our runs), and the final flush never ran. Now open
    sockets get SAMSYN_SHUTDOWN_GRACE_S (3 s), then they are cancelled and every board is
    saved and folded into a snapshot."""
    server = ServerProcess(tmp_path / "term.db").start()
    try:
        board = await create_board(server.url)
        await _seed(server.ws_url, board, 1000, 1200)
        silent = SilentSocket(server.port, f"/ws/{board['id']}?token={board['facilitator_key']}")
        silent.send(protocol.encode_sync_step1(b"\x00"))
        async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as writer:
            await writer.wait_for(writer.synced.is_set)
            add_big_notes(writer, 1, 10, prefix="last")
            async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as reader:
                notes = reader.doc.get("notes", type=Map)
                await reader.wait_for(lambda: "last0" in notes)
        assert server.proc is not None
        began = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=10)
        took = time.monotonic() - began
        server.proc = None
        silent.close()
    finally:
        server.stop()
    assert took < 8, f"SIGTERM took {took:.1f} s"
    assert "every room flushed, database closed" in server.log.read_text()
    restarted = ServerProcess(tmp_path / "term.db").start()
    try:
        async with YClient(_ws(restarted.ws_url, board, board["facilitator_key"])) as check:
            notes = check.doc.get("notes", type=Map)
            await check.wait_for(lambda: len(notes) == 1001, within=20)
    finally:
        restarted.stop()


def _limit_pages(conn: sqlite3.Connection) -> None:
    (pages,) = conn.execute("PRAGMA page_count").fetchone()
    conn.execute(f"PRAGMA max_page_count = {pages}")


def _fill(db: Path) -> None:
    """Use up every free page and the room left in them, on a connection of its own."""
    filler = sqlite3.connect(db, isolation_level=None, timeout=10)
    try:
        filler.execute("CREATE TABLE IF NOT EXISTS test_filler (junk BLOB)")
        _limit_pages(filler)
        for size in (65536, 4096, 512, 64, 1):
            with contextlib.suppress(sqlite3.OperationalError):
                while True:
                    filler.execute("INSERT INTO test_filler VALUES (?)", (b"x" * size,))
    finally:
        filler.close()


async def _fill_disk(server: InProcessServer) -> None:
    """The database cannot grow by a page and has none free: SQLite fails writes that
    need one with "database or disk is full", as on a full disk. (`max_page_count` holds
    per connection: the server's writer gets it too.)"""
    await asyncio.to_thread(_fill, server.app.state.services.settings.db)
    await server.app.state.store.submit(_limit_pages)


def _free_disk(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA max_page_count = 1073741823")


async def test_while_the_disk_is_full_nothing_unsaved_is_served(
    app_server: InProcessServer,
) -> None:
    """Finding 9: while the disk was full a joiner received notes that were not saved,
    routes answered 500 and the writer was told nothing. Now the late joiner gets only
    what is on disk (here: its reply waits), the writer's socket gets the server's
    awareness state saying its edits wait, routes answer 503 `storage_unavailable`, and
    once the disk has room everything is saved and sent."""
    board = await create_board(app_server.url)
    store = app_server.app.state.store
    key = board["facilitator_key"]
    async with YClient(_ws(app_server.ws_url, board, key)) as writer:
        await writer.wait_for(writer.synced.is_set)
        await _fill_disk(app_server)
        add_big_notes(writer, 50, 2000, prefix="full")
        await writer.wait_for(lambda: '"storage_unavailable"' in writer.awareness.get(0, ""))
        async with httpx.AsyncClient() as http:
            # Small rows may still fit in pages that have room; the first that does not
            # is refused with 503, never a 500.
            for _ in range(200):
                created = await http.post(f"{app_server.url}/api/boards", json={"title": "Ny"})
                if created.status_code != 201:
                    break
            assert created.status_code == 503
            assert created.json()["error"] == "storage_unavailable"
        room = app_server.app.state.rooms.get(board["id"])
        async with YClient(_ws(app_server.ws_url, board, key)) as late:
            late_notes = late.doc.get("notes", type=Map)
            # The server has the late joiner's sync step 1 and holds the reply back.
            await eventually(lambda: any(c.awaiting_reply for c in room.connections))
            assert len(late_notes) == 0
            await store.submit(_free_disk)
            await late.wait_for(lambda: len(late_notes) == 50, within=15)
            await writer.wait_for(lambda: 0 not in writer.awareness)
        live = await _doc_equals_log(app_server, board["id"])
        assert len(live["notes"]) == 50


async def test_joiners_with_nothing_share_one_encoded_state_until_it_changes(
    app_server: InProcessServer,
) -> None:
    """Issue 11: a join storm cost one full encode (and copy) per joiner. Joiners with an
    empty state vector now get one cached frame, dropped on the next change."""
    board = await create_board(app_server.url)
    await _seed(app_server.ws_url, board, 200, 300)
    room = app_server.app.state.rooms.get(board["id"])
    cached = room.full_state_frame()
    assert room.full_state_frame() is cached
    url = _ws(app_server.ws_url, board, board["facilitator_key"])
    joiners = [YClient(url) for _ in range(10)]
    for joiner in joiners:
        await joiner.connect()
    for joiner in joiners:
        await joiner.wait_for(joiner.synced.is_set)
        step2 = [f for f in joiner.received if isinstance(protocol.decode(f), protocol.SyncStep2)]
        assert step2 == [cached]
    add_big_notes(joiners[0], 1, 10, prefix="after")
    # Once another joiner has it, it was broadcast: the late one can only get it from
    # its sync step 2, which must not be the stale cached frame.
    other = joiners[1].doc.get("notes", type=Map)
    await joiners[1].wait_for(lambda: "after0" in other)
    async with YClient(url) as late:
        notes = late.doc.get("notes", type=Map)
        await late.wait_for(lambda: "after0" in notes)
        assert len(notes) == 201
    assert room.full_state_frame() is not cached
    for joiner in joiners:
        await joiner.close()


async def test_a_note_taken_back_in_the_brainstorm_does_not_travel(
    app_server: InProcessServer,
) -> None:
    """Finding 12: a note a participant put on the board in the silent brainstorm was
    taken back, but its text still went out in the frames sent to everyone else."""
    board = await create_board(app_server.url)
    guest = await join_board(app_server.url, board, "Kim")
    async with (
        YClient(_ws(app_server.ws_url, board, board["facilitator_key"])) as facilitator,
        YClient(_ws(app_server.ws_url, board, guest["token"])) as kim,
    ):
        await facilitator.wait_for(facilitator.synced.is_set)
        await kim.wait_for(kim.synced.is_set)
        add_big_notes(kim, 1, 40, prefix="hemlig")
        kim_notes = kim.doc.get("notes", type=Map)
        await kim.wait_for(lambda: "hemlig0" not in kim_notes)
        add_big_notes(facilitator, 1, 10, prefix="efter")
        notes = facilitator.doc.get("notes", type=Map)
        await kim.wait_for(lambda: "efter0" in kim_notes)
        assert "hemlig0" not in notes
        text = "idé om biblioteket".encode()
        assert not [f for f in facilitator.received if text in f]


async def test_half_open_http_connections_are_closed(tmp_path: Path) -> None:
    """Finding 12: 800 connections that sent part of a request were held 25 s. A
    connection's headers must now be complete within SAMSYN_HTTP_KEEPALIVE_S (1 s here);
    a websocket, once upgraded, is not affected."""
    settings = Settings(db=tmp_path / "slow.db", http_keepalive_s=1.0)
    async with run_server(settings) as server:
        board = await create_board(server.url)
        async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as kept:
            await kept.wait_for(kept.synced.is_set)
            slow = []
            for _ in range(200):
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                slow.append((reader, writer))
            async with asyncio.timeout(10):
                for reader, _ in slow:
                    assert await reader.read() == b""  # closed by the server, no answer
            for _, writer in slow:
                writer.close()
            # The websocket outlived the deadline: it still gets the board's changes.
            add_big_notes(kept, 1, 10, prefix="still")
            async with YClient(_ws(server.ws_url, board, board["facilitator_key"])) as other:
                notes = other.doc.get("notes", type=Map)
                await other.wait_for(lambda: "still0" in notes)
            assert kept.close_code is None
