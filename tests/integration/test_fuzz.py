"""Fuzzing the codec and the live endpoint with random and mutated frames.

The codec part is property-based (hypothesis, derandomized so CI runs the same 1,000
examples per test); the live part replays frames from the same mutator with a fixed seed
against a real uvicorn while two honest clients keep editing.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from pathlib import Path
from typing import Any

import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from server.settings import Settings
from server.sync import protocol
from server.sync.protocol import AwarenessEntry, ProtocolError
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import run_server
from tests.support.yjs import YClient, state_vector

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Counts that no frame under the size limit can hold; each made yrs reserve memory.
BOMB_COUNTS = (2**28 - 1, 2**29 - 1, 2**31 + 1, 2**32 - 1, 2**53 - 1)
# A mutated update may reserve this much while pycrdt decodes it, no more.
PEAK_GROWTH_BYTES = 64 * 1024 * 1024


def _varuint(value: int) -> bytes:
    out = bytearray()
    protocol.write_var_uint(out, value)
    return bytes(out)


def _corpus() -> list[bytes]:
    """Honest updates of several shapes, written under a root that no board uses."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    root = doc.get("fuzz", type=Map)
    root["n"] = Map({"text": Text("Öppet hus"), "x": 1.5, "y": -2, "tags": ["a", {"b": None}]})
    root["n"]["text"].insert(2, "ppet ")
    root["n"]["text"].format(0, 4, {"bold": True})
    root["list"] = Array([1, "två", b"\x00\x01", Map({"k": 2**40})])
    del root["list"][1]
    del root["n"]["text"][0:2]
    root["gone"] = "x"
    del root["gone"]
    doc.unobserve(subscription)
    return [*updates, doc.get_update()]


CORPUS = _corpus()


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Flip, insert, delete, truncate, or plant a huge varUint, one to four times."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(out))
        kind = rng.choice(("flip", "insert", "delete", "truncate", "bomb"))
        if kind == "flip" and pos < len(out):
            out[pos] = rng.randrange(256)
        elif kind == "insert":
            out[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif kind == "delete":
            del out[pos : pos + rng.randint(1, 8)]
        elif kind == "truncate":
            del out[pos:]
        else:
            out[pos : pos + 1] = _varuint(rng.choice(BOMB_COUNTS))
    return bytes(out)


def hostile_frame(rng: random.Random) -> bytes:
    """One frame an attacker might send: garbage, a bomb, a broken update or awareness."""
    kind = rng.randrange(6)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 64))
    if kind == 1:
        return protocol.encode_sync_step1(_varuint(rng.choice(BOMB_COUNTS)))
    if kind == 2:
        encode = rng.choice((protocol.encode_update, protocol.encode_sync_step2))
        return encode(mutate(rng, rng.choice(CORPUS)))
    if kind == 3:
        return protocol.encode_update(_varuint(rng.choice(BOMB_COUNTS)) + rng.randbytes(4))
    if kind == 4:
        state = rng.choice(('{"user":{}}', "[" * 50_000 + "]" * 50_000, "null"))
        entries = [AwarenessEntry(rng.randrange(2**32), rng.randrange(9), state)]
        body = protocol.encode_awareness_update(entries)
        return protocol.encode_awareness(mutate(rng, body) if rng.random() < 0.5 else body)
    return mutate(rng, protocol.encode_update(rng.choice(CORPUS)))


def through_codec(frame: bytes) -> bytes | None:
    """Decode a frame as the room does; the update it would hand to pycrdt, if any."""
    message = protocol.decode(frame)
    if isinstance(message, protocol.SyncStep1):
        protocol.check_state_vector(message.state_vector)
    elif isinstance(message, (protocol.SyncStep2, protocol.SyncUpdate)):
        return message.update
    elif isinstance(message, protocol.Awareness):
        protocol.decode_awareness_update(message.payload)
    return None


def _vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


