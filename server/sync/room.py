"""One live doc: its connections, the log-before-broadcast path and awareness relay.

Incoming updates are applied to the room's pycrdt Doc on the event loop and handed to
the store at once. A single flusher task then waits (a few ms) so that updates from
many clients pile up, waits for the store to commit them, merges them and sends one
encoded frame to every connection. Nobody is sent an update that is not yet on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pycrdt import Doc, TransactionEvent, merge_updates

from server.errors import Erased
from server.sync import heap, protocol
from server.sync.awareness import AwarenessRelay
from server.sync.connection import Connection
from server.sync.protocol import CloseCode, ProtocolError
from server.sync.review import Review

log = logging.getLogger(__name__)

T = TypeVar("T")
# What `after_commit` gets of a batch: (log position, update) of each committed update,
# and the one update the room broadcast for the batch.
Committed = tuple[list[tuple[int, bytes]], bytes]

# An update with no structs and no deletions: two zero varUints.
_EMPTY_UPDATE_BYTES = 2
# The state vector of a client that has nothing yet: zero clients.
_EMPTY_STATE_VECTOR = b"\x00"
# Sockets a presence relay sends to before it lets the event loop run others.
_RELAY_TURN = 100
# After a broadcast, the next one of the room waits at least this many times as long as
# it took (see Room._window). Measured (bench (a), (b)): 1 leaves 200 people with 100
# edits a second as fast as with none (p99 9 ms) and takes the joint day's 1,000 from
# 8.3-8.9 to 6.8-6.9 µs per delivery, p99 92-178 to 54-62 ms; 3 doubled (a)'s p99.
_SWEEP_GAP = 1.0
# Seconds between attempts to save an update that the store refused.
_RETRY_BACKOFF = (0.1, 0.5, 1.0, 2.0, 5.0)


class UpdateLog(Protocol):
    """What a room needs of storage: append its updates, fold them into a snapshot.

    `append_update` must resolve only once the update is durable, and appends of one
    doc must be applied in order, a `compact` after the appends its state covers.
    """

    def append_update(
        self, doc: str, update: bytes, sender: str | None = None
    ) -> asyncio.Future[int]: ...

    async def compact(self, doc: str, state: bytes) -> int: ...


@dataclass(frozen=True, slots=True)
class RoomConfig:
    """The knobs of the sync layer (the app fills them from its settings)."""

    # Updates arriving within this window are merged into one broadcast. A room whose
    # broadcasts take long (many sockets) waits longer, up to flush_max_ms: see
    # Room._window.
    flush_ms: float = 2.0
    flush_max_ms: float = 25.0
    # Awareness is relayed at most this often per room.
    awareness_ms: float = 40.0
    # The update log of one doc is folded into a snapshot past this many rows.
    compact_after: int = 500
    # A room with no users is flushed and unloaded after this many seconds.
    unload_grace_s: float = 30.0
    # Largest frame a socket may send; bigger ones close it with 1009.
    max_message_bytes: int = 2 * 1024 * 1024
    # Frames waiting for one slow client before it is closed with 1013.
    send_queue_frames: int = 1024
    # Messages per second a socket may send on average, and the burst it may save up.
    rate_per_s: float = 200.0
    rate_burst: int = 1000
    # Limits of one socket, against clients that do not read or send too much: bytes
    # queued for it (a bigger frame, a whole board, may wait alone), seconds its socket
    # may take nothing before it is dropped, the largest sync step 2 answering our step 1
    # (an offline backlog), awareness ids and bytes per id, open sockets per address
    # and per credential.
    send_queue_bytes: int = 16 * 1024 * 1024
    send_timeout_s: float = 20.0
    max_sync_bytes: int = 64 * 1024 * 1024
    awareness_ids_per_socket: int = 4
    awareness_state_bytes: int = 8 * 1024
    sockets_per_address: int = 512
    sockets_per_credential: int = 24
    # Largest encoded doc; an update that would make it bigger is refused with 1009.
    max_doc_bytes: int = 64 * 1024 * 1024
    # Seconds of silence after which a socket gets an empty awareness update: the stock
    # client takes 30 s without a message for a dead connection and reconnects.
    keepalive_s: float = 15.0


class DocTooLarge(ProtocolError):
    """An update that would take the doc past `max_doc_bytes`; closes with 1009."""


class Room:
    """A doc that is loaded in memory, with everyone connected to it."""

    def __init__(
        self, name: str, doc: Doc[Any], *, log: UpdateLog, log_rows: int, config: RoomConfig
    ) -> None:
        self.name = name
        self.doc = doc
        self.connections: set[Connection] = set()
        self.refs = 0
        self._store = log
        self._flush_s = config.flush_ms / 1000
        self._flush_max_s = max(self._flush_s, config.flush_max_ms / 1000)
        # How long the last broadcast of updates took to hand to every socket, and
        # when it ended (time.perf_counter).
        self._sweep_s = 0.0
        self._swept_at = 0.0
        self._compact_after = config.compact_after
        self._log_rows = log_rows
        self._max_doc_bytes = config.max_doc_bytes
        # Updates applied to the doc but not yet broadcast, with who sent them and the
        # store's answer for each.
        self._pending: list[bytes] = []
        self._pending_from: set[Connection | None] = set()
        self._pending_saves: list[asyncio.Future[int]] = []
        # Updates of other processes, already in the log: broadcast, never appended.
        self._remote: list[bytes] = []
        # Changes handed to the store, and how many of them are known to be on disk:
        # a sync step 2 reply waits until everything it may hold is.
        self._appended = 0
        self._saved = 0
        self._saved_event = asyncio.Event()
        # The whole doc as one sync step 2 frame, encoded once for every joiner that has
        # nothing yet; dropped on every change.
        self._full_frame: bytes | None = protocol.encode_sync_step2(doc.get_update())
        # The encoded size of the doc, kept up to date by adding each change's size.
        self.size = len(self._full_frame)
        self._wake = asyncio.Event()
        self._awareness = AwarenessRelay(
            config.awareness_ms,
            self._wake.set,
            ids_per_socket=config.awareness_ids_per_socket,
            state_bytes=config.awareness_state_bytes,
        )
        self._closed = False
        # Set once the board was deleted for good: nothing more is written or served.
        self._erased = False
        # Set when the pending batch took something back (see _on_update), with the
        # state before the batch began.
        self._scrub = False
        self._batch_state = b"\x00"
        # The store's last error while a save is being retried, None when all is saved.
        self._failing: Exception | None = None
        self._compaction: asyncio.Task[None] | None = None
        self._changes: list[bytes] = []
        self._subscription = doc.observe(self._on_transaction)
        # Called after every change that reached the doc (clients' or the server's).
        self.on_change: Callable[[Room], None] | None = None
        # Called with (log position, update) of each batch once it is committed, before
        # any other process may hear of it, and with the update this room broadcasts for
        # the batch: what the doc kept of it (no text taken back, see _on_update), which
        # is what a cluster relay publishes.
        self.after_commit: Callable[[Room, Committed], None] | None = None
        # Called with each merged awareness update of this process's clients.
        self.after_awareness: Callable[[Room, bytes], None] | None = None
        # Called after an update of another process changed the doc.
        self.after_remote: Callable[[Room], None] | None = None
        self._handlers: dict[
            type[protocol.Message], Callable[[Connection, protocol.Message], None]
        ] = {
            protocol.SyncStep2: self._on_update,
            protocol.SyncUpdate: self._on_update,
            protocol.Awareness: self._on_awareness,
            protocol.QueryAwareness: self._on_query_awareness,
            protocol.Auth: self._on_auth,
        }
        self._flusher = asyncio.create_task(self._run_flusher(), name=f"flush {name}")
        self._keepalive_s = config.keepalive_s
        self._keepalive = asyncio.create_task(self._run_keepalive(), name=f"keepalive {name}")

    # -- connections -------------------------------------------------------------------

    def join(self, conn: Connection) -> None:
        """Greet a new connection: ask for what it has, tell it who is here."""
        if self._erased:
            conn.close(CloseCode.NOT_FOUND, "the board was deleted")
            return
        self.connections.add(conn)
        conn.step2_expected += 1
        conn.send(protocol.encode_sync_step1(self.doc.get_state()))
        if self._awareness.known:
            conn.send(self._awareness.snapshot())

    def erase(self, reason: str) -> None:
        """The board was deleted for good, by this process or another: every connection
        is closed with 4404, and nothing more is served or written (the store refuses
        appends of an erased board's docs; see `_save_with_retry`)."""
        if self._erased:
            return
        self._erased = True
        log.info(
            "room %s: %s; closing its %d connections", self.name, reason, len(self.connections)
        )
        for conn in list(self.connections):
            conn.close(CloseCode.NOT_FOUND, reason)

    @property
    def erased(self) -> bool:
        return self._erased

    def leave(self, conn: Connection) -> None:
        """Forget a connection and remove its awareness states for everyone."""
        self.connections.discard(conn)
        self._awareness.forget(conn)

    async def receive(self, conn: Connection, frame: bytes) -> None:
        """Handle one frame from `conn`; raises ProtocolError when it is malformed."""
        message = protocol.decode(frame)
        if isinstance(message, protocol.SyncStep1):
            await self._on_sync_step1(conn, message)
            return
        self._handlers[type(message)](conn, message)

    async def _on_sync_step1(self, conn: Connection, message: protocol.SyncStep1) -> None:
        if conn.reply_outstanding:
            # Everything that changes after a reply is broadcast to this socket anyway:
            # a second step 1 asks for nothing new, and answering each one with the
            # whole doc would let a socket that does not read pile up copies of it.
            return
        if message.state_vector == _EMPTY_STATE_VECTOR:
            frame = self.full_state_frame()
        else:
            try:
                update = self.doc.get_update(message.state_vector)
            except ValueError as exc:
                raise ProtocolError(
                    f"expected a valid state vector in sync step 1: {exc}"
                ) from None
            frame = protocol.encode_sync_step2(update)
        # The reply may hold updates that are not committed yet: send it only once they
        # are, even when that takes retries (a full disk): nobody gets what is not saved.
        target = self._appended
        if self._saved < target:
            conn.awaiting_reply = True
            while self._saved < target and not self._closed:
                self._saved_event.clear()
                await self._saved_event.wait()
        conn.send_reply(frame)

    def full_state_frame(self) -> bytes:
        """The whole doc as a sync step 2 frame: the same bytes for every joiner until the
        next change."""
        if self._full_frame is None:
            self._full_frame = protocol.encode_sync_step2(self.doc.get_update())
        return self._full_frame

    def _on_update(self, conn: Connection, message: protocol.Message) -> None:
        assert isinstance(message, (protocol.SyncStep2, protocol.SyncUpdate))
        if not conn.can_write():
            # Read-only sockets (wall, locked board) may sync but never write. An empty
            # update (a sync step 2 with nothing new) is no write. Say so once;
            # `resync_refused` later lets the client's held-back edits merge like offline ones.
            if len(message.update) > _EMPTY_UPDATE_BYTES and not conn.refused_updates:
                conn.refused_updates = True
                conn.send(protocol.encode_auth_denied("read-only"))
            return
        if conn.guard is not None:
            watch = conn.guard.watch(self.doc)
            try:
                self.apply(message.update, conn, transaction_origin=watch.origin)
            finally:
                # Also when the update failed half-way: what it integrated obeys the rules.
                self._settle(conn, watch.finish())
            return
        self.apply(message.update, conn)

    def _settle(self, conn: Connection, review: Review) -> None:
        if review.refusal is None:
            if review.fix is not None:
                self.mutate(review.fix)
            return
        if review.repair is not None:
            # Taken back in the same tick, so the merged broadcast carries the update and
            # its undoing together; only this update: the batch may hold allowed ones.
            self._changes.clear()
            self._mark_batch()
            review.repair()
            self._record(None)
            self._scrub = True
        conn.send(protocol.encode_auth_denied(review.refusal))

    def _on_awareness(self, conn: Connection, message: protocol.Message) -> None:
        assert isinstance(message, protocol.Awareness)
        self._awareness.receive(conn, message.payload)

    def _on_query_awareness(self, conn: Connection, message: protocol.Message) -> None:
        conn.send(self._awareness.snapshot())

    def _on_auth(self, conn: Connection, message: protocol.Message) -> None:
        raise ProtocolError("expected no auth messages from a client")

    def resync_refused(self) -> int:
        """Ask every client whose updates were refused for what it has: once writing is
        allowed again, its edits merge instead of blocking all its later ones."""
        state_vector = protocol.encode_sync_step1(self.doc.get_state())
        count = 0
        for conn in self.connections:
            if conn.refused_updates and conn.can_write():
                conn.refused_updates = False
                conn.step2_expected += 1
                conn.send(state_vector)
                count += 1
        return count

    # -- updates -----------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._changes.append(event.update)

    def apply(
        self,
        update: bytes,
        origin: Connection | None = None,
        *,
        transaction_origin: object = None,
    ) -> bool:
        """Apply an update, log it and queue it for broadcast; False if it changed nothing.

        `transaction_origin` marks the pycrdt transaction (a guard's undo tracks it)."""
        if self._closed:
            raise RuntimeError(f"room {self.name} is closed")
        if self.size + len(update) > self._max_doc_bytes:
            raise DocTooLarge(
                f"an update of {len(update)} bytes would take the board past its limit of"
                f" {self._max_doc_bytes} bytes ({self.size} now)"
            )
        self._changes.clear()
        self._mark_batch()
        try:
            with self.doc.transaction(origin=transaction_origin):
                self.doc.apply_update(update)
        except Exception as exc:
            # The library may have integrated the update's first structs before it
            # failed (a later struct with an invalid parent raises RuntimeError): the
            # doc reported exactly those, so log them; the doc never holds what the log
            # does not.
            kept = " (its valid first part was kept)" if self._record(origin) else ""
            raise ProtocolError(f"expected an update that applies{kept}: {exc}") from None
        return self._record(origin)

    def _mark_batch(self) -> None:
        # The state before the first change of a batch, for a scrubbed broadcast.
        if not self._pending:
            self._batch_state = self.doc.get_state()

    def _record(self, origin: Connection | None, sender: str | None = None) -> bool:
        # What the doc reports is exactly the new part: repeats of known updates vanish.
        changes = [change for change in self._changes if len(change) > 2]
        self._changes.clear()
        if not changes:
            return False
        self._full_frame = None
        if origin is not None:
            sender = origin.sender
        for change in changes:
            saved = self._store.append_update(self.name, change, sender)
            # Failures are handled by the flusher (see _save_with_retry).
            saved.add_done_callback(_retrieve)
            self._pending_saves.append(saved)
            self._pending.append(change)
            self._appended += 1
            self.size += len(change)
        self._pending_from.add(origin)
        self._wake.set()
        self._notify(self.on_change)
        return True

    def apply_remote(self, update: bytes) -> bool:
        """Apply an update that another process committed: broadcast it, never log it.

        False if it changed nothing (a repeat: updates are idempotent, so replays from
        the log and the relay may overlap freely).
        """
        if self._closed:
            return False
        self._changes.clear()
        self.doc.apply_update(update)
        changes = [change for change in self._changes if len(change) > 2]
        self._changes.clear()
        if not changes:
            return False
        self._full_frame = None
        self.size += sum(len(change) for change in changes)
        self._remote.extend(changes)
        self._wake.set()
        self._notify(self.after_remote)
        return True

    def apply_remote_awareness(self, payload: bytes) -> None:
        """Relay the awareness of another process's clients to this room's clients."""
        if self._closed:
            return
        frame = self._awareness.receive_remote(payload)
        if frame is not None:
            self._broadcast(frame, set())

    def local_awareness(self) -> bytes | None:
        """The awareness of this process's own clients, for a process that just joined."""
        return self._awareness.local_update(self.connections)

    def mutate(self, change: Callable[[Doc[Any]], T], *, sender: str | None = None) -> T:
        """Change the doc on the server's behalf, in one transaction.

        The result is logged and broadcast exactly like a client's update; `sender` names
        it in the update log (the change history) when it is done for someone.
        """
        if self._closed:
            raise RuntimeError(f"room {self.name} is closed")
        self._changes.clear()
        self._mark_batch()
        with self.doc.transaction():
            result = change(self.doc)
        self._record(None, sender)
        return result

    async def durable(self) -> None:
        """Wait until everything applied so far is committed to the store; raise the
        store's error when a save failed (the room keeps retrying it)."""
        for saved in list(self._pending_saves):
            await asyncio.shield(saved)
        target = self._appended
        while self._saved < target:
            if self._failing is not None:
                raise self._failing
            self._saved_event.clear()
            await self._saved_event.wait()

    async def _save_with_retry(
        self, updates: list[bytes], saves: list[asyncio.Future[int]]
    ) -> list[tuple[int, bytes]]:
        """Wait until `updates` are committed; returns them with their log positions
        (none when the room closes with a store that still fails)."""
        # Every append of the batch, not just the last: an earlier one may have failed
        # in a transaction of its own.
        outcomes = await asyncio.gather(*saves, return_exceptions=True)
        failed = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failed is None:
            return [(save.result(), u) for save, u in zip(saves, updates, strict=True)]
        if isinstance(failed, Erased):
            # Deleted for good meanwhile (by another process): never retried, never kept.
            self.erase("the board was deleted")
            return []
        log.error("room %s: saving %d updates failed: %s", self.name, len(updates), failed)
        self._failing = failed if isinstance(failed, Exception) else RuntimeError(str(failed))
        self._saved_event.set()  # `durable()` callers learn of the failure
        # Tell everyone at once (the flusher, which relays awareness, is busy retrying):
        # their edits are kept in memory and on their devices, waiting to be saved.
        self._tell(_unsaved_state(len(updates), str(failed)))
        # Keep the doc in memory and try again; the batch goes out once it is saved.
        merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
        attempt = 0
        while True:
            if self._closed and attempt >= len(_RETRY_BACKOFF):
                # Shutting down with a store that still fails: exit rather than hang.
                # The clients that sent these edits still hold them and resend them
                # when they reconnect.
                log.error("room %s: closing with %d updates unsaved", self.name, len(updates))
                return []
            await asyncio.sleep(_RETRY_BACKOFF[min(attempt, len(_RETRY_BACKOFF) - 1)])
            attempt += 1
            try:
                position = await self._store.append_update(self.name, merged)
            except Exception as exc:
                log.error("room %s: retry %d of a save failed: %s", self.name, attempt, exc)
                self._failing = exc
            else:
                log.warning("room %s: saved after %d retries", self.name, attempt)
                self._failing = None
                self._tell(None)
                return [(position, merged)]

    def _tell(self, state: str | None) -> None:
        frame = self._awareness.server_state(state)
        for conn in self.connections:
            conn.send(frame)

    async def _run_flusher(self) -> None:
        while True:
            await self._wake.wait()
            if self._flush_s:
                await asyncio.sleep(self._window())
            self._wake.clear()
            await self._flush_once()
            if (
                self._closed
                and not self._pending
                and not self._remote
                and not self._awareness.pending
            ):
                return

    def _window(self) -> float:
        """Seconds to collect updates before a broadcast: `flush_ms`, or more in a busy
        room whose broadcasts take long.

        Every broadcast costs one socket write per connection whatever it carries
        (about 7 µs of system time each on the 2-core bench machine, bench/README.md):
        a room of 1,000 spends 7 ms on one. The next broadcast waits until as long as
        the last one took has passed since it ended (_SWEEP_GAP), so one room's
        broadcasts take at most half of the event loop and, when its writers are many,
        their updates share the writes. A room that broadcasts less often than that
        (200 people and 100 edits a second) waits `flush_ms`, and none waits more than
        `flush_max_ms`. The sweep is timed in CPU time: on a busy machine it may be
        descheduled half-way, and that is no reason for the room to wait longer."""
        gap = _SWEEP_GAP * self._sweep_s - (time.perf_counter() - self._swept_at)
        return min(self._flush_max_s, max(self._flush_s, gap))

    async def _flush_once(self) -> None:
        if self._awareness.pending:
            relay = self._awareness.take(closing=self._closed)
            if relay is not None:
                self._awareness.spent(await self._relay_in_turns(*relay))
                if self.after_awareness is not None:
                    message = protocol.decode(relay[0])
                    assert isinstance(message, protocol.Awareness)
                    self._call_hook(self.after_awareness, message.payload)
        if self._remote:
            remote = self._remote
            self._remote = []
            merged_remote = remote[0] if len(remote) == 1 else merge_updates(*remote)
            self._broadcast(protocol.encode_update(merged_remote), set())
        if not self._pending:
            return
        updates = self._pending
        senders_ = self._pending_from
        saves = self._pending_saves
        upto = self._appended
        self._pending = []
        self._pending_from = set()
        self._pending_saves = []
        if self._scrub:
            # Taken now, before any await: exactly this batch, as the doc holds it.
            self._scrub = False
            merged = self.doc.get_update(self._batch_state)
        else:
            merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
        committed = await self._save_with_retry(updates, saves)
        self._saved = upto
        self._saved_event.set()
        if self._erased:
            return
        if self.after_commit is not None and committed:
            self._call_hook(self.after_commit, (committed, merged))
        began = time.thread_time()
        self._broadcast(protocol.encode_update(merged), senders_)
        self._sweep_s = time.thread_time() - began
        self._swept_at = time.perf_counter()
        heap.TRIMMER.after(len(merged))
        self._log_rows += len(updates)
        if self._log_rows >= self._compact_after and self._compaction is None:
            self._compaction = asyncio.create_task(self._compact(), name=f"compact {self.name}")

    def _notify(self, hook: Callable[[Room], None] | None) -> None:
        if hook is not None:
            try:
                hook(self)
            except Exception:
                log.exception("room %s: hook %s failed", self.name, hook)

    def _call_hook(self, hook: Callable[[Room, T], None], value: T) -> None:
        try:
            hook(self, value)
        except Exception:
            log.exception("room %s: hook %s failed", self.name, hook)

    async def _relay_in_turns(self, frame: bytes, senders: set[Connection]) -> float:
        """`_broadcast` a presence frame to a hundred sockets per turn of the event loop:
        a thousand sends in one turn held every request and socket for 100 ms. Whoever
        joins meanwhile has the states in the room's snapshot; whoever left is skipped.
        Returns the seconds the sends took (without the turns in between)."""
        skip = next(iter(senders)) if len(senders) == 1 else None
        targets = [conn for conn in self.connections if conn is not skip]
        spent = 0.0
        for start in range(0, len(targets), _RELAY_TURN):
            if start:
                await asyncio.sleep(0)
            began = time.perf_counter()
            for conn in targets[start : start + _RELAY_TURN]:
                conn.send(frame)
            spent += time.perf_counter() - began
        return spent

    def _broadcast(self, frame: bytes, senders: set[Connection] | set[Connection | None]) -> None:
        # When one connection sent the whole batch it has it already; otherwise everyone
        # gets the same merged frame, encoded once.
        skip = next(iter(senders)) if len(senders) == 1 else None
        for conn in self.connections:
            if conn is not skip:
                conn.send(frame)

    async def _run_keepalive(self) -> None:
        keepalive = protocol.encode_awareness(protocol.encode_awareness_update([]))
        while True:
            await asyncio.sleep(self._keepalive_s / 2)
            quiet_since = time.monotonic() - self._keepalive_s
            for conn in self.connections:
                if conn.last_sent <= quiet_since:
                    conn.send(keepalive)

    async def _compact(self) -> None:
        try:
            state = self.doc.get_update()
            folded = await self._store.compact(self.name, state)
            # Nothing folded: the log is empty, or another process is compacting it
            # (PostgreSQL); either way, trying again after every flush would not help.
            self._log_rows = max(0, self._log_rows - folded) if folded else 0
            self.size = len(state) + sum(len(update) for update in self._pending)
            heap.TRIMMER.after(len(state))
        except Exception as exc:
            log.error("room %s: compaction failed, the log is kept: %s", self.name, exc)
        finally:
            self._compaction = None

    # -- lifecycle ---------------------------------------------------------------------

    async def close(self, *, code: int = CloseCode.GOING_AWAY, reason: str = "") -> None:
        """Flush everything, fold the log into a snapshot and close every connection."""
        if self._closed:
            return
        self._closed = True
        self._keepalive.cancel()
        self._saved_event.set()  # step 1 replies waiting for a save give up
        self._awareness.close()
        for conn in list(self.connections):
            conn.close(code, reason or "the board is closing")
        self._wake.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self._flusher
        if self._compaction is not None:
            await self._compaction
        if self._log_rows > 0:
            await self._compact()
        self.doc.unobserve(self._subscription)
        # The doc goes with the room: once it is gone, its memory can go back.
        heap.TRIMMER.after(self.size)


def _unsaved_state(updates: int, error: str) -> str:
    """The server's awareness state while saves fail; clients may show `detail`."""
    return json.dumps(
        {
            "samsyn": {
                "code": "storage_unavailable",
                "unsaved": updates,
                "detail": "The server cannot save right now; your edits are kept and"
                " will be saved as soon as it can.",
                "error": error,
            }
        }
    )


def _retrieve(future: asyncio.Future[int]) -> None:
    if not future.cancelled():
        future.exception()
