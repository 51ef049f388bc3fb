"""The awareness relay of one room: who is here, their cursors, merged per time window.

Awareness states are not stored; the room only relays them. Cursors move many times a
second per person, so the relay merges what arrives within a window (longer than the
window of document updates) and sends one frame: a big room is not flooded.

Each id belongs to the socket that announced it first: no socket may overwrite or
remove another's presence, and one socket may hold only a few ids of bounded size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from server.sync import protocol
from server.sync.connection import Connection
from server.sync.protocol import AwarenessEntry, ProtocolError

# The awareness id under which the server itself tells clients about the room (a save
# that is failing); Yjs client ids are random 32-bit numbers, so 0 is as good as any.
SERVER_CLIENT_ID = 0
# The window between relays is at least this many times what the last relay cost.
_COST_FACTOR = 4.0


class AwarenessRelay:
    """Known states, and the changes waiting to be relayed with who sent them."""

    def __init__(
        self,
        window_ms: float,
        wake: Callable[[], None],
        *,
        ids_per_socket: int = 4,
        state_bytes: int = 8 * 1024,
    ) -> None:
        self._window_s = window_ms / 1000
        self._ids_per_socket = ids_per_socket
        self._state_bytes = state_bytes
        # Which socket announced each id: only it may change or remove that state.
        self._owners: dict[int, Connection] = {}
        # Asks the room's flusher to run: something is waiting to go out.
        self._wake = wake
        self._states: dict[int, AwarenessEntry] = {}
        # `snapshot()` as last encoded, until a state changes: a storm of joiners (a
        # restart, every client back within a second) gets one encoding, not one each.
        self._snapshot: bytes | None = None
        self._out: dict[int, AwarenessEntry] = {}
        self._from: set[Connection] = set()
        self._sent_at = 0.0
        # Seconds the last relay took to hand its frame to every socket: the window
        # stretches to a few times that, so relaying presence to a big room never takes
        # more than a fifth of the event loop (a restart's storm of a thousand joiners
        # was a flush of a thousand frames every 40 ms, all the loop had).
        self._cost_s = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        return bool(self._out)

    @property
    def known(self) -> bool:
        return bool(self._states)

    def snapshot(self) -> bytes:
        """Every known state as one awareness frame."""
        if self._snapshot is None:
            self._snapshot = protocol.encode_awareness(
                protocol.encode_awareness_update(list(self._states.values()))
            )
        return self._snapshot

    def receive(self, conn: Connection, payload: bytes) -> None:
        """Take `conn`'s changes to its own states; raise ProtocolError past its limits."""
        owners = self._owners
        states = self._states

        def wanted(client_id: int, clock: int) -> bool:
            # The checks of the loop below, before the state is parsed: others' ids and
            # outdated clocks are skipped unread (an echo of the room is mostly those).
            owner = owners.get(client_id)
            if client_id == SERVER_CLIENT_ID or (owner is not None and owner is not conn):
                return False
            known = states.get(client_id)
            return known is None or clock >= known.clock

        entries = protocol.decode_awareness_update(payload, wanted)
        changed = False
        for entry in entries:
            owner = self._owners.get(entry.client_id)
            if entry.client_id == SERVER_CLIENT_ID or (owner is not None and owner is not conn):
                continue  # another socket's presence: not this one's to change
            if len(entry.state) > self._state_bytes:
                raise ProtocolError(
                    f"expected awareness states of at most {self._state_bytes} bytes,"
                    f" got {len(entry.state)} for client {entry.client_id}"
                )
            known = self._states.get(entry.client_id)
            if known is not None and entry.clock < known.clock:
                continue  # an old state overtaken by a newer one
            if entry.is_removal:
                if owner is None:
                    continue  # nothing of ours to remove
                self._states.pop(entry.client_id, None)
                self._snapshot = None
                conn.awareness_clients.pop(entry.client_id, None)
                del self._owners[entry.client_id]
            else:
                if owner is None:
                    if len(conn.awareness_clients) >= self._ids_per_socket:
                        raise ProtocolError(
                            f"expected at most {self._ids_per_socket} awareness ids per"
                            f" socket, got a new one ({entry.client_id})"
                        )
                    self._owners[entry.client_id] = conn
                self._states[entry.client_id] = entry
                self._snapshot = None
                conn.awareness_clients[entry.client_id] = entry.clock
            self._out[entry.client_id] = entry
            changed = True
        if changed:
            self._from.add(conn)
            self._wake()

    def server_state(self, state: str | None) -> bytes:
        """Set (or with None remove) the server's own state, under `SERVER_CLIENT_ID`,
        which no socket may take; returns the frame that tells everyone now."""
        known = self._states.get(SERVER_CLIENT_ID)
        clock = 0 if known is None else known.clock + 1
        entry = AwarenessEntry(SERVER_CLIENT_ID, clock, "null" if state is None else state)
        self._snapshot = None
        if state is None:
            self._states.pop(SERVER_CLIENT_ID, None)
        else:
            self._states[SERVER_CLIENT_ID] = entry
        return protocol.encode_awareness(protocol.encode_awareness_update([entry]))

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
        self._snapshot = None
        return protocol.encode_awareness(protocol.encode_awareness_update(fresh))

    def local_update(self, connections: set[Connection]) -> bytes | None:
        """The states that `connections` announced, as one awareness update (or None)."""
        ids = {client_id for conn in connections for client_id in conn.awareness_clients}
        entries = [self._states[i] for i in sorted(ids) if i in self._states]
        return protocol.encode_awareness_update(entries) if entries else None

    def forget(self, conn: Connection) -> None:
        """Remove the states `conn` announced, for everyone."""
        if conn.awareness_clients:
            self._snapshot = None
        for client_id, clock in conn.awareness_clients.items():
            self._states.pop(client_id, None)
            self._owners.pop(client_id, None)
            self._out[client_id] = AwarenessEntry(client_id, clock + 1, "null")
        if conn.awareness_clients:
            self._wake()
        conn.awareness_clients.clear()

    def take(self, *, closing: bool) -> tuple[bytes, set[Connection]] | None:
        """The merged frame to relay now and its senders, or None if its window is not over
        (then the relay wakes the room again when it is)."""
        loop = asyncio.get_running_loop()
        window = max(self._window_s, _COST_FACTOR * self._cost_s)
        wait = window - (loop.time() - self._sent_at)
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

    def spent(self, seconds: float) -> None:
        """How long relaying the last frame took (the room times its broadcast)."""
        self._cost_s = seconds

    def _due(self) -> None:
        self._timer = None
        self._wake()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
