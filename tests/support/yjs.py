"""A Yjs peer for tests: a pycrdt Doc kept in sync with one room over y-websocket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import websockets
from pycrdt import Doc, TransactionEvent

from server.sync import protocol


def var_uints(data: bytes) -> Iterator[int]:
    """The lib0 variable-length unsigned integers of `data`, from the front, one by one."""
    pos = 0
    while pos < len(data):
        value = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        yield value


def state_vector(doc: Doc[Any]) -> dict[int, int]:
    """The doc's state vector, decoded: client id -> how many of its structs it has."""
    values = var_uints(doc.get_state())
    return {next(values): next(values) for _ in range(next(values))}


class YClient:
    """A Yjs peer over y-websocket: a pycrdt Doc kept in sync with one room."""

    def __init__(self, url: str, *, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.doc: Doc[Any] = Doc()
        self.synced = asyncio.Event()
        self.awareness: dict[int, str] = {}
        self.received: list[bytes] = []
        self.close_code: int | None = None
        self.close_reason: str = ""
        self._changed = asyncio.Event()
        self._applying = False
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._sub = self.doc.observe(self._on_local)

    async def __aenter__(self) -> YClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        self._ws = await websockets.connect(
            self.url, additional_headers=self.headers, max_size=None, open_timeout=10
        )
        self._reader = asyncio.create_task(self._read())
        await self.send(protocol.encode_sync_step1(self.doc.get_state()))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def send(self, frame: bytes) -> None:
        # A refused socket may already be closed; the close code tells the story.
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._ws.send(frame)

    def _on_local(self, event: TransactionEvent) -> None:
        if self._applying or self._ws is None:
            return
        frame = protocol.encode_update(event.update)
        asyncio.get_running_loop().create_task(self.send(frame))

    def _apply(self, update: bytes) -> None:
        self._applying = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying = False

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                self.received.append(frame)
                message = protocol.decode(frame)
                if isinstance(message, protocol.SyncStep1):
                    reply = protocol.encode_sync_step2(self.doc.get_update(message.state_vector))
                    await self.send(reply)
                elif isinstance(message, protocol.SyncStep2):
                    self._apply(message.update)
                    self.synced.set()
                elif isinstance(message, protocol.SyncUpdate):
                    self._apply(message.update)
                elif isinstance(message, protocol.Awareness):
                    for entry in protocol.decode_awareness_update(message.payload):
                        if entry.is_removal:
                            self.awareness.pop(entry.client_id, None)
                        else:
                            self.awareness[entry.client_id] = entry.state
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._ws.close_code is not None:
                self.close_code = self._ws.close_code
                self.close_reason = self._ws.close_reason or ""
            self._changed.set()

    async def wait_for(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until `condition()` holds, re-checking after every message; bounded."""
        async with asyncio.timeout(within):
            while not condition():
                self._changed.clear()
                if self._reader is not None and self._reader.done() and not condition():
                    raise ConnectionError(f"socket closed ({self.close_code}) before condition")
                await self._changed.wait()

    async def wait_closed(self, within: float = 10.0) -> int | None:
        assert self._reader is not None
        async with asyncio.timeout(within):
            await self._reader
        return self.close_code


async def refused_with(client: YClient, within: float = 10.0) -> int | None:
    """Connect a client the server is expected to turn away; the close code it got."""
    await client.connect()
    return await client.wait_closed(within)


def replay(history: Any) -> Doc[Any]:
    """A doc rebuilt from a stored history: the snapshot when there is one, then the log."""
    doc: Doc[Any] = Doc()
    base = [] if history.snapshot is None else [history.snapshot]
    for update in [*base, *history.updates]:
        doc.apply_update(update)
    return doc
