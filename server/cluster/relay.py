"""Several processes on one board: the PostgreSQL log of record, Redis for speed.

A process commits an update to the shared log first (the room does that), then sends
it to its own clients and publishes `{seqs, data}` on the doc's Redis stream, capped in
length: one entry per committed batch, with the batch's log positions and the update
its room broadcast, never the raw ones (a note a participant put on the board when
adding was closed is taken back in the same batch, and its text travels to nobody, on
this process or another). A catch-up from the log merges the rows it replays into one
update for the same reason. Every process follows the streams of the docs it has
loaded and applies each sequence number it has not seen yet; Yjs updates are
idempotent, so an update that arrives twice, or through the stream and a catch-up
both, changes nothing the second time. Redis is never the only copy: once a second,
each process compares its docs with the log's heads and catches up from PostgreSQL on
a gap that the stream did not fill, after a read error, or while Redis is away.

Joining a board on a process: the stream position is noted first, then the snapshot
and newer log rows are loaded, then the stream is read from the noted position, so no
update falls between the load and the stream.

`Relay` is the `DocLog` that `Rooms` loads docs through, and its `attach`/`detach`
are the rooms' load and unload hooks: a process follows only the docs it has loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pycrdt import merge_updates
from redis.asyncio import Redis

from server.cluster.presence import REDIS_ERRORS, Presence
from server.store.records import DocHistory
from server.sync.room import Committed, Room

log = logging.getLogger(__name__)

STREAM_PREFIX = "samsyn:log:"
_BACKOFF_S = (0.1, 0.25, 0.5, 1.0)


class SharedLog(Protocol):
    """The log of record that several processes write: PostgreSQL's `PostgresStore`."""

    def append_update(
        self, doc: str, update: bytes, sender: str | None = None
    ) -> asyncio.Future[int]: ...

    async def compact(self, doc: str, state: bytes) -> int: ...

    async def load_doc(self, doc: str) -> DocHistory: ...

    async def history_after(self, doc: str, after: int | None) -> DocHistory: ...

    async def heads(self, docs: Sequence[str]) -> dict[str, int]: ...

    async def erased(self, docs: Sequence[str]) -> set[str]: ...

    def doc_lock(self, doc: str) -> contextlib.AbstractAsyncContextManager[None]: ...


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """The relay's knobs (the app fills them from its settings).

    `poll_s`: how often the log's heads are compared with the loaded docs (the safety
    net under Redis). `stream_maxlen`: entries kept per doc stream, approximately (Redis
    trims whole nodes). `stream_ttl_s`: a doc's stream is dropped this long after its
    last update, so that Redis holds the boards in use, not every board there ever was.
    `awareness_timeout_s`: a remote client not renewed for this long is removed.
    `freshen_timeout_s`: the longest wait for the log before a server-side use of a room.
    """

    poll_s: float = 1.0
    stream_maxlen: int = 1000
    stream_ttl_s: int = 3600
    awareness_timeout_s: float = 30.0
    freshen_timeout_s: float = 2.0


@dataclass(slots=True)
class _Follow:
    """What this process knows of one loaded doc's log."""

    room: Room
    # Every sequence number up to here is in the room's doc.
    upto: int
    # The last stream entry read.
    stream_id: str
    # Sequence numbers past `upto` that are in the doc already (a gap lies below them).
    seen: set[int] = field(default_factory=set)
    # The log's head at the previous poll: still behind it one poll later means a gap.
    polled_head: int = 0
    catch_up: asyncio.Task[None] | None = None


