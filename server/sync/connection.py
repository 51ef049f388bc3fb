"""One websocket peer: a bounded outbox, a send path without a task switch, a rate limit."""

from __future__ import annotations

import asyncio
import logging
import time
import types
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

from starlette.types import Message, Send
from starlette.websockets import WebSocket, WebSocketState

from server.sync.protocol import CloseCode, close_reason

log = logging.getLogger(__name__)


class Connection:
    """A client of one room. `send` never blocks: a client that falls behind is closed.

    A broadcast reaches hundreds of sockets, so the common case must be cheap: when
    nothing is queued, `send` runs the ASGI send coroutine on the spot. uvicorn's send
    only suspends when the transport is paused (the kernel buffer is full); then the
    rest of that send and every later frame go through a sender task and the outbox,
    which is bounded. No frame is ever sent out of order.
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
        closed_maps: Callable[[], tuple[str, ...]] | None = None,
    ) -> None:
        self.websocket = websocket
        self.label = label
        # Asked on every update: a lock or a phase change takes effect at once.
        self.can_write = can_write
        # Root maps this client may edit but not add keys to, asked on every update.
        self.closed_maps: Callable[[], tuple[str, ...]] = closed_maps or _nothing_closed
        # Set when an update was refused: the client's copy has diverged from the room's.
        self.refused_updates = False
        # Awareness client ids this socket announced, with their last clock.
        self.awareness_clients: dict[int, int] = {}
        self._raw_send = raw_send
        self._outbox: deque[bytes] = deque()
        self._queue_frames = queue_frames
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
        if self._raw_send is not None:
            return self._raw_send(self._message(frame))
        return self.websocket.send_bytes(frame)

    def send(self, frame: bytes) -> None:
        if self._close is not None or self._failed:
            return
        if self._sender is not None:
            if len(self._outbox) >= self._queue_frames:
                self.close(
                    CloseCode.TRY_AGAIN_LATER,
                    f"send queue of {self._queue_frames} frames is full: the client is too slow",
                )
                return
            self._outbox.append(frame)
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
        self._sender = asyncio.create_task(self._drain(coro, waiting_on), name=f"send {self.label}")

    def close(self, code: int, reason: str) -> None:
        """Close after nothing more is sent; frames still queued are dropped."""
        if self._close is not None:
            return
        self._close = (code, close_reason(reason))
        self._outbox.clear()
        if self._sender is None:
            self._sender = asyncio.create_task(self._drain(None, None), name=f"close {self.label}")

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
        self._outbox.clear()

    async def _drain(self, coro: Coroutine[Any, Any, None] | None, waiting_on: Any) -> None:
        """Finish a send that had to wait, then everything queued behind it, then a close."""
        try:
            if coro is not None:
                await _resume(coro, waiting_on)
            while self._outbox and self._close is None:
                await self._send_coro(self._outbox.popleft())
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
                self._sender = asyncio.create_task(self._drain(None, None))

    async def finish(self) -> None:
        """Stop sending; called once the socket is done."""
        self._failed = True
        self._outbox.clear()
        sender = self._sender
        if sender is not None and not sender.done():
            try:
                await asyncio.wait_for(asyncio.shield(sender), timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                sender.cancel()


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


def _nothing_closed() -> tuple[str, ...]:
    return ()
