"""Loads and unloads rooms: one load per doc, even when many clients join at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Protocol

from starlette.types import Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from boards.schema import replay
from server.sync import heap
from server.sync.connection import Connection
from server.sync.protocol import CloseCode, ProtocolError
from server.sync.room import DocTooLarge, Room, RoomConfig, UpdateLog

log = logging.getLogger(__name__)


class StoredDoc(Protocol):
    """What is stored of one doc: the updates that rebuild it, in order."""

    @property
    def updates(self) -> list[bytes]: ...

    def replayed(self) -> list[bytes]: ...


class DocLog(UpdateLog, Protocol):
    """The update log, and the way to read a doc back from it."""

    def load_doc(self, doc: str) -> Awaitable[StoredDoc]: ...


class Rooms:
    """Every live room of this process, owned by the app's lifespan."""

    def __init__(
        self,
        log: DocLog,
        config: RoomConfig,
        on_load: Callable[[Room], None] | None = None,
        on_unload: Callable[[Room], None] | None = None,
        freshen: Callable[[Room], Awaitable[None]] | None = None,
        exclusive: Callable[[Room], contextlib.AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        self._store = log
        # Runs once per load, before anyone is handed the room (e.g. to write defaults).
        self._on_load = on_load
        # Runs once the room is closed (e.g. to stop following other processes' updates).
        self._on_unload = on_unload
        # With several processes: bring a loaded room up to the shared log before use,
        # and make a block of server-side writes exclusive across the processes.
        self._freshen = freshen
        self._exclusive = exclusive
        self.config = config
        self._rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Future[Room]] = {}
        self._unloading: dict[str, asyncio.Task[None]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.loads = 0
        self.loads_by_name: Counter[str] = Counter()
        self.unloads = 0
        # Open sockets per (kind, key): client address, credential.
        self._sockets: Counter[tuple[str, str]] = Counter()

    async def __aenter__(self) -> Rooms:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __len__(self) -> int:
        return len(self._rooms)

    @property
    def connection_count(self) -> int:
        return sum(len(room.connections) for room in self._rooms.values())

    def get(self, name: str) -> Room | None:
        """The room if it is loaded; None otherwise."""
        return self._rooms.get(name)

    def loaded_under(self, prefix: str) -> list[Room]:
        """The loaded rooms whose names start with `prefix` (a board's drafts docs)."""
        return [room for name, room in self._rooms.items() if name.startswith(prefix)]

    @contextlib.asynccontextmanager
    async def use(self, name: str) -> AsyncIterator[Room]:
        """Hold `name`'s room loaded for the duration of the block."""
        room = await self.acquire(name)
        try:
            yield room
        finally:
            self.release(room)

    def connection(
        self,
        websocket: WebSocket,
        label: str,
        *,
        can_write: Callable[[], bool],
        raw_send: Send | None = None,
    ) -> Connection:
        """A connection with this process's send queue and rate limits."""
        return Connection(
            websocket,
            label=label,
            can_write=can_write,
            queue_frames=self.config.send_queue_frames,
            rate_per_s=self.config.rate_per_s,
            rate_burst=self.config.rate_burst,
            raw_send=raw_send,
            queue_bytes=self.config.send_queue_bytes,
            send_timeout_s=self.config.send_timeout_s,
        )

    @contextlib.contextmanager
    def claim(self, address: str, credential: str) -> Iterator[str | None]:
        """Count one more socket from `address` with `credential` for the block; yields
        why it is refused (over a cap) or None."""
        caps = {
            ("address", address): self.config.sockets_per_address,
            ("credential", credential): self.config.sockets_per_credential,
        }
        for (kind, key), cap in caps.items():
            if self._sockets[(kind, key)] >= cap:
                log.warning("rooms: refused a socket, %d open for this %s", cap, kind)
                yield f"too many open sockets for this {kind} (at most {cap})"
                return
        for claimed in caps:
            self._sockets[claimed] += 1
        try:
            yield None
        finally:
            for claimed in caps:
                self._sockets[claimed] -= 1
                if self._sockets[claimed] <= 0:
                    del self._sockets[claimed]

    async def serve(
        self, conn: Connection, name: str, *, on_join: Callable[[Room], None] | None = None
    ) -> None:
        """Attach an accepted socket to `name`'s room and relay its frames until it closes."""
        limit = self.config.max_message_bytes
        sync_limit = max(limit, self.config.max_sync_bytes)
        room = await self.acquire(name)
        try:
            room.join(conn)
            if on_join is not None:
                on_join(room)
            while not conn.closing:
                message = await conn.websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                frame = message.get("bytes")
                if frame is None:
                    conn.close(CloseCode.UNSUPPORTED_DATA, "expected binary y-websocket frames")
                    break
                if len(frame) > limit and not _expected_step2(conn, frame, sync_limit):
                    allowed = sync_limit if frame[:2] == _STEP2_HEAD else limit
                    log.warning(
                        "%s: closing, a frame of %d bytes exceeds the limit of %d",
                        conn.label,
                        len(frame),
                        allowed,
                    )
                    conn.close(
                        CloseCode.TOO_BIG,
                        f"frame of {len(frame)} bytes exceeds the limit of {allowed}",
                    )
                    break
                if frame[:2] == _STEP2_HEAD and conn.step2_expected > 0:
                    conn.step2_expected -= 1
                if not conn.allow_message():
                    conn.close(CloseCode.POLICY, "message rate limit exceeded")
                    break
                try:
                    await room.receive(conn, frame)
                except DocTooLarge as exc:
                    # Logged: the client keeps its edits and retries; an operator may
                    # raise SAMSYN_MAX_DOC_BYTES.
                    log.warning("%s: closing, %s", conn.label, exc)
                    conn.close(CloseCode.TOO_BIG, str(exc))
                    break
                except ProtocolError as exc:
                    log.info("%s: closing on a protocol error: %s", conn.label, exc)
                    conn.close(CloseCode.POLICY, str(exc))
                    break
        except WebSocketDisconnect:
            pass
        finally:
            room.leave(conn)
            self.release(room)
            await conn.finish()

    @contextlib.asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[Room]:
        """`use`, with the block's writes alone on the doc (across processes too) and
        committed when it ends."""
        async with self.use(name) as room:
            if self._exclusive is None:
                yield room
            else:
                async with self._exclusive(room):
                    yield room
            await room.durable()

    async def acquire(self, name: str) -> Room:
        """Load the room (once, however many ask) and count one more user of it."""
        while True:
            unloading = self._unloading.get(name)
            if unloading is not None:
                # Let the old copy reach the disk before a new one reads it.
                await asyncio.shield(unloading)
                continue
            room = self._rooms.get(name)
            if room is None:
                loading = self._loading.get(name)
                if loading is None:
                    loading = asyncio.get_running_loop().create_future()
                    self._loading[name] = loading
                    task = asyncio.create_task(self._load(name, loading), name=f"load {name}")
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                room = await asyncio.shield(loading)
            if self._rooms.get(name) is room:
                break
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()
        room.refs += 1
        if self._freshen is not None:
            try:
                await self._freshen(room)
            except BaseException:
                self.release(room)
                raise
        return room

    def release(self, room: Room) -> None:
        """One user fewer; the last one starts the unload grace period."""
        room.refs -= 1
        if room.refs > 0 or self._rooms.get(room.name) is not room:
            return
        loop = asyncio.get_running_loop()
        self._timers[room.name] = loop.call_later(
            self.config.unload_grace_s, self._start_unload, room.name
        )

    async def _load(self, name: str, future: asyncio.Future[Room]) -> None:
        try:
            history = await self._store.load_doc(name)
            room = Room(
                name,
                replay(history.replayed()),
                log=self._store,
                log_rows=len(history.updates),
                config=self.config,
            )
            if self._on_load is not None:
                self._on_load(room)
        except Exception as exc:
            log.exception("rooms: loading %s failed", name)
            future.set_exception(exc)
            # Nobody may be waiting; mark the exception retrieved to keep the log clean.
            future.exception()
        else:
            self._rooms[name] = room
            heap.TRIMMER.after(room.size)
            self.loads += 1
            self.loads_by_name[name] += 1
            future.set_result(room)
        finally:
            del self._loading[name]

    def _start_unload(self, name: str) -> None:
        self._timers.pop(name, None)
        room = self._rooms.get(name)
        if room is None or room.refs > 0:
            return
        del self._rooms[name]
        task = asyncio.create_task(self._unload(room), name=f"unload {name}")
        self._unloading[name] = task

    async def _unload(self, room: Room) -> None:
        try:
            await self._close_room(room)
            self.unloads += 1
        except Exception:
            log.exception("rooms: unloading %s failed", room.name)
        finally:
            del self._unloading[room.name]

    async def _close_room(self, room: Room) -> None:
        try:
            await room.close()
        finally:
            if self._on_unload is not None:
                self._on_unload(room)

    async def close(self) -> None:
        """Flush and close every room; used at shutdown."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        rooms = list(self._rooms.values())
        self._rooms.clear()
        await asyncio.gather(*(self._close_room(room) for room in rooms), return_exceptions=True)
        if self._unloading:
            await asyncio.gather(*self._unloading.values(), return_exceptions=True)


# A sync message (0) of sub-type step 2 (1): the first two bytes of every such frame.
_STEP2_HEAD = b"\x00\x01"


def _expected_step2(conn: Connection, frame: bytes, sync_limit: int) -> bool:
    """A sync step 2 answering a step 1 we sent may carry a whole offline backlog."""
    return conn.step2_expected > 0 and frame[:2] == _STEP2_HEAD and len(frame) <= sync_limit