class Relay:
    """Keeps this process's loaded docs in step with every other process's."""

    def __init__(self, shared: SharedLog, redis_url: str | None, config: RelayConfig) -> None:
        self._log = shared
        self._config = config
        self._redis: Redis | None = (
            Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
            if redis_url
            else None
        )
        self._follows: dict[str, _Follow] = {}
        # Stream position and log position noted by `load_doc`, taken by `attach`.
        self._marks: dict[str, tuple[str, int]] = {}
        self._outbox: asyncio.Queue[tuple[str, list[int], bytes]] = asyncio.Queue()
        self._followed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.redis_ok = self._redis is not None
        self.presence = Presence(self._redis, config.awareness_timeout_s, self._room_of)
        self.catch_ups = 0

    async def __aenter__(self) -> Relay:
        self._spawn(self._poll_loop(), "poll")
        if self._redis is not None:
            self._spawn(self._read_loop(), "read")
            self._spawn(self._publish_loop(), "publish")
            await self.presence.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(coro))
        self._tasks[-1].set_name(f"samsyn-relay-{name}")

    async def close(self) -> None:
        """Publish what is queued (briefly), then stop."""
        if self._redis is not None and not self._outbox.empty():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(2):
                    await self._publish(self._drain_outbox())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.presence.close()
        if self._redis is not None:
            await self._redis.aclose()

    def _room_of(self, name: str) -> Room | None:
        follow = self._follows.get(name)
        return follow.room if follow is not None else None

    # -- the DocLog that Rooms uses ----------------------------------------------------

    def append_update(
        self, doc: str, update: bytes, sender: str | None = None
    ) -> asyncio.Future[int]:
        return self._log.append_update(doc, update, sender)

    async def compact(self, doc: str, state: bytes) -> int:
        return await self._log.compact(doc, state)

    async def load_doc(self, doc: str) -> DocHistory:
        """Note the stream position, then load: nothing falls between the two."""
        position = await self._stream_position(doc)
        history = await self._log.load_doc(doc)
        self._marks[doc] = (position, history.upto)
        return history

    async def _stream_position(self, doc: str) -> str:
        if self._redis is None:
            return "0-0"
        try:
            last: Any = await self._redis.xrevrange(STREAM_PREFIX + doc, count=1)
        except REDIS_ERRORS as exc:
            # The poll catches up whatever the stream would have carried.
            log.warning("relay: no stream position for %s: %s", doc, exc)
            return "0-0"
        return last[0][0].decode() if last else "0-0"

    # -- room hooks --------------------------------------------------------------------

    def attach(self, room: Room) -> None:
        """Follow a freshly loaded room's doc (the rooms' load hook)."""
        position, upto = self._marks.pop(room.name, ("0-0", 0))
        self._follows[room.name] = _Follow(room, upto, position, polled_head=upto)
        room.after_commit = self._committed
        room.after_awareness = self.presence.publish
        self.presence.follow(room.name)
        self._followed.set()

    def detach(self, room: Room) -> None:
        """Stop following a room that was unloaded (the rooms' unload hook)."""
        follow = self._follows.get(room.name)
        if follow is None or follow.room is not room:
            return
        del self._follows[room.name]
        if follow.catch_up is not None:
            follow.catch_up.cancel()
        self.presence.unfollow(room.name)

    async def freshen(self, room: Room) -> None:
        """Bring a loaded room up to the log now (the rooms' acquire hook): whatever the
        server decides from it next sees every write any process acknowledged."""
        follow = self._follows.get(room.name)
        if follow is None or follow.room is not room:
            return
        try:
            # Bounded: with the database away, go on with what the stream brought.
            async with asyncio.timeout(self._config.freshen_timeout_s):
                await self._catch_up(follow)
        except TimeoutError:
            log.warning("relay: %s not brought up to the log in time", room.name)

    @contextlib.asynccontextmanager
    async def exclusive(self, room: Room) -> AsyncIterator[None]:
        """One process at a time writes the room's doc in this block, from the latest
        log, and its writes are committed before the next one starts: concurrent
        server-side writes of a value (a tally) end in the last one, not in either."""
        async with self._log.doc_lock(room.name):
            await self.freshen(room)
            yield
            await room.durable()

    def _committed(self, room: Room, batch: Committed) -> None:
        """This process's updates are in the log: mark them seen, tell the others what
        the room broadcast for them (not the raw updates: see the module's docstring)."""
        committed, broadcast = batch
        seqs = [seq for seq, _ in committed]
        follow = self._follows.get(room.name)
        if follow is not None and follow.room is room:
            for seq in seqs:
                _mark_seen(follow, seq)
        if self._redis is not None and seqs:
            self._outbox.put_nowait((room.name, seqs, broadcast))

    # -- Redis streams -----------------------------------------------------------------

    def _drain_outbox(self) -> list[tuple[str, list[int], bytes]]:
        batch = []
        while not self._outbox.empty():
            batch.append(self._outbox.get_nowait())
        return batch

    async def _publish(self, batch: list[tuple[str, list[int], bytes]]) -> None:
        assert self._redis is not None
        async with self._redis.pipeline(transaction=False) as pipe:
            for doc, seqs, data in batch:
                pipe.xadd(
                    STREAM_PREFIX + doc,
                    {"seqs": ",".join(map(str, seqs)), "data": data},
                    maxlen=self._config.stream_maxlen,
                    approximate=True,
                )
            for doc in {doc for doc, _, _ in batch}:
                pipe.expire(STREAM_PREFIX + doc, self._config.stream_ttl_s)
            await pipe.execute()

    async def _publish_loop(self) -> None:
        while True:
            batch = [await self._outbox.get(), *self._drain_outbox()]
            try:
                await self._publish(batch)
            except REDIS_ERRORS as exc:
                # Already in the log: the other processes' poll finds them.
                log.warning("relay: publishing %d updates failed: %s", len(batch), exc)
                self.redis_ok = False

    async def _read_loop(self) -> None:
        assert self._redis is not None
        failures = 0
        while True:
            streams: dict[Any, Any] = {
                STREAM_PREFIX + name: follow.stream_id for name, follow in self._follows.items()
            }
            if not streams:
                self._followed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1):
                        await self._followed.wait()
                continue
            try:
                # A short block: a doc loaded meanwhile joins the next read.
                result: Any = await self._redis.xread(streams, block=200, count=500)
            except REDIS_ERRORS as exc:
                if failures == 0:
                    log.warning("relay: reading the streams failed: %s", exc)
                self.redis_ok = False
                await asyncio.sleep(_BACKOFF_S[min(failures, len(_BACKOFF_S) - 1)])
                failures += 1
                continue
            if failures or not self.redis_ok:
                # Back after an error or a restart: what was missed is in the log.
                log.info("relay: Redis is back; catching up every doc from the log")
                failures = 0
                self.redis_ok = True
                for follow in list(self._follows.values()):
                    self._start_catch_up(follow)
            for key, entries in result or []:
                followed = self._follows.get(key.decode()[len(STREAM_PREFIX) :])
                if followed is None:
                    continue
                for entry_id, fields in entries:
                    followed.stream_id = entry_id.decode()
                    self._deliver(followed, _entry_seqs(fields), fields[b"data"])

    def _deliver(self, follow: _Follow, seqs: list[int], data: bytes) -> None:
        if all(seq <= follow.upto or seq in follow.seen for seq in seqs):
            return
        try:
            follow.room.apply_remote(data)
        except Exception:
            log.exception("relay: updates %s of %s do not apply", seqs, follow.room.name)
            return
        for seq in seqs:
            _mark_seen(follow, seq)

    # -- the log of record: the safety net ---------------------------------------------

    async def _poll_loop(self) -> None:
        while True:
            await asyncio.sleep(self._config.poll_s)
            if not self._follows:
                continue
            try:
                heads = await self._log.heads(list(self._follows))
                erased = await self._log.erased(list(self._follows))
            except Exception as exc:
                log.warning("relay: reading the log heads failed: %s", exc)
                continue
            for name in erased:
                # Deleted for good by another process: its clients are told, nothing
                # more of it is written here.
                follow = self._follows.get(name)
                if follow is not None:
                    follow.room.erase("the board was deleted")
            for name, follow in list(self._follows.items()):
                head = heads.get(name, 0)
                # Behind the head seen a poll ago: the stream is not going to fill it.
                lagging = follow.upto < follow.polled_head
                if head > follow.upto and (lagging or not self.redis_ok):
                    self._start_catch_up(follow)
                follow.polled_head = head

    def _start_catch_up(self, follow: _Follow) -> None:
        if follow.catch_up is None or follow.catch_up.done():
            follow.catch_up = asyncio.create_task(
                self._catch_up(follow), name=f"samsyn-catch-up {follow.room.name}"
            )

    async def _catch_up(self, follow: _Follow) -> None:
        name = follow.room.name
        try:
            history = await self._log.history_after(name, follow.upto)
        except Exception as exc:
            log.warning("relay: catching up %s failed: %s", name, exc)
            return
        if self._follows.get(name) is not follow:
            return
        replayed = history.replayed()
        if len(replayed) > 1:
            # One update: the rows of a batch that took a note back hold its text, and
            # applied one by one, the first would go out to this process's clients.
            # Rust work on plain bytes, no Doc involved: safe off the event loop.
            replayed = [await asyncio.to_thread(merge_updates, *replayed)]
            if self._follows.get(name) is not follow:
                return
        self.catch_ups += 1
        for update in replayed:
            try:
                follow.room.apply_remote(update)
            except Exception:
                log.exception("relay: the log of %s does not apply", name)
                return
        if history.upto > follow.upto:
            follow.upto = history.upto
            follow.seen = {seq for seq in follow.seen if seq > follow.upto}
            _advance(follow)


def _entry_seqs(fields: dict[bytes, bytes]) -> list[int]:
    """The log positions a stream entry covers (`seq`: one, as processes of the version
    before published them)."""
    if b"seqs" in fields:
        return [int(part) for part in fields[b"seqs"].split(b",")]
    return [int(fields[b"seq"])]


def _mark_seen(follow: _Follow, seq: int) -> None:
    if seq > follow.upto:
        follow.seen.add(seq)
        _advance(follow)


def _advance(follow: _Follow) -> None:
    while follow.upto + 1 in follow.seen:
        follow.upto += 1
        follow.seen.discard(follow.upto)
