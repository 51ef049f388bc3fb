"""A websocket opened by hand, to see exactly which frames the server writes."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
from typing import Any

from server.sync import protocol
from tests.support.servers import InProcessServer


async def raw_join(
    server: InProcessServer, board: dict[str, Any], *, rcvbuf: int = 16 * 1024
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket with a small receive buffer that has asked for the whole state (a sync
    step 1 with an empty state vector)."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    reader, stream = await asyncio.open_connection(sock=sock, limit=64 * 1024)
    key = base64.b64encode(os.urandom(16)).decode()
    stream.write(
        (
            f"GET /ws/{board['id']}?token={board['facilitator_key']} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    assert head.startswith(b"HTTP/1.1 101")
    payload = protocol.encode_sync_step1(b"\x00")
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    stream.write(bytes([0x82, 0x80 | len(payload)]) + mask + masked)
    await stream.drain()
    return reader, stream


async def read_exactly(reader: asyncio.StreamReader, n: int, pause_s: float = 0.0) -> bytes:
    """`n` bytes; with `pause_s`, a reader that takes at most 16 KiB at a time and rests
    in between, as a phone on a poor connection does."""
    if not pause_s:
        return await asyncio.wait_for(reader.readexactly(n), timeout=20)
    parts = []
    while n:
        part = await asyncio.wait_for(reader.readexactly(min(n, 16 * 1024)), timeout=20)
        parts.append(part)
        n -= len(part)
        await asyncio.sleep(pause_s)
    return b"".join(parts)


async def read_frame(reader: asyncio.StreamReader, pause_s: float = 0.0) -> tuple[int, int, bytes]:
    """The next frame: its first header byte (FIN and opcode), its second (mask bit and
    length) and its payload."""
    first, second = await read_exactly(reader, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await read_exactly(reader, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await read_exactly(reader, 8))
    if second & 0x80:
        await read_exactly(reader, 4)  # a server never masks; the caller checks the bit
    return first, second, await read_exactly(reader, length, pause_s)
