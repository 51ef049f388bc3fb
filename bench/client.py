"""One benchmark participant: a websocket, a pycrdt Doc, the sync handshake, and notes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
from array import array
from typing import Any

from pycrdt import Doc, Map, Text, TransactionEvent

from bench.transport import WebSocket, WebSocketClosed
from server.sync import protocol

BENCH_MAP = "bench"
NOTES_MAP = "notes"
MAX_MESSAGE = 2**24
_NOTE_TEXT_MAX = 80
_EMPTY_STATE_VECTOR = b"\x00"  # no clients
_EMPTY_UPDATE = b"\x00\x00"  # no structs, no deletions
_SYNC_TYPE = bytes((protocol.MessageType.SYNC,))
_MARK = re.compile(rb"mark/(\d{1,6})/(\d{1,9})/(\d{1,19})")


def mark_key(writer: int, seq: int, sent_us: int) -> str:
    """The bench map key of one timed edit: who, which, and when (µs, CLOCK_MONOTONIC)."""
    return f"mark/{writer}/{seq}/{sent_us}"


def note(writer: int, text: str) -> Map[Any]:
    """A sticky note shaped like the browser client's, for edits and for seeding."""
    return Map(
        {
            "text": Text(text),
            "x": float(40 * writer),
            "y": 0.0,
            "color": "yellow",
            "author": f"bench-{writer}",
            "cluster": None,
            "section": None,
            "created": float(time.time_ns() // 1_000_000),
        }
    )


def clock_us() -> int:
    """Microseconds on CLOCK_MONOTONIC, which every process on one Linux host shares."""
    return time.perf_counter_ns() // 1000


class BenchClient:
    """A Yjs peer that applies every update it receives and times the writers' marks.

    A writer edits its own sticky note at a fixed rate; each edit also adds a key
    `mark/{writer}/{seq}/{send µs}` to the "bench" map, so receivers time the delivery from
    the update bytes and check the doc holds every mark at the end.

    With full=False the client keeps no Doc: it answers the handshake as an empty peer and
    only finds the marks in the frames. Applying an update costs more than everything else
    a client does, and 200 clients on 2 cores cannot all afford it (see README.md).
    """

    def __init__(
        self,
        index: int,
        url: str,
        origin: str,
        *,
        writer: int | None,
        writers: int,
        writes: int,
        full: bool,
    ) -> None:
        self.index = index
        self.writer = writer
        self.connect_s: float | None = None
        self.received = 0
        self.expected = 0
        self.latencies_us = array("q")
        self.errors: list[str] = []
        self.close_code: int | None = None
        self.state_bytes = 0  # size of the server's sync step 2: the full state for a joiner
        self.sent_update_bytes = 0
        self.cursor_moves = 0
        self._url = url
        self._origin = origin
        self._doc = Doc() if full or writer is not None else None
        if self._doc is not None:
            self._bench: Map[Any] = self._doc.get(BENCH_MAP, type=Map)
            self._notes: Map[Any] = self._doc.get(NOTES_MAP, type=Map)
        self._outbox: list[bytes] = []
        self._writes = writes
        self._seen = bytearray(writers * writes)
        self._measure_from_seq = 0
        self._ws: WebSocket | None = None
        self._synced = asyncio.Event()
        self._complete = asyncio.Event()
        self._closing = False

    async def connect(self) -> None:
        """Open the socket and finish the sync handshake (our step 1 answered by a step 2).

        Unbounded by itself: the caller puts it under one deadline shared by all clients.
        """
        started = time.perf_counter()
        self._ws = await WebSocket.open(
            self._url, self._origin, self._on_message, self._on_close, MAX_MESSAGE
        )
        state = self._doc.get_state() if self._doc is not None else _EMPTY_STATE_VECTOR
        self._ws.send(protocol.encode_sync_step1(state))
        await self._synced.wait()
        if self.close_code is not None:
            raise ConnectionError(f"closed during sync: {self.errors[-1] if self.errors else ''}")
        self.connect_s = time.perf_counter() - started

    def expect(self, expected: int, measure_from_seq: int) -> None:
        """Set how many marks this client must receive, and the first seq that is timed."""
        self.expected = expected
        self._measure_from_seq = measure_from_seq
        if self.received >= expected:
            self._complete.set()

    async def write(self, start_us: int, rate: float, writes: int) -> None:
        """Edit this writer's note `writes` times at `rate` Hz from start_us; never skip one."""
        if self.writer is None or self._ws is None:
            return
        period_us = 1e6 / rate
        for seq in range(writes):
            delay = (start_us + seq * period_us - clock_us()) / 1e6
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                self._ws.send(self._edit(seq))
            except WebSocketClosed:
                return  # on_close has recorded why

    async def move_cursor(self, start_us: int, rate: float, end_us: int) -> None:
        """Send an awareness update (a cursor position) `rate` times a second until end_us."""
        if self._ws is None:
            return
        client_id = self._doc.client_id if self._doc is not None else random.getrandbits(31)
        period_us = 1e6 / rate
        # Spread the clients over a period so that the moves do not all land at once.
        at = start_us + random.random() * period_us
        clock = 0
        while at < end_us:
            delay = (at - clock_us()) / 1e6
            if delay > 0:
                await asyncio.sleep(delay)
            clock += 1
            state = json.dumps(
                {"user": {"name": f"bench-{self.index}"}, "cursor": {"x": clock % 997, "y": 1}}
            )
            payload = protocol.encode_awareness_update(
                [protocol.AwarenessEntry(client_id, clock, state)]
            )
            try:
                self._ws.send(protocol.encode_awareness(payload))
            except WebSocketClosed:
                return
            self.cursor_moves += 1
            at += period_us

    async def wait_complete(self) -> None:
        """Wait until every expected mark arrived (the caller bounds the wait)."""
        await self._complete.wait()

    @property
    def complete(self) -> bool:
        """Whether every expected mark arrived."""
        return self._complete.is_set()

    async def close(self) -> None:
        """Close the socket with a close handshake, bounded to a few seconds."""
        self._closing = True
        if self._ws is None:
            return
        try:
            async with asyncio.timeout(3):
                await self._ws.close()
        except TimeoutError:
            self.errors.append("close handshake timed out")
            self._ws.abort()

    def abort(self) -> None:
        """Drop the socket without a close handshake."""
        self._closing = True
        if self._ws is not None:
            self._ws.abort()

    def verify(self) -> int:
        """Recount the delivered marks from the doc itself; returns and stores the count.

        A mark seen in an update that the doc left pending (a causal gap: the server lost
        an earlier update of that writer) is not in the map and so is not counted.
        """
        if self._doc is None:
            return self.received
        held = 0
        for key in self._bench:
            match = _MARK.fullmatch(key.encode())
            if match is None or int(match[1]) == self.writer:
                continue
            slot = int(match[1]) * self._writes + int(match[2])
            if slot < len(self._seen) and self._seen[slot]:
                held += 1
        if held != self.received:
            self.errors.append(f"{self.received - held} marks seen on the wire, absent from doc")
        self.received = held
        return held

    def _edit(self, seq: int) -> bytes:
        """One sticky-note edit plus the timing mark, as one transaction; the update frame."""
        assert self.writer is not None and self._doc is not None
        key = f"n{self.writer}"
        subscription = self._doc.observe(self._on_transaction)
        with self._doc.transaction():
            if seq == 0:
                self._notes[key] = note(self.writer, "")
            sticky = self._notes[key]
            text: Text = sticky["text"]
            if len(text) >= _NOTE_TEXT_MAX:
                del text[0]
            text += "abcdefghij"[seq % 10]
            sticky["y"] = float(seq)
            sent_us = clock_us()
            self._bench[mark_key(self.writer, seq, sent_us)] = float(sent_us)
        self._doc.unobserve(subscription)
        update = b"".join(self._outbox)
        self._outbox.clear()
        self.sent_update_bytes += len(update)
        return protocol.encode_update(update)

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._outbox.append(event.update)

    def _on_message(self, frame: bytes) -> None:
        if frame[:1] != _SYNC_TYPE:
            return  # awareness, auth and queries carry no document content
        try:
            message = protocol.decode(frame)
        except protocol.ProtocolError as exc:
            self.errors.append(f"bad frame: {exc}")
            return
        if isinstance(message, protocol.SyncStep1):
            if self._doc is None:
                answer = protocol.encode_sync_step2(_EMPTY_UPDATE)
            else:
                answer = protocol.encode_sync_step2(self._doc.get_update(message.state_vector))
            if self._ws is not None:
                with contextlib.suppress(WebSocketClosed):  # on_close records why
                    self._ws.send(answer)
            return
        assert isinstance(message, (protocol.SyncStep2, protocol.SyncUpdate))
        now_us = clock_us()
        # The raw bytes, not `message.update`: the server's structural check walks the
        # whole update in Python (about 37 ns a byte; 150 joiners of a 6.7 MB board cost
        # the load generator 37 s of CPU and made the join storm measure the client).
        # A writer's doc still applies it, and pycrdt rejects what is malformed.
        update = message.raw
        try:
            if self._doc is not None:
                self._doc.apply_update(update)
        except Exception as exc:  # a bad update is a finding to report, not a crash
            self.errors.append(f"apply_update failed: {exc!r}")
        else:
            self._collect(update, now_us)
        if isinstance(message, protocol.SyncStep2) and not self._synced.is_set():
            self.state_bytes = len(update)
            self._synced.set()

    def _collect(self, update: bytes, now_us: int) -> None:
        """Count and time the marks in an update (that the doc, if any, has just applied).

        Map keys travel as plain UTF-8 in v1 updates, so a regex finds the marks without
        a Python-side decode or a doc observer (either costs more per update than the
        whole rest of the client). verify() later checks the doc really holds them.
        """
        for match in _MARK.finditer(update):
            writer, seq = int(match[1]), int(match[2])
            if writer == self.writer:
                continue
            slot = writer * self._writes + seq
            if slot >= len(self._seen) or self._seen[slot]:
                continue
            self._seen[slot] = 1
            self.received += 1
            if seq >= self._measure_from_seq:
                self.latencies_us.append(now_us - int(match[3]))
        if self.expected and self.received >= self.expected:
            self._complete.set()

    def _on_close(self, code: int, reason: str) -> None:
        self.close_code = code
        if not self._closing:
            self.errors.append(f"closed by server: {code} {reason}".strip())
        self._synced.set()  # a connect() still waiting must not hang on a dead socket
