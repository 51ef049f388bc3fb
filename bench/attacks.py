"""What each hostile client of the hardening issue costs a real `samsyn serve` now.

    .venv/bin/python -m bench.attacks [--results DIR]

Starts the server on its own SQLite file and, for each attack, measures while it runs:
the server's peak resident memory above where it started the attack (sampled every
20 ms), how late an honest edit reaches another client on a second board (a probe
writing every 50 ms), the slowest `/healthz`, the event loop's worst lag as the server
itself reports it (`/metrics`, over its last minute), and what became of the attacker.
The tests (tests/integration/test_hardening.py and its neighbours) assert the behaviour;
this reports the figures, which depend on the machine and never go into a test.

The attackers reuse the hostile clients of the tests (tests/support/attacks.py): a
blocking socket that never reads is driven from a thread, so that the probe's loop is
not the one that waits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from pycrdt import Map

from server.sync import protocol
from tests.support.attacks import SilentSocket, add_big_notes, half_valid_update, metric, rss_mb
from tests.support.boards import create_board, join_board
from tests.support.servers import METRICS_TOKEN, ServerProcess
from tests.support.yjs import YClient


@dataclass
class Figures:
    attack: str
    frames: int = 0
    peak_rss_extra_mb: float = 0.0
    probe_p99_ms: float = 0.0
    probe_max_ms: float = 0.0
    probes: int = 0
    probes_lost: int = 0
    healthz_max_ms: float = 0.0
    loop_lag_max_ms: float = 0.0
    outcome: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _has(entries: Map[Any], key: str) -> Callable[[], bool]:
    return lambda: key in entries


def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _sync(kind: int, payload: bytes) -> bytes:
    return bytes([protocol.MessageType.SYNC, kind]) + _var_uint(len(payload)) + payload


class Watch:
    """The probe, /healthz and the server's memory, sampled while an attack runs."""

    def __init__(self, server: ServerProcess, probe_board: dict[str, Any]) -> None:
        self.server = server
        self.board = probe_board
        assert server.proc is not None
        self.pid = server.proc.pid

    async def during(self, attack: Callable[[], Awaitable[str]], figures: Figures) -> Figures:
        url = f"{self.server.ws_url}/ws/{self.board['id']}?token={self.board['facilitator_key']}"
        stop = asyncio.Event()
        trips: list[float] = []
        lost = 0
        health: list[float] = []
        base = rss_mb(self.pid)
        peak = base

        async def probe() -> None:
            nonlocal lost
            async with YClient(url) as writer, YClient(url) as reader:
                await writer.wait_for(writer.synced.is_set, within=30)
                await reader.wait_for(reader.synced.is_set, within=30)
                sent, seen = writer.doc.get("probe", type=Map), reader.doc.get("probe", type=Map)
                i = 0
                while not stop.is_set():
                    key = f"{figures.attack}-{i}"
                    began = time.monotonic()
                    sent[key] = i
                    try:
                        await reader.wait_for(_has(seen, key), within=30)
                        trips.append(time.monotonic() - began)
                    except TimeoutError:
                        lost += 1
                    i += 1
                    await asyncio.sleep(0.05)

        async def healthz() -> None:
            async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as client:
                while not stop.is_set():
                    began = time.monotonic()
                    with contextlib.suppress(httpx.HTTPError):
                        await client.get("/healthz")
                    health.append(time.monotonic() - began)
                    await asyncio.sleep(0.05)

        async def memory() -> None:
            nonlocal peak
            while not stop.is_set():
                with contextlib.suppress(OSError, LookupError):
                    peak = max(peak, rss_mb(self.pid))
                await asyncio.sleep(0.02)

        watchers = [asyncio.create_task(c()) for c in (probe, healthz, memory)]
        await asyncio.sleep(0.5)  # the probe is synced and writing
        try:
            figures.outcome = await attack()
            await asyncio.sleep(0.5)  # what the attack left behind settles
        finally:
            stop.set()
            await asyncio.gather(*watchers, return_exceptions=True)
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as client:
            text = (
                await client.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
            ).text
        figures.peak_rss_extra_mb = round(peak - base, 1)
        if trips:
            ordered = sorted(trips)
            figures.probe_p99_ms = round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1)
            figures.probe_max_ms = round(1000 * ordered[-1], 1)
        figures.probes, figures.probes_lost = len(trips), lost
        figures.healthz_max_ms = round(1000 * max(health, default=0.0), 1)
        with contextlib.suppress(LookupError):
            lag = metric(text, 'samsyn_event_loop_lag_seconds{quantile="1"}')
            figures.loop_lag_max_ms = round(1000 * lag, 1)
        return figures


