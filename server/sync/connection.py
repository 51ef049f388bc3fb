"""One websocket peer: a bounded outbox drained by its own sender task, and a rate limit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable

from starlette.websockets import WebSocket, WebSocketState

from server.sync.protocol import CloseCode, close_reason

log = logging.getLogger(__name__)


class Connection:
    """A client of one room. `send` never blocks: a client that falls behind is closed."""

    def __init__(
        self,
        websocket: WebSocket,
        *,
        label: str,
        can_write: Callable[[], bool],
        queue_frames: int,
        rate_per_s: float,
        rate_burst: int,
    ) -> None:
        self.websocket = websocket
        self.label = label
        # Asked on every update: a lock or a phase change takes effect at once.
        self.can_write = can_write
        # Set when an update was refused: the client's copy has diverged from the room's.
        self.refused_updates = False
        # Awareness client ids this socket announced, with their last clock.
        self.awareness_clients: dict[int, int] = {}
        self._outbox: deque[bytes] = deque()
        self._queue_frames = queue_frames
        self._wake = asyncio.Event()
        self._close: tuple[int, str] | None = None
        self._rate = rate_per_s
        self._burst = float(rate_burst)
        self._tokens = float(rate_burst)
        self._stamp = time.monotonic()
        self._sender: asyncio.Task[None] | None = None

    @property
    def closing(self) -> bool:
        return self._close is not None

    def start(self) -> None:
        self._sender = asyncio.create_task(self._run_sender(), name=f"send {self.label}")

    def send(self, frame: bytes) -> None:
        if self._close is not None:
            return
        if len(self._outbox) >= self._queue_frames:
            self.close(
                CloseCode.TRY_AGAIN_LATER,
                f"send queue of {self._queue_frames} frames is full: the client is too slow",
            )
            return
        self._outbox.append(frame)
        self._wake.set()

    def close(self, code: int, reason: str) -> None:
        """Close after nothing more is sent; frames still queued are dropped."""
        if self._close is None:
            self._close = (code, close_reason(reason))
            self._outbox.clear()
            self._wake.set()

    def allow_message(self) -> bool:
        """Token bucket: True while the client stays within its message rate."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    async def _run_sender(self) -> None:
        ws = self.websocket
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while self._outbox and self._close is None:
                    await ws.send_bytes(self._outbox.popleft())
                if self._close is not None:
                    code, reason = self._close
                    if ws.application_state == WebSocketState.CONNECTED:
                        await ws.close(code, reason)
                    return
        except (OSError, RuntimeError) as exc:
            # The peer went away mid-send; the receive loop sees the disconnect.
            log.debug("%s: send failed: %s", self.label, exc)
            self._close = self._close or (CloseCode.GOING_AWAY, "send failed")
        except Exception as exc:  # websockets' ConnectionClosed and kin
            log.debug("%s: send stopped: %r", self.label, exc)
            self._close = self._close or (CloseCode.GOING_AWAY, "send failed")

    async def finish(self) -> None:
        """Stop the sender; called once the socket is done."""
        if self._close is None:
            self._close = (CloseCode.NORMAL, "")
        self._wake.set()
        if self._sender is not None:
            try:
                await asyncio.wait_for(self._sender, timeout=5)
            except (TimeoutError, asyncio.CancelledError):
                self._sender.cancel()
