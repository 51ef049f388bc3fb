"""Awareness (who is here, cursors) across processes, through Redis pub/sub only.

Presence is never stored. Each process publishes the merged awareness updates of its
own clients on the doc's channel and relays what the other processes publish to its
clients. A process that dies sends no removals, so the states it relayed are kept with
the time they were last renewed and removed once they are older than the awareness
timeout (Yjs clients renew their state at half that interval). A process that starts
following a doc, once Redis confirms the subscription, asks on the channel and tells
its own clients' states: the others answer with theirs, so that whichever process came
first, everyone sees everyone at once (states published before anyone listened are not
lost). Both directions are capped: an oversized update is dropped, and so are updates
while the outbox is full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from server.sync import protocol
from server.sync.protocol import AwarenessEntry
from server.sync.room import Room

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "samsyn:aw:"
# Redis errors and lost connections (redis-py's ConnectionError, or OSError underneath).
REDIS_ERRORS = (RedisError, OSError)
# Largest awareness update relayed; a cursor and a name are a few dozen bytes.
MAX_PAYLOAD = 64 * 1024
# Updates waiting to be published before new ones are dropped.
MAX_OUTBOX = 1000
_ORIGIN_BYTES = 8
# After the origin, one byte says what follows: an awareness update, or a question.
_UPDATE = b"U"
_QUERY = b"Q"


class Presence:
    """The awareness channels of the docs this process has loaded."""

    def __init__(
        self, redis: Redis | None, timeout_s: float, room_of: Callable[[str], Room | None]
    ) -> None:
        self._redis = redis
        self._timeout_s = timeout_s
        self._room_of = room_of
        # Marks this process's messages, which come back on the channels it follows.
        self._origin = os.urandom(_ORIGIN_BYTES)
        self._wanted: set[str] = set()
        # Set when `_wanted` changes, so that an idle listener subscribes at once.
        self._wanted_changed = asyncio.Event()
        self._outbox: asyncio.Queue[tuple[str, bytes, bytes]] = asyncio.Queue(MAX_OUTBOX)
        # doc -> remote client id -> (clock, loop time it was last renewed)
        self._remote: dict[str, dict[int, tuple[int, float]]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.dropped = 0

    async def start(self) -> None:
        if self._redis is None:
            return
        for coro, name in (
            (self._listen_loop(), "listen"),
            (self._publish_loop(), "publish"),
            (self._expire_loop(), "expire"),
        ):
            self._tasks.append(asyncio.create_task(coro, name=f"samsyn-presence-{name}"))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def follow(self, doc: str) -> None:
        self._wanted.add(doc)
        self._wanted_changed.set()

    def unfollow(self, doc: str) -> None:
        self._wanted.discard(doc)
        self._remote.pop(doc, None)
        self._wanted_changed.set()

    def publish(self, room: Room, payload: bytes) -> None:
        """The room's hook: its clients' merged awareness goes to the other processes."""
        if self._redis is None:
            return
        self._send(room.name, _UPDATE, payload)

    def _send(self, doc: str, kind: bytes, payload: bytes) -> None:
        if len(payload) > MAX_PAYLOAD or self._outbox.full():
            self.dropped += 1
            return
        self._outbox.put_nowait((doc, kind, payload))

    async def _publish_loop(self) -> None:
        assert self._redis is not None
        while True:
            doc, kind, payload = await self._outbox.get()
            try:
                await self._redis.publish(CHANNEL_PREFIX + doc, self._origin + kind + payload)
            except REDIS_ERRORS as exc:
                log.debug("presence: publishing on %s failed: %s", doc, exc)

    async def _listen_loop(self) -> None:
        assert self._redis is not None
        pubsub: Any = None
        subscribed: set[str] = set()
        while True:
            try:
                if pubsub is None:
                    pubsub = self._redis.pubsub()
                    subscribed = set()
                # Subscriptions change here only, never beside a pending read.
                self._wanted_changed.clear()
                new = self._wanted - subscribed
                if new:
                    await pubsub.subscribe(*(CHANNEL_PREFIX + d for d in new))
                if subscribed - self._wanted:
                    await pubsub.unsubscribe(
                        *(CHANNEL_PREFIX + d for d in subscribed - self._wanted)
                    )
                subscribed = set(self._wanted)
                if not subscribed:
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0):
                            await self._wanted_changed.wait()
                    continue
                message = await pubsub.get_message(timeout=0.2)
            except REDIS_ERRORS as exc:
                log.debug("presence: listening failed: %s", exc)
                if pubsub is not None:
                    with contextlib.suppress(*REDIS_ERRORS):
                        await pubsub.aclose()
                pubsub = None
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            if message.get("type") == "subscribe":
                self._subscribed(message["channel"])
            elif message.get("type") == "message":
                self._received(message["channel"], message["data"])

    def _subscribed(self, channel: bytes) -> None:
        """Redis now sends this process the doc's channel: ask, and tell."""
        doc = channel.decode()[len(CHANNEL_PREFIX) :]
        room = self._room_of(doc)
        if doc not in self._wanted or room is None:
            return
        self._send(doc, _QUERY, b"")
        mine = room.local_awareness()
        if mine is not None:
            self._send(doc, _UPDATE, mine)

    def _received(self, channel: bytes, data: bytes) -> None:
        if data[:_ORIGIN_BYTES] == self._origin:
            return
        doc = channel.decode()[len(CHANNEL_PREFIX) :]
        room = self._room_of(doc)
        if room is None:
            return
        kind, payload = data[_ORIGIN_BYTES : _ORIGIN_BYTES + 1], data[_ORIGIN_BYTES + 1 :]
        if kind == _QUERY:
            answer = room.local_awareness()
            if answer is not None:
                self._send(doc, _UPDATE, answer)
            return
        try:
            entries = protocol.decode_awareness_update(payload)
        except protocol.ProtocolError as exc:
            log.warning("presence: a bad awareness update on %s: %s", doc, exc)
            return
        now = asyncio.get_running_loop().time()
        known = self._remote.setdefault(doc, {})
        for entry in entries:
            if entry.is_removal:
                known.pop(entry.client_id, None)
            else:
                known[entry.client_id] = (entry.clock, now)
        room.apply_remote_awareness(payload)

    async def _expire_loop(self) -> None:
        interval = max(0.1, self._timeout_s / 4)
        while True:
            await asyncio.sleep(interval)
            now = asyncio.get_running_loop().time()
            for doc, known in list(self._remote.items()):
                expired = [
                    (client_id, clock)
                    for client_id, (clock, seen) in known.items()
                    if now - seen > self._timeout_s
                ]
                if not expired:
                    continue
                for client_id, _ in expired:
                    del known[client_id]
                room = self._room_of(doc)
                if room is not None:
                    removals = [AwarenessEntry(cid, clock + 1, "null") for cid, clock in expired]
                    room.apply_remote_awareness(protocol.encode_awareness_update(removals))