async def _step1_flood(server: ServerProcess, board: dict[str, Any], figures: Figures) -> str:
    """Three sockets with the wall's key that never read, 400 sync step 1 each, on a
    board of 1.2 MB: every step 1 asks for the whole board."""
    wall_key = board["urls"]["wall"].split("key=", 1)[1]
    frame = protocol.encode_sync_step1(b"\x00")

    def flood() -> str:
        sockets = [
            SilentSocket(server.port, f"/ws/{board['id']}?token={wall_key}") for _ in range(3)
        ]
        sent = 0
        try:
            for _ in range(400):
                for sock in sockets:
                    with contextlib.suppress(OSError):
                        sock.send(frame)
                        sent += 1
            time.sleep(server_send_timeout_s() + 2)  # the stall deadline passes
        finally:
            for sock in sockets:
                sock.close()
        figures.frames = sent
        return f"{sent} frames sent; sockets dropped at the stall deadline"

    return await asyncio.to_thread(flood)


def server_send_timeout_s() -> float:
    return float(os.environ.get("SAMSYN_SEND_TIMEOUT_S", "20"))


async def _raw_frames(url: str, frames: list[bytes]) -> tuple[int, list[int]]:
    """Send `frames`, reconnecting after each close; how many went out and the close codes."""
    sent, codes = 0, []
    queue = list(frames)
    while queue:
        try:
            async with websockets.connect(url, max_size=None, open_timeout=10) as ws:
                while queue:
                    await ws.send(queue.pop(0))
                    sent += 1
                    # A ping after each frame: a close the frame caused arrives first.
                    await asyncio.wait_for(await ws.ping(), 10)
        except websockets.ConnectionClosed as closed:
            codes.append(closed.rcvd.code if closed.rcvd else 1006)
        except (OSError, websockets.InvalidStatus):
            codes.append(0)
            await asyncio.sleep(0.1)
    return sent, codes


def _summary(codes: list[int]) -> str:
    counts: dict[int, int] = {}
    for code in codes:
        counts[code] = counts.get(code, 0) + 1
    return ", ".join(f"{n}× closed {code}" for code, n in sorted(counts.items())) or "none closed"


async def _count_bombs(url: str, figures: Figures) -> str:
    """Ten state vectors declaring 536,870,911 entries, ten updates declaring
    268,435,455 clients: seven bytes each."""
    frames = [_sync(0, _var_uint(536_870_911))] * 10 + [_sync(2, _var_uint(268_435_455))] * 10
    _, codes = await _raw_frames(url, frames)
    figures.frames = len(frames)
    return _summary(codes)


async def _half_applied(url: str, figures: Figures) -> str:
    frames = [
        protocol.encode_update(half_valid_update(9_000 + i, f"halv{i}", "halvt giltig lapp"))
        for i in range(100)
    ]
    _, codes = await _raw_frames(url, frames)
    figures.frames = len(frames)
    return _summary(codes)


def _awareness_frames() -> list[bytes]:
    """100 frames each announcing 10,000 client ids (made before the watch starts: the
    harness's own encoding must not delay its probe)."""
    frames = []
    for batch in range(100):
        entries = [
            protocol.AwarenessEntry(batch * 10_000 + i + 1, 1, '{"user":{"name":"x"}}')
            for i in range(10_000)
        ]
        frames.append(protocol.encode_awareness(protocol.encode_awareness_update(entries)))
    return frames


async def _awareness_flood(url: str, frames: list[bytes], figures: Figures) -> str:
    _, codes = await _raw_frames(url, frames)
    figures.frames = len(frames)
    return _summary(codes)


