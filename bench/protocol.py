"""The minimal y-websocket / y-protocols framing a benchmark client needs; no I/O."""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3

SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2


class ProtocolError(ValueError):
    """A frame that does not follow the y-protocols encoding."""


@dataclass(frozen=True, slots=True)
class SyncMessage:
    """A decoded sync frame: its submessage type and payload (state vector or update)."""

    kind: int
    payload: bytes


def write_var_uint(value: int) -> bytes:
    """lib0 varUint: 7 bits a byte, least significant first, high bit = more follows."""
    if value < 0:
        raise ProtocolError(f"varUint must be >= 0, got {value}")
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def read_var_uint(data: bytes, pos: int) -> tuple[int, int]:
    """Decode a varUint at pos; return (value, position after it)."""
    if pos < len(data) and data[pos] < 0x80:  # the common one-byte case
        return data[pos], pos + 1
    value = 0
    shift = 0
    while True:
        if pos >= len(data):
            raise ProtocolError(f"varUint runs past the end of a {len(data)}-byte frame")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ProtocolError("varUint longer than 64 bits")


def _sync_frame(kind: int, payload: bytes) -> bytes:
    return bytes((MESSAGE_SYNC, kind)) + write_var_uint(len(payload)) + payload


def sync_step1(state_vector: bytes) -> bytes:
    """Sync step 1: 'here is my state vector, send me what I lack'."""
    return _sync_frame(SYNC_STEP1, state_vector)


def sync_step2(update: bytes) -> bytes:
    """Sync step 2: the answer to a step 1, an update with what the peer lacks."""
    return _sync_frame(SYNC_STEP2, update)


def sync_update(update: bytes) -> bytes:
    """An incremental document update."""
    return _sync_frame(SYNC_UPDATE, update)


def message_type(frame: bytes) -> int:
    """The top-level message type of a frame (sync, awareness, auth, query awareness)."""
    if not frame:
        raise ProtocolError("empty frame")
    if frame[0] < 0x80:  # every known type fits in one byte; skip the general decoder
        return frame[0]
    return read_var_uint(frame, 0)[0]


def decode_sync(frame: bytes) -> SyncMessage:
    """Decode a frame whose message type is sync."""
    kind_pos = 1 if frame[0] < 0x80 else read_var_uint(frame, 0)[1]
    kind, pos = read_var_uint(frame, kind_pos)
    if kind not in (SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE):
        raise ProtocolError(f"expected sync submessage 0, 1 or 2, got {kind}")
    length, pos = read_var_uint(frame, pos)
    if pos + length > len(frame):
        raise ProtocolError(
            f"sync payload says {length} bytes, frame has {len(frame) - pos} after the header"
        )
    return SyncMessage(kind, frame[pos : pos + length])
