"""Hostile and unlucky clients for the hardening tests: a websocket that never reads,
hand-made updates the CRDT library only half applies, and the server's memory figures."""

from __future__ import annotations

import base64
import os
import socket
import struct
from pathlib import Path
from typing import Any

from pycrdt import Map, Text

from tests.support.yjs import YClient


class SilentSocket:
    """A websocket client on a plain TCP socket that sends frames and never reads one:
    what a peer looks like whose kernel buffer is full."""

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window: the server's frames back up on its side, not in ours.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError(f"handshake ended early: {head!r}")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"expected 101 Switching Protocols, got {head!r}")

    def send(self, payload: bytes) -> None:
        """One masked binary frame, as a client must send it."""
        header = bytearray([0x82])
        if len(payload) < 126:
            header.append(0x80 | len(payload))
        elif len(payload) < 1 << 16:
            header.append(0x80 | 126)
            header += struct.pack("!H", len(payload))
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def close(self) -> None:
        self.sock.close()


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory (VmRSS) or its peak (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no {field} in /proc/{pid}/status")


def add_big_notes(client: YClient, count: int, chars: int, prefix: str = "n") -> None:
    """`count` notes of `chars` characters in one transaction (one update)."""
    notes = client.doc.get("notes", type=Map)
    with client.doc.transaction():
        for i in range(count):
            text = (f"{prefix}{i} " + "idé om biblioteket " * (chars // 19 + 1))[:chars]
            notes[f"{prefix}{i}"] = Map({"text": Text(text), "x": 1.0 * i, "y": 2.0})


def _var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _var_string(text: str) -> bytes:
    raw = text.encode()
    return _var_uint(len(raw)) + raw


def half_valid_update(client_id: int, key: str, text: str) -> bytes:
    """An update (v1) of two structs from `client_id`: `notes[key] = text`, valid, then a
    struct whose parent is that string item, which is no type. The library integrates
    the first struct and then raises RuntimeError."""
    any_string = 119  # lib0 "any" tag of a string
    content_any = 8  # struct info: ContentAny
    has_parent_sub = 0x20
    first = (
        bytes([content_any | has_parent_sub])
        + _var_uint(1)  # parent: a root type, by name
        + _var_string("notes")
        + _var_string(key)
        + _var_uint(1)
        + bytes([any_string])
        + _var_string(text)
    )
    second = (
        bytes([content_any | has_parent_sub])
        + _var_uint(0)  # parent: an item, by id: the string above
        + _var_uint(client_id)
        + _var_uint(0)
        + _var_string("x")
        + _var_uint(1)
        + bytes([any_string])
        + _var_string("bad")
    )
    structs = _var_uint(2) + _var_uint(client_id) + _var_uint(0) + first + second
    return _var_uint(1) + structs + _var_uint(0)  # one client, then an empty delete set


def metric(text: str, name: str) -> float:
    """One value of the Prometheus text of /metrics."""
    for line in text.splitlines():
        if line.startswith(f"{name} "):
            return float(line.split()[1])
    raise LookupError(f"no {name} in /metrics")


def doc_json(doc: Any) -> dict[str, Any]:
    """The content maps of a board doc as plain data, for comparing two docs."""
    return {name: doc.get(name, type=Map).to_py() for name in ("meta", "sections", "notes")}