async def _fuzz(url: str, figures: Figures, count: int = 5_000) -> str:
    """Random bytes and valid frames with bytes flipped, cut or repeated."""
    rng = random.Random(7)
    valid = [
        protocol.encode_sync_step1(b"\x00"),
        protocol.encode_update(b"\x00\x00"),
        protocol.encode_awareness(protocol.encode_awareness_update([])),
    ]
    frames = []
    for _ in range(count):
        choice = rng.random()
        if choice < 0.3:
            frames.append(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))))
            continue
        mutated = bytearray(rng.choice(valid))
        for _ in range(rng.randrange(1, 4)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        if choice > 0.8:
            mutated = mutated[: rng.randrange(1, len(mutated) + 1)] * rng.randrange(1, 4)
        frames.append(bytes(mutated))
    _, codes = await _raw_frames(url, frames)
    figures.frames = len(frames)
    return f"{len(codes)} sockets closed with a reason ({_summary(codes)})"


async def _socket_flood(server: ServerProcess, board: dict[str, Any], figures: Figures) -> str:
    """4,000 websockets from one address with one participant's token."""
    guest = await join_board(server.url, board, "Många")
    url = f"{server.ws_url}/ws/{board['id']}?token={guest['token']}"
    opened: list[Any] = []
    refused = 0
    for _ in range(4_000):
        try:
            ws = await websockets.connect(url, max_size=None, open_timeout=10)
        except (OSError, websockets.InvalidStatus, websockets.ConnectionClosed):
            refused += 1
            continue
        opened.append(ws)
    await asyncio.sleep(0.5)
    alive = sum(1 for ws in opened if ws.close_code is None)
    for ws in opened:
        with contextlib.suppress(Exception):
            await ws.close()
    figures.frames = 4_000
    return f"{alive} stayed open, {len(opened) - alive} closed (1013), {refused} refused"


async def _big_export(server: ServerProcess, figures: Figures) -> str:
    """A board of 20,000 notes exported as Markdown and docx while the probe writes."""
    board = await create_board(server.url, "Stor export")
    url = f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}"
    async with YClient(url) as writer:
        await writer.wait_for(writer.synced.is_set, within=30)
        for batch in range(8):
            add_big_notes(writer, 2_500, 60, prefix=f"b{batch}-")
            await asyncio.sleep(0.3)
        await asyncio.sleep(2)
    statuses = []
    async with httpx.AsyncClient(base_url=server.url, timeout=300) as client:
        headers = {"authorization": f"Bearer {board['facilitator_key']}"}
        for fmt in ("md", "docx"):
            began = time.monotonic()
            response = await client.get(f"/b/{board['id']}/export.{fmt}", headers=headers)
            statuses.append(f"{fmt} {response.status_code} in {time.monotonic() - began:.1f} s")
    figures.frames = 20_000
    return ", ".join(statuses)


def _bound(
    attack: Callable[[Figures], Awaitable[str]], figures: Figures
) -> Callable[[], Awaitable[str]]:
    return lambda: attack(figures)


async def run(results: Path | None) -> list[Figures]:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "attacks.db").start()
        try:
            probe_board = await create_board(server.url, "Sond")
            target = await create_board(server.url, "Måltavla")
            url = f"{server.ws_url}/ws/{target['id']}?token={target['facilitator_key']}"
            async with YClient(url) as seeder:
                await seeder.wait_for(seeder.synced.is_set, within=30)
                add_big_notes(seeder, 1_200, 1_000)  # 1.2 MB, as in the finding
                await asyncio.sleep(2)
            presence = _awareness_frames()
            watch = Watch(server, probe_board)
            attacks: list[tuple[str, Callable[[Figures], Awaitable[str]]]] = [
                (
                    "step-1 flood, 3 non-reading wall sockets",
                    lambda f: _step1_flood(server, target, f),
                ),
                ("declared-count bombs (7-byte frames)", lambda f: _count_bombs(url, f)),
                ("half-applied updates", lambda f: _half_applied(url, f)),
                ("awareness: 10,000 ids a frame", lambda f: _awareness_flood(url, presence, f)),
                ("fuzzed frames", lambda f: _fuzz(url, f)),
                ("4,000 sockets from one address", lambda f: _socket_flood(server, target, f)),
                ("export of 20,000 notes", lambda f: _big_export(server, f)),
            ]
            done = []
            for name, attack in attacks:
                figures = Figures(name)
                await watch.during(_bound(attack, figures), figures)
                print(json.dumps(asdict(figures), ensure_ascii=False), flush=True)
                done.append(figures)
        finally:
            server.stop()
    if results is not None:
        _write(results / "attacks.json", json.dumps([asdict(f) for f in done], indent=2))
    print()
    print(_table(done))
    return done


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _table(rows: list[Figures]) -> str:
    head = (
        "| attack | frames | peak RSS above start MB | probe p99 / max ms (lost) "
        "| /healthz max ms | loop lag max ms | outcome |\n" + "| --- " * 7 + "|"
    )
    lines = [
        f"| {r.attack} | {r.frames:,} | {r.peak_rss_extra_mb} | {r.probe_p99_ms} / "
        f"{r.probe_max_ms} ({r.probes_lost} of {r.probes + r.probes_lost}) | {r.healthz_max_ms}"
        f" | {r.loop_lag_max_ms} | {r.outcome} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.results))


if __name__ == "__main__":
    main()