def apply_and_measure_peak(update: bytes) -> int:
    """Apply an accepted update to a doc holding the corpus; how far the peak RSS rose.

    pycrdt may refuse it with an Exception; a Rust panic (PanicException, a BaseException
    that the server's handlers would not catch) fails the test.
    """
    doc: Doc[Any] = Doc()
    doc.apply_update(CORPUS[-1])
    # Writing 5 to clear_refs resets the peak (VmHWM) to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")
    before = _vm_kb("VmRSS")
    with contextlib.suppress(Exception):  # refusing is pycrdt's right; reserving is not
        doc.apply_update(update)
    return (_vm_kb("VmHWM") - before) * 1024


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_protocol_errors(frame: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        through_codec(frame)


@FUZZ
@given(
    st.sampled_from(
        [
            protocol.encode_sync_step1,
            protocol.encode_sync_step2,
            protocol.encode_update,
            protocol.encode_awareness,
        ]
    ),
    st.binary(max_size=300),
)
def test_random_payloads_in_valid_frames_raise_only_protocol_errors(
    encode: Any, payload: bytes
) -> None:
    with contextlib.suppress(ProtocolError):
        through_codec(encode(payload))


@FUZZ
@given(st.randoms(use_true_random=False))
def test_mutated_updates_are_refused_or_cost_pycrdt_no_memory(rng: random.Random) -> None:
    update = mutate(rng, rng.choice(CORPUS))
    try:
        accepted = protocol.check_update(update)
    except ProtocolError:
        return
    assert accepted is update
    assert apply_and_measure_peak(update) < PEAK_GROWTH_BYTES


@FUZZ
@given(st.randoms(use_true_random=False))
def test_hostile_frames_raise_only_protocol_errors(rng: random.Random) -> None:
    with contextlib.suppress(ProtocolError):
        update = through_codec(hostile_frame(rng))
        if update is not None:
            assert apply_and_measure_peak(update) < PEAK_GROWTH_BYTES


# -- the live endpoint -------------------------------------------------------------------

LIVE_SEED = 2026
LIVE_FRAMES = 600
ATTACKERS = 4
HONEST_EDITS = 30
# A liveness bound, not a benchmark: one stalled decode used to cost a second.
ROUND_TRIP_BOUND_S = 2.0


def _state_vector(doc: Doc[Any]) -> dict[int, int]:
    # A client known at clock 0 has written nothing (a zero-length struct from a fuzzed
    # update registers it): it is no content, so it does not count as a difference.
    return {client: clock for client, clock in state_vector(doc).items() if clock > 0}


def _notes(doc: Doc[Any]) -> dict[str, str]:
    return {key: str(value["text"]) for key, value in doc.get("notes", type=Map).items()}


async def _attack(url: str, frames: list[bytes], sent: list[int]) -> None:
    """Send each frame on a socket; a probe step 1 after it shows whether it was taken."""
    ws: Any = None
    probe = protocol.encode_sync_step1(b"\x00")
    for frame in frames:
        if ws is None:
            ws = await websockets.connect(url, max_size=None, open_timeout=10)
        try:
            await ws.send(frame)
            await ws.send(probe)
            async with asyncio.timeout(10):
                while True:
                    reply = await ws.recv()
                    if isinstance(reply, bytes) and reply[:2] == b"\x00\x01":
                        break  # the frame was taken and the socket still answers
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 1008, closed
            ws = None
        sent.append(len(frame))
    if ws is not None:
        await ws.close()


async def test_hostile_sockets_neither_crash_nor_stall_the_board(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "fuzz.db", unload_grace_s=30.0, flush_ms=2.0)
    rng = random.Random(LIVE_SEED)
    frames = [hostile_frame(rng) for _ in range(LIVE_FRAMES)]
    async with run_server(settings) as server:
        board = await create_board(server.url)
        await set_phase(server.url, board, "cluster")
        guest = await join_board(server.url, board, "Mallory")
        base = f"{server.ws_url}/ws/{board['id']}?token="
        async with (
            YClient(base + board["facilitator_key"]) as writer,
            YClient(base + guest["token"]) as reader,
        ):
            await writer.synced.wait()
            await reader.synced.wait()
            sent: list[int] = []
            attackers = [
                asyncio.create_task(_attack(base + guest["token"], frames[i::ATTACKERS], sent))
                for i in range(ATTACKERS)
            ]
            round_trips = []
            expected: dict[str, str] = {}
            # Keep editing for as long as the attack lasts, so every stall shows up.
            i = 0
            while i < HONEST_EDITS or not all(task.done() for task in attackers):
                i += 1
                note_id, text = f"honest{i}", f"Ärlig lapp {i}"
                started = time.monotonic()
                notes = writer.doc.get("notes", type=Map)
                notes[note_id] = Map({"text": Text(text), "x": float(i), "y": 0.0})
                expected[note_id] = text
                await reader.wait_for(lambda n=note_id: n in _notes(reader.doc), within=10)
                round_trips.append(time.monotonic() - started)
            async with asyncio.timeout(60):
                await asyncio.gather(*attackers)
            assert len(sent) == LIVE_FRAMES
            assert max(round_trips) < ROUND_TRIP_BOUND_S, round_trips
            # Attackers wrote only under roots no board uses: the notes are the honest ones.
            await reader.wait_for(lambda: _notes(reader.doc) == expected)
            assert _notes(writer.doc) == expected
            room = server.app.state.rooms.get(board["id"])
            assert room is not None
            async with YClient(base + board["facilitator_key"]) as fresh:
                await fresh.synced.wait()
                await fresh.wait_for(lambda: _state_vector(fresh.doc) == _state_vector(room.doc))
                assert _notes(fresh.doc) == expected
        history = await server.app.state.store.load_doc(board["id"])
        replayed: Doc[Any] = Doc()
        for update in [history.snapshot or b"\x00\x00", *history.updates]:
            replayed.apply_update(update)
        assert _state_vector(replayed) == _state_vector(room.doc)
        assert _notes(replayed) == expected
