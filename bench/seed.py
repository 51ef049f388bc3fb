"""Fill a board with notes in a few large transactions, and stay connected meanwhile.

Seeding as one client sending thousands of one-note frames would hit Samsyn's message
rate limit (by design); a few hundred notes per transaction stays well inside both the
rate and the frame size limits. The seeder keeps its socket open until the block ends
because the peers drop a room, and its document, when its last client leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from pycrdt import Doc, Map, TransactionEvent

from bench.client import MAX_MESSAGE, NOTES_MAP, note
from bench.transport import WebSocket
from server.sync import protocol

_TIMEOUT_S = 120.0
_NOTES_PER_FRAME = 200


@contextlib.contextmanager
def seeded(url: str, origin: str, notes: int, note_chars: int) -> Iterator[int]:
    """Seed `notes` notes of `note_chars` characters; yields the board's encoded size."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="seeder", daemon=True)
    thread.start()
    seeder = _Seeder(url, origin)
    try:
        size = asyncio.run_coroutine_threadsafe(seeder.seed(notes, note_chars), loop).result(
            _TIMEOUT_S
        )
        yield size
    finally:
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(seeder.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


class _Seeder:
    def __init__(self, url: str, origin: str) -> None:
        self._url = url
        self._origin = origin
        self._doc: Doc[Any] = Doc()
        self._replies: asyncio.Queue[bytes] = asyncio.Queue()
        self._ws: WebSocket | None = None
        self._closed: str | None = None

    async def seed(self, notes: int, note_chars: int) -> int:
        async with asyncio.timeout(_TIMEOUT_S):
            self._ws = await WebSocket.open(
                self._url, self._origin, self._on_message, self._on_close, MAX_MESSAGE
            )
            await self._sync()
            notes_map: Map[Any] = self._doc.get(NOTES_MAP, type=Map)
            text = ("Lånekort, läsfrämjande och mötesplatser. " * (note_chars // 40 + 1))[
                :note_chars
            ]
            for start in range(0, notes, _NOTES_PER_FRAME):
                updates: list[bytes] = []

                def keep(event: TransactionEvent, into: list[bytes] = updates) -> None:
                    into.append(event.update)

                subscription = self._doc.observe(keep)
                with self._doc.transaction():
                    for i in range(start, min(start + _NOTES_PER_FRAME, notes)):
                        notes_map[f"seed{i}"] = note(i % 50, text)
                self._doc.unobserve(subscription)
                self._ws.send(protocol.encode_update(b"".join(updates)))
            # The server answers a step 1 after the updates sent before it on this socket
            # (Samsyn once they are durable), so the reply says the board is all there.
            await self._sync()
            return len(self._doc.get_update())

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(TimeoutError, ConnectionError):
                async with asyncio.timeout(3):
                    await self._ws.close()

    async def _sync(self) -> None:
        assert self._ws is not None
        self._ws.send(protocol.encode_sync_step1(self._doc.get_state()))
        while True:
            frame = await self._replies.get()
            if self._closed is not None:
                raise ConnectionError(f"the server closed the seeder: {self._closed}")
            message = protocol.decode(frame)
            if isinstance(message, protocol.SyncStep2):
                return

    def _on_message(self, frame: bytes) -> None:
        if frame[:1] != bytes((protocol.MessageType.SYNC,)):
            return
        message = protocol.decode(frame)
        if isinstance(message, protocol.SyncStep1) and self._ws is not None:
            self._ws.send(protocol.encode_sync_step2(self._doc.get_update(message.state_vector)))
        elif isinstance(message, protocol.SyncStep2):
            self._replies.put_nowait(frame)

    def _on_close(self, code: int, reason: str) -> None:
        self._closed = f"{code} {reason}".strip()
        self._replies.put_nowait(b"")
