"""Pure codec for y-protocols frames as spoken by y-websocket. No I/O.

A frame holds exactly one message: a varUint message type followed by its body.
Sync messages carry a varUint sub-type and a varUint8Array payload; awareness
messages carry a varUint8Array holding an awareness update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum

# varUints that describe lengths or client ids never need more than 53 bits (JS safe ints).
_MAX_VARUINT_BYTES = 8


class MessageType(IntEnum):
    SYNC = 0
    AWARENESS = 1
    AUTH = 2
    QUERY_AWARENESS = 3


class SyncType(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


class ProtocolError(ValueError):
    """A frame that does not follow y-protocols; the text says what was expected."""


@dataclass(frozen=True, slots=True)
class SyncStep1:
    state_vector: bytes


@dataclass(frozen=True, slots=True)
class SyncStep2:
    update: bytes


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    update: bytes


@dataclass(frozen=True, slots=True)
class Awareness:
    payload: bytes


@dataclass(frozen=True, slots=True)
class QueryAwareness:
    pass


@dataclass(frozen=True, slots=True)
class Auth:
    denied_reason: str | None


Message = SyncStep1 | SyncStep2 | SyncUpdate | Awareness | QueryAwareness | Auth


@dataclass(frozen=True, slots=True)
class AwarenessEntry:
    """One client's awareness state; `state` is its JSON text, "null" when it left."""

    client_id: int
    clock: int
    state: str

    @property
    def is_removal(self) -> bool:
        return self.state == "null"


class _Reader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    @property
    def done(self) -> bool:
        return self._pos >= len(self._data)

    def var_uint(self, what: str) -> int:
        value = 0
        shift = 0
        data = self._data
        for _ in range(_MAX_VARUINT_BYTES):
            if self._pos >= len(data):
                raise ProtocolError(f"expected a varUint for {what}, the frame ended")
            byte = data[self._pos]
            self._pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7
        raise ProtocolError(
            f"expected a varUint for {what}, got more than {_MAX_VARUINT_BYTES} bytes"
        )

    def var_bytes(self, what: str) -> bytes:
        length = self.var_uint(f"the length of {what}")
        end = self._pos + length
        if end > len(self._data):
            raise ProtocolError(
                f"expected {length} bytes of {what}, only {len(self._data) - self._pos} remain"
            )
        chunk = self._data[self._pos : end]
        self._pos = end
        return chunk

    def var_string(self, what: str) -> str:
        raw = self.var_bytes(what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"expected UTF-8 text for {what}: {exc.reason}") from None


def write_var_uint(out: bytearray, value: int) -> None:
    """Append `value` as a lib0 varUint."""
    if value < 0:
        raise ValueError(f"varUint must be non-negative, got {value}")
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write_var_bytes(out: bytearray, data: bytes) -> None:
    write_var_uint(out, len(data))
    out += data


def decode(frame: bytes) -> Message:
    """Decode one y-websocket frame; raise ProtocolError when it is malformed."""
    reader = _Reader(frame)
    kind = reader.var_uint("the message type")
    message: Message
    if kind == MessageType.SYNC:
        sub = reader.var_uint("the sync message type")
        if sub == SyncType.STEP1:
            message = SyncStep1(reader.var_bytes("a state vector"))
        elif sub == SyncType.STEP2:
            message = SyncStep2(reader.var_bytes("a sync step 2 update"))
        elif sub == SyncType.UPDATE:
            message = SyncUpdate(reader.var_bytes("an update"))
        else:
            raise ProtocolError(f"expected sync message type 0, 1 or 2, got {sub}")
    elif kind == MessageType.AWARENESS:
        message = Awareness(reader.var_bytes("an awareness update"))
    elif kind == MessageType.QUERY_AWARENESS:
        message = QueryAwareness()
    elif kind == MessageType.AUTH:
        sub = reader.var_uint("the auth message type")
        message = Auth(reader.var_string("the denial reason") if sub == 0 else None)
    else:
        raise ProtocolError(f"expected message type 0, 1, 2 or 3, got {kind}")
    if not reader.done:
        raise ProtocolError(f"expected the frame to end after message type {kind}")
    return message


def _sync_frame(sub: SyncType, payload: bytes) -> bytes:
    out = bytearray((MessageType.SYNC, sub))
    _write_var_bytes(out, payload)
    return bytes(out)


def encode_sync_step1(state_vector: bytes) -> bytes:
    return _sync_frame(SyncType.STEP1, state_vector)


def encode_sync_step2(update: bytes) -> bytes:
    return _sync_frame(SyncType.STEP2, update)


def encode_update(update: bytes) -> bytes:
    return _sync_frame(SyncType.UPDATE, update)


def encode_awareness(payload: bytes) -> bytes:
    out = bytearray((MessageType.AWARENESS,))
    _write_var_bytes(out, payload)
    return bytes(out)


def encode_query_awareness() -> bytes:
    return bytes((MessageType.QUERY_AWARENESS,))


def encode_auth_denied(reason: str) -> bytes:
    out = bytearray((MessageType.AUTH, 0))
    _write_var_bytes(out, reason.encode("utf-8"))
    return bytes(out)


def decode_awareness_update(payload: bytes) -> list[AwarenessEntry]:
    """Decode the body of an awareness message into its entries."""
    reader = _Reader(payload)
    count = reader.var_uint("the awareness entry count")
    entries = []
    for _ in range(count):
        client_id = reader.var_uint("an awareness client id")
        clock = reader.var_uint("an awareness clock")
        state = reader.var_string("an awareness state")
        try:
            json.loads(state)
        except ValueError:
            raise ProtocolError(f"expected JSON for client {client_id}'s awareness state") from None
        entries.append(AwarenessEntry(client_id, clock, state))
    if not reader.done:
        raise ProtocolError("expected the awareness update to end after its entries")
    return entries


def encode_awareness_update(entries: list[AwarenessEntry]) -> bytes:
    """Encode entries as the body of an awareness message."""
    out = bytearray()
    write_var_uint(out, len(entries))
    for entry in entries:
        write_var_uint(out, entry.client_id)
        write_var_uint(out, entry.clock)
        _write_var_bytes(out, entry.state.encode("utf-8"))
    return bytes(out)


class CloseCode(IntEnum):
    """Every websocket close code the server uses, in one place."""

    NORMAL = 1000
    GOING_AWAY = 1001
    UNSUPPORTED_DATA = 1003
    POLICY = 1008
    TOO_BIG = 1009
    TRY_AGAIN_LATER = 1013
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404


def close_reason(text: str) -> str:
    """Trim a close reason to the 123 bytes a close frame can carry."""
    raw = text.encode("utf-8")[:123]
    return raw.decode("utf-8", errors="ignore")
