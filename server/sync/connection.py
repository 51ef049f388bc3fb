"""One websocket peer: an outbox bounded in frames and bytes, a send path without a task
switch, a deadline for peers that stop reading, a rate limit."""

from __future__ import annotations

import asyncio
import logging
import time
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any, Protocol

from starlette.types import Message, Send
from starlette.websockets import WebSocket, WebSocketState

from server.sync import fragments
from server.sync.protocol import CloseCode, close_reason
from server.sync.review import WriteGuard

log = logging.getLogger(__name__)


class Connection:
    """A client of one room. `send` never blocks: a client that falls behind is closed.

    A broadcast reaches hundreds of sockets, so the common case must be cheap: when
    nothing is queued, `send` writes the frame, built once for the whole broadcast, to
    the socket's transport (`server.sync.fragments.direct_writer_for`), or else runs the
    ASGI send coroutine on the spot. uvicorn's send only suspends when the transport is
    paused (the kernel buffer is full); then the rest of that send and every later frame
    go through a sender task and the outbox, which is bounded in frames and in bytes.
    No frame is ever sent out of order.

    A peer that stops reading holds our frames in the kernel and in the outbox; when a
    send has made no progress for `send_timeout_s`, the transport is aborted, so neither
    its memory nor a graceful shutdown waits on it.
    """

    def __init__(
        self,
        websocket: WebSocket,
        *,
        label: str,
        can_write: Callable[[], bool],
        queue_frames: int,
        rate_per_s: float,
        rate_burst: int,
        raw_send: Send | None = None,
        queue_bytes: int = 16 * 1024 * 1024,
        send_timeout_s: float = 20.0,
    ) -> None:
        self.websocket = websocket
        self.label = label
        # Asked on every update: a lock or a phase change takes effect at once.
        self.can_write = can_write
        # Set when an update was refused: the client's copy has diverged from the room's.
        self.refused_updates = False
        # Checks each update after it is applied and may take it back (participants').
        self.guard: WriteGuard | None = None
        # Who sent this socket's updates, as the update log records it.
        self.sender: str | None = None
        # Awareness client ids this socket announced, with their last clock.
        self.awareness_clients: dict[int, int] = {}
        self._raw_send = raw_send
        # Writes a big frame in fragments from the shared bytes (server.sync.fragments).
        self._write_big = fragments.writer_for(raw_send, self._made_progress)
        # Writes a small frame straight to the transport when it can take it now.
        self._write_now = fragments.direct_writer_for(raw_send)
        self._outbox: deque[bytes] = deque()
        self._queue_frames = queue_frames
        self._queue_bytes = queue_bytes
        self._queued = 0
        self._send_timeout_s = send_timeout_s
        # When the blocked sender last got a frame out; the stall timer compares with it.
        self._progress = 0.0
        self._stall_timer: asyncio.TimerHandle | None = None
        # A sync step 2 reply not yet handed to the transport (see `send_reply`).
        self._reply: bytes | None = None
        self.awaiting_reply = False
        # Sync step 1s sent to the client and not yet answered: each allows one sync
        # step 2 up to `max_sync_bytes` (an offline backlog) instead of the frame limit.
        self.step2_expected = 0
        # When a frame was last handed to `send`; the room's keepalive reads it.
        self.last_sent = time.monotonic()
        self._close: tuple[int, str] | None = None
        self._rate = rate_per_s
        self._burst = float(rate_burst)
        self._tokens = float(rate_burst)
        self._stamp = time.monotonic()
        self._sender: asyncio.Task[None] | None = None
        self._failed = False

    @property
    def closing(self) -> bool:
        return self._close is not None or self._failed

    def _message(self, frame: bytes) -> Message:
        return {"type": "websocket.send", "bytes": frame}

    def _send_coro(self, frame: bytes) -> Awaitable[None]:
        if self._write_big is not None and len(frame) >= fragments.DIRECT_MIN_BYTES:
            return self._write_big(frame)
        if self._raw_send is not None:
            return self._raw_send(self._message(frame))
        return self.websocket.send_bytes(frame)

    @property
    def writes_direct(self) -> bool:
        """True when small frames can go straight to the transport (uvicorn's sans-I/O
        websockets protocol): otherwise every frame takes the ASGI `send`."""
        return self._write_now is not None

    @property
    def backlogged(self) -> bool:
        """True while a send waits for the transport (the peer is not reading fast
        enough) and later frames wait in the outbox behind it."""
        return self._sender is not None and self._close is None

    @property
    def reply_outstanding(self) -> bool:
        """True while a sync step 2 reply is being prepared or still waits in the outbox."""
        return self.awaiting_reply or self._reply is not None

    def send_reply(self, frame: bytes) -> None:
        """`send` a sync step 2 reply, remembered until the transport has taken it."""
        self.awaiting_reply = False
        self._reply = frame
        self.send(frame)
        if self._sender is None:
            self._reply = None

    def send(self, frame: bytes) -> None:
        if self._close is not None or self._failed:
            return
        self.last_sent = time.monotonic()
        if self._sender is not None:
            # One frame bigger than the byte bound may wait alone (a whole board's state).
            over_bytes = self._outbox and self._queued + len(frame) > self._queue_bytes
            if len(self._outbox) >= self._queue_frames or over_bytes:
                self.close(
                    CloseCode.TRY_AGAIN_LATER,
                    f"send queue full ({len(self._outbox)} frames, {self._queued} bytes):"
                    " the client is too slow",
                )
                return
            self._outbox.append(frame)
            self._queued += len(frame)
            return
        if (
            self._write_now is not None
            and len(frame) < fragments.DIRECT_MIN_BYTES
            and self._write_now(_last_framed.of(frame))
        ):
            return
        coro = self._send_coro(frame)
        assert isinstance(coro, Coroutine)
        try:
            waiting_on = coro.send(None)
        except StopIteration:
            return  # written to the transport without suspending: the usual case
        except Exception as exc:
            self._fail(exc)
            return
        self._start_stall_timer()
        self._sender = asyncio.create_task(
            self._drain(coro, waiting_on, frame), name=f"send {self.label}"
        )

    def _start_stall_timer(self) -> None:
        self._progress = time.monotonic()
        if self._stall_timer is None:
            loop = asyncio.get_running_loop()
            self._stall_timer = loop.call_later(self._send_timeout_s, self._check_stalled)

    def _check_stalled(self) -> None:
        self._stall_timer = None
        if self._sender is None or self._failed:
            return
        idle = time.monotonic() - self._progress
        if idle < self._send_timeout_s:
            loop = asyncio.get_running_loop()
            self._stall_timer = loop.call_later(self._send_timeout_s - idle, self._check_stalled)
            return
        log.warning(
            "%s: dropped, the client read nothing for %.0f s (%d frames, %d bytes waiting)",
            self.label,
            idle,
            len(self._outbox),
            self._queued,
        )
        self.abort()

    def abort(self) -> None:
        """Drop the peer at once: no close handshake, nothing more is sent or kept."""
        self._fail(ConnectionAbortedError("aborted"))
        if self._sender is not None:
            self._sender.cancel()
        transport = _transport(self._raw_send)
        if transport is not None:
            transport.abort()

    def close(self, code: int, reason: str) -> None:
        """Close after nothing more is sent; frames still queued are dropped."""
        if self._close is not None:
            return
        self._close = (code, close_reason(reason))
        self._clear()
        if self._sender is None:
            self._start_stall_timer()
            self._sender = asyncio.create_task(
                self._drain(None, None, None), name=f"close {self.label}"
            )

    def allow_message(self) -> bool:
        """Token bucket: True while the client stays within its message rate."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def _fail(self, exc: BaseException) -> None:
        # The peer went away mid-send; the receive loop sees the disconnect.
        log.debug("%s: send failed: %r", self.label, exc)
        self._failed = True
        self._clear()

    def _clear(self) -> None:
        self._outbox.clear()
        self._queued = 0
        self._reply = None

    def _made_progress(self) -> None:
        self._progress = time.monotonic()

    def _sent(self, frame: bytes | None) -> None:
        self._progress = time.monotonic()
        if frame is self._reply:
            self._reply = None

    async def _drain(
        self, coro: Coroutine[Any, Any, None] | None, waiting_on: Any, frame: bytes | None
    ) -> None:
        """Finish a send that had to wait, then everything queued behind it, then a close."""
        try:
            if coro is not None:
                await _resume(coro, waiting_on)
                self._sent(frame)
            while self._outbox and self._close is None:
                frame = self._outbox.popleft()
                self._queued -= len(frame)
                await self._send_coro(frame)
                self._sent(frame)
            if self._close is not None:
                code, reason = self._close
                if self.websocket.application_state == WebSocketState.CONNECTED:
                    await self.websocket.close(code, reason)
        except Exception as exc:  # OSError, ClientDisconnected, websockets' ConnectionClosed
            self._fail(exc)
        finally:
            self._sender = None
            if self._outbox and not self.closing:
                # Frames queued while the last await finished: keep draining.
                self._sender = asyncio.create_task(self._drain(None, None, None))
            elif self._stall_timer is not None:
                self._stall_timer.cancel()
                self._stall_timer = None

    async def finish(self) -> None:
        """Stop sending; called once the socket is done."""
        self._failed = True
        self._clear()
        sender = self._sender
        if sender is not None and not sender.done():
            try:
                await asyncio.wait_for(asyncio.shield(sender), timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                sender.cancel()
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None


class _LastFramed:
    """The websocket frame of the payload sent last. A broadcast hands the same bytes
    object to every connection of a room, so the frame is built for the first of them
    and the others write the same bytes."""

    def __init__(self) -> None:
        self._pair: tuple[bytes, bytes] = (b"", fragments.framed(b""))

    def of(self, payload: bytes) -> bytes:
        # One tuple, read and replaced whole: threads that each run a server (the
        # tests) never see one payload's frame under another's.
        pair = self._pair
        if pair[0] is payload:
            return pair[1]
        frame = fragments.framed(payload)
        self._pair = (payload, frame)
        return frame


_last_framed = _LastFramed()


@types.coroutine
def _resume(coro: Coroutine[Any, Any, None], waiting_on: Any) -> Generator[Any, None, None]:
    """Finish, inside the running task, a coroutine started by hand that suspended on
    `waiting_on` (the future it awaits, or None for a bare yield).

    The coroutine's own ``await`` yielded `waiting_on` for a task to handle; this yields
    it on to the task that runs `_drain`, which waits for it and resumes us, and then
    hands the rest of the coroutine over with ``yield from``. That is how a task drives
    any coroutine, so no asyncio internals are touched (the earlier version cleared
    asyncio's private ``_asyncio_future_blocking`` itself); tests/test_connection.py pins
    the behaviour under asyncio's loop and uvloop.
    """
    try:
        yield waiting_on
    except BaseException:
        coro.close()
        raise
    yield from coro.__await__()


class _Abortable(Protocol):
    def abort(self) -> None: ...


def _transport(send: Send | None) -> _Abortable | None:
    """The transport under uvicorn's ASGI `send` (a method of its websocket protocol).

    ASGI offers no way to drop a peer without a close handshake, and a handshake with a
    peer that does not read never ends: its unread frames would stay in memory and hold
    up shutdown. uvicorn's protocols (websockets, sansio, wsproto) all keep `transport`;
    tests/integration/test_hardening.py pins that a non-reading client is dropped.
    """
    protocol = getattr(send, "__self__", None)
    transport = getattr(protocol, "transport", None)
    return transport if callable(getattr(transport, "abort", None)) else None
