"""The awareness relay of one room: who is here, their cursors, merged per time window.

Awareness states are not stored; the room only relays them. Cursors move many times a
second per person, so the relay merges what arrives within a window (longer than the
window of document updates) and sends one frame: a big room is not flooded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from server.sync import protocol
from server.sync.connection import Connection
from server.sync.protocol import AwarenessEntry


class AwarenessRelay:
    """Known states, and the changes waiting to be relayed with who sent them."""

    def __init__(self, window_ms: float, wake: Callable[[], None]) -> None:
        self._window_s = window_ms / 1000
        # Asks the room's flusher to run: something is waiting to go out.
        self._wake = wake
        self._states: dict[int, AwarenessEntry] = {}
        self._out: dict[int, AwarenessEntry] = {}
        self._from: set[Connection] = set()
        self._sent_at = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return bool(self._out)

    @property
    def known(self) -> bool:
        return bool(self._states)

    def snapshot(self) -> bytes:
        """Every known state as one awareness frame."""
        return protocol.encode_awareness(
            protocol.encode_awareness_update(list(self._states.values()))
        )

    def receive(self, conn: Connection, payload: bytes) -> None:
        for entry in protocol.decode_awareness_update(payload):
            known = self._states.get(entry.client_id)
            if known is not None and entry.clock < known.clock:
                continue  # an old state overtaken by a newer one
            if entry.is_removal:
                self._states.pop(entry.client_id, None)
                conn.awareness_clients.pop(entry.client_id, None)
            else:
                self._states[entry.client_id] = entry
                conn.awareness_clients[entry.client_id] = entry.clock
            self._out[entry.client_id] = entry
        self._from.add(conn)
        self._wake()

    def receive_remote(self, payload: bytes) -> bytes | None:
        """Take in states relayed from another process (merged there already); the frame
        to send this room's clients at once, or None if every entry was outdated."""
        fresh = []
        for entry in protocol.decode_awareness_update(payload):
            known = self._states.get(entry.client_id)
            if known is not None and entry.clock < known.clock:
                continue
            if entry.is_removal:
                self._states.pop(entry.client_id, None)
            else:
                self._states[entry.client_id] = entry
            fresh.append(entry)
        if not fresh:
            return None
        return protocol.encode_awareness(protocol.encode_awareness_update(fresh))

    def local_update(self, connections: set[Connection]) -> bytes | None:
        """The states that `connections` announced, as one awareness update (or None)."""
        ids = {client_id for conn in connections for client_id in conn.awareness_clients}
        entries = [self._states[i] for i in sorted(ids) if i in self._states]
        return protocol.encode_awareness_update(entries) if entries else None

    def forget(self, conn: Connection) -> None:
        """Remove the states `conn` announced, for everyone."""
        for client_id, clock in conn.awareness_clients.items():
            self._states.pop(client_id, None)
            self._out[client_id] = AwarenessEntry(client_id, clock + 1, "null")
        if conn.awareness_clients:
            self._wake()
        conn.awareness_clients.clear()

    def take(self, *, closing: bool) -> tuple[bytes, set[Connection]] | None:
        """The merged frame to relay now and its senders, or None if its window is not over
        (then the relay wakes the room again when it is)."""
        loop = asyncio.get_running_loop()
        wait = self._window_s - (loop.time() - self._sent_at)
        if wait > 0 and not closing:
            if self._timer is None:
                self._timer = loop.call_later(wait, self._due)
            return None
        entries = list(self._out.values())
        senders = self._from
        self._out = {}
        self._from = set()
        self._sent_at = loop.time()
        return protocol.encode_awareness(protocol.encode_awareness_update(entries)), senders

    def _due(self) -> None:
        self._timer = None
        self._wake()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
