"""Frames written straight to the socket: small ones framed once for a whole broadcast,
big ones from the same bytes a slice at a time.

A broadcast hands one update to hundreds of sockets. Through the ASGI `send` each
delivery builds a message dict, runs two coroutines, lets the websockets protocol
check and serialize a frame and joins its output: about 7 µs of Python before the
socket write itself. `framed` builds the frame (header and payload, unmasked) once;
`direct_writer_for` hands those same bytes to each open, writable socket's transport,
the write the ASGI path ends in anyway.

A joiner of a 5 MB board is sent the whole state. Through the websocket layer each
send makes its own copies of it (the frame is serialized, joined and buffered by the
transport until the peer has read it), so 150 joiners at once hold 150 copies. Here
a big binary message goes out as a fragmented websocket message (RFC 6455 §5.4): each
fragment is a small header and a memoryview slice of the one shared payload, and the
next slice is written only when the transport has room again. A socket then holds at
most about one slice of its own, however big the message and however many joiners.

Control frames (the server's pings, pongs, a close) may come between fragments, as the
RFC allows; no other data frame can, because a connection sends one frame at a time
(`server.sync.connection.Connection`). Only uvicorn's sans-I/O websockets protocol is
driven this way (its `transport`, `writable` and state are known); with any other,
`writer_for` answers None and frames go through the ASGI `send` as usual.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import Send

# Messages at least this big are fragmented; smaller ones go through `send` whole.
DIRECT_MIN_BYTES = 128 * 1024
# The payload of one fragment: about what the transport buffers before it pauses.
FRAGMENT_BYTES = 64 * 1024

_OP_CONTINUATION = 0x0
_OP_BINARY = 0x2
_FIN = 0x80


class PeerGone(ConnectionError):
    """The socket closed or started closing while a message was being written."""


def header(first: bool, last: bool, length: int) -> bytes:
    """The header of an unmasked server-to-client fragment of `length` payload bytes."""
    head = (_FIN if last else 0) | (_OP_BINARY if first else _OP_CONTINUATION)
    if length < 126:
        return struct.pack("!BB", head, length)
    if length < 1 << 16:
        return struct.pack("!BBH", head, 126, length)
    return struct.pack("!BBQ", head, 127, length)


def framed(payload: bytes) -> bytes:
    """The whole unmasked binary frame of `payload`, to hand to `direct_writer_for`'s writer."""
    return header(True, True, len(payload)) + payload


def direct_writer_for(send: Send | None) -> Callable[[bytes], bool] | None:
    """A function that writes a frame from `framed` to the socket under `send` when it
    can take it now (open, handshake done, no close sent, transport not paused) and
    answers whether it did; None unless `send` is uvicorn's sans-I/O websockets protocol.

    The caller sends one frame at a time (`server.sync.connection.Connection`): a frame
    is written direct only while nothing of its own is queued or half-written, so the
    order of frames and fragments is kept."""
    protocol = _sansio_protocol(send)
    if (
        protocol is None
        or not hasattr(protocol, "conn")
        or not hasattr(protocol, "initial_response")
    ):
        return None
    from websockets.protocol import State

    open_state = State.OPEN

    def write(frame: bytes) -> bool:
        transport = protocol.transport
        if (
            protocol.disconnected
            or protocol.close_sent
            or not protocol.handshake_complete
            or protocol.initial_response is not None
            or protocol.conn.state is not open_state
            or not protocol.writable.is_set()
            or transport is None
            or transport.is_closing()
        ):
            return False
        transport.write(frame)
        return True

    return write


def _sansio_protocol(send: Send | None) -> Any:
    protocol: Any = getattr(send, "__self__", None)
    if protocol is None or type(protocol).__name__ != "WebSocketsSansIOProtocol":
        return None
    needed = ("transport", "writable", "disconnected", "close_sent", "handshake_complete")
    if not all(hasattr(protocol, name) for name in needed):
        return None
    return protocol


def writer_for(
    send: Send | None, on_progress: Callable[[], None]
) -> Callable[[bytes], Awaitable[None]] | None:
    """A function that writes a big binary message in fragments straight to the socket
    under `send` (uvicorn's sans-I/O websockets protocol), or None for any other.

    `on_progress` is called after each fragment: a slow reader of a big message is still
    reading, and only a socket that takes no fragment at all is stalled."""
    protocol = _sansio_protocol(send)
    if protocol is None:
        return None

    async def write(payload: bytes) -> None:
        await _write_fragments(protocol, payload, on_progress)

    return write


async def _write_fragments(protocol: Any, payload: bytes, on_progress: Callable[[], None]) -> None:
    view = memoryview(payload)
    total = len(view)
    start = 0
    while True:
        writable: asyncio.Event = protocol.writable
        if not writable.is_set():
            await writable.wait()
        transport = protocol.transport
        if (
            protocol.disconnected
            or protocol.close_sent
            or not protocol.handshake_complete
            or transport is None
            or transport.is_closing()
        ):
            raise PeerGone("the socket closed while a message was being written")
        end = min(start + FRAGMENT_BYTES, total)
        # Header and slice in one go, with no await between: nothing else can write
        # between them, so a control frame can only come before the next header.
        transport.write(header(start == 0, end == total, end - start))
        transport.write(view[start:end])
        on_progress()
        start = end
        if start >= total:
            return
