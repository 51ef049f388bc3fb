"""Pure codec for y-protocols frames as spoken by y-websocket. No I/O.

A frame holds exactly one message: a varUint message type followed by its body.
Sync messages carry a varUint sub-type and a varUint8Array payload; awareness
messages carry a varUint8Array holding an awareness update.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

# varUints that describe lengths or client ids never need more than 53 bits (JS safe ints).
_MAX_VARUINT_BYTES = 8
# One varUint: up to seven continuation bytes, then a byte below 0x80. Skipping a client id
# (eight bytes for a random one) with this is five times faster than a byte loop.
_VAR_UINT = re.compile(rb"[\x80-\xff]{0,7}[\x00-\x7f]")

# The fewest bytes one entry of each declared list can take. yrs reserves memory for a
# declared count before it reads the entries (a state vector of five bytes declaring 2**29
# entries made it allocate about 1 GB and block the loop for a second), so every count is
# held against the bytes that remain before pycrdt sees it.
_STATE_VECTOR_ENTRY_BYTES = 2  # client, clock
_CLIENT_SECTION_BYTES = 3  # struct count, client, first clock
_STRUCT_BYTES = 2  # info byte, then at least a length, an origin or a parent
_DELETE_CLIENT_BYTES = 2  # client, range count
_DELETE_RANGE_BYTES = 2  # clock, length
_ANY_MAP_ENTRY_BYTES = 2  # key, value
# Client id and clock at least; each state's length is checked as it is read.
_AWARENESS_ENTRY_BYTES = 2
# yrs decodes nested lib0 values by recursion without a limit: 50,000 nested arrays (100 KB)
# overflowed the stack and killed the process. Board values are flat; Yjs allows any depth.
_MAX_ANY_DEPTH = 64

# Struct info bits and content refs of the update v1 format, as yrs reads them.
_GC = 0
_SKIP = 10
_HAS_ORIGIN = 0x80
_HAS_RIGHT_ORIGIN = 0x40
_HAS_PARENT_SUB = 0x20
_CONTENT_REF_MASK = 0x0F
_TYPE_REF_XML_ELEMENT = 3
_TYPE_REFS = frozenset({0, 1, 2, 3, 4, 5, 6, 9, 15})  # 7 (weak link) is not used here
# yrs keeps clocks in 32 bits, adds lengths to them unchecked and treats some as signed:
# a struct at clock 2**32 - 1 wrapped around, one at 2**31 + 1 indexed past a list, and
# both made it panic (a PanicException, which no `except ValueError` catches). No honest
# client comes near: that is two billion edits from one session.
_CLOCK_LIMIT = 2**31 - 1


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
class _Payload:
    """A message whose body is one byte string, kept as it arrived.

    The subclasses hand the body out only through a property that first checks it
    (`check_state_vector`, `check_update`), so the bytes of a frame never reach pycrdt
    unchecked while `decode` itself stays a codec of frames, not of their payloads.
    """

    raw: bytes


class SyncStep1(_Payload):
    __slots__ = ()

    @property
    def state_vector(self) -> bytes:
        return check_state_vector(self.raw)


class _UpdatePayload(_Payload):
    __slots__ = ()

    @property
    def update(self) -> bytes:
        return check_update(self.raw)


class SyncStep2(_UpdatePayload):
    __slots__ = ()


class SyncUpdate(_UpdatePayload):
    __slots__ = ()


class Awareness(_Payload):
    __slots__ = ()

    @property
    def payload(self) -> bytes:
        return self.raw


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
    __slots__ = ("_data", "_pos", "_size")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self._size = len(data)

    @property
    def done(self) -> bool:
        return self._pos >= self._size

    def var_uint(self, what: str, prefix: str = "") -> int:
        pos = self._pos
        if pos < self._size:
            byte = self._data[pos]
            # One byte holds nearly every count, length and clock: keep that path short,
            # it is most of the cost of checking an update.
            if byte < 0x80:
                self._pos = pos + 1
                return byte
        return self._long_var_uint(prefix + what)

    def _long_var_uint(self, what: str) -> int:
        data = self._data
        start = pos = self._pos
        end = min(self._size, start + _MAX_VARUINT_BYTES)
        value = 0
        shift = 0
        while pos < end:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                self._pos = pos
                return value
            shift += 7
        self._pos = pos
        if pos - start < _MAX_VARUINT_BYTES:
            raise ProtocolError(f"expected a varUint for {what}, the frame ended")
        raise ProtocolError(
            f"expected a varUint for {what}, got more than {_MAX_VARUINT_BYTES} bytes"
        )

    def skip_var_uint(self, what: str) -> None:
        """Skip a varUint whose value is not needed, such as a client id."""
        match = _VAR_UINT.match(self._data, self._pos)
        if match is None:
            self.var_uint(what)  # raises, saying whether the bytes ended or ran too long
            return
        self._pos = match.end()

    def var_bytes(self, what: str) -> bytes:
        length = self.var_uint(what, "the length of ")
        end = self._pos + length
        if end > self._size:
            raise ProtocolError(
                f"expected {length} bytes of {what}, only {self._size - self._pos} remain"
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

    def count(self, what: str, entry_bytes: int, *, extra: int = 0) -> int:
        """Read a declared count; refuse it when the bytes left cannot hold that many entries.

        `extra` entries are read beyond the declared count (yrs reads one more JSON value).
        """
        count = self.var_uint(what, "the number of ")
        left = self._size - self._pos
        if (count + extra) * entry_bytes > left:
            raise ProtocolError(f"{count} {what} declared, only {left} bytes remain")
        return count + extra

    def byte(self, what: str) -> int:
        pos = self._pos
        if pos >= self._size:
            raise ProtocolError(f"expected {what}, the update ended")
        self._pos = pos + 1
        return self._data[pos]

    def skip(self, length: int, what: str) -> None:
        if self._pos + length > self._size:
            raise ProtocolError(
                f"expected {length} bytes of {what}, only {self._size - self._pos} remain"
            )
        self._pos += length

    def skip_string(self, what: str) -> int:
        """Skip a varString, checking it is UTF-8 (yrs takes the bytes as text unchecked);
        its length in bytes, never less than its length in UTF-16 units."""
        raw = self.var_bytes(what)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"expected UTF-8 text for {what}: {exc.reason}") from None
        return len(raw)

    def clock(self, what: str) -> int:
        value = self.var_uint(what)
        if value > _CLOCK_LIMIT:
            raise ProtocolError(f"expected {what} below 2**31, got {value}")
        return value

    def skip_var_int(self, what: str) -> None:
        for _ in range(_MAX_VARUINT_BYTES):
            if self.byte(what) < 0x80:
                return
        raise ProtocolError(
            f"expected a varInt for {what}, got more than {_MAX_VARUINT_BYTES} bytes"
        )

    def end(self, what: str) -> None:
        if not self.done:
            raise ProtocolError(f"expected {what} to end, {self._size - self._pos} bytes remain")


def check_state_vector(state_vector: bytes) -> bytes:
    """Return a state vector unchanged once it holds what it declares; raise ProtocolError."""
    reader = _Reader(state_vector)
    for _ in range(reader.count("state vector entries", _STATE_VECTOR_ENTRY_BYTES)):
        reader.skip_var_uint("a state vector client")
        reader.var_uint("a state vector clock")
    reader.end("the state vector")
    return state_vector


def check_update(update: bytes) -> bytes:
    """Return a v1 update unchanged once its structure is sound; raise ProtocolError if not.

    Walks the update the way yrs decodes it (client sections of structs, then the delete
    set) without building anything, and refuses every declared count or length that the
    bytes left cannot hold, so pycrdt never reserves memory for entries that are not there.
    """
    reader = _Reader(update)
    try:
        for _ in range(reader.count("clients", _CLIENT_SECTION_BYTES)):
            structs = reader.count("structs of a client", _STRUCT_BYTES)
            reader.skip_var_uint("a struct client")
            clock = reader.clock("a struct clock")
            for _ in range(structs):
                clock += _skip_struct(reader)
            if clock > _CLOCK_LIMIT:
                raise ProtocolError(f"expected a client's structs to end below 2**31, at {clock}")
        for _ in range(reader.count("clients in a delete set", _DELETE_CLIENT_BYTES)):
            reader.skip_var_uint("a delete set client")
            for _ in range(reader.count("deleted ranges", _DELETE_RANGE_BYTES)):
                end = reader.clock("a deleted clock") + reader.clock("a deleted length")
                if end > _CLOCK_LIMIT:
                    raise ProtocolError(f"expected deleted ranges to end below 2**31, at {end}")
        reader.end("the update after its delete set")
    except ProtocolError as exc:
        # The same words as when pycrdt refuses an update, so a client sees one reason.
        raise ProtocolError(f"expected an update that applies: {exc}") from None
    return update


def _skip_struct(reader: _Reader) -> int:
    """Skip one struct; at least its length in clock ticks."""
    info = reader.byte("a struct info byte")
    if info in (_GC, _SKIP):
        return reader.clock("the length of a GC or skip struct")
    if info & _HAS_ORIGIN:
        reader.skip_var_uint("an origin client")
        reader.clock("an origin clock")
    if info & _HAS_RIGHT_ORIGIN:
        reader.skip_var_uint("a right origin client")
        reader.clock("a right origin clock")
    if not info & (_HAS_ORIGIN | _HAS_RIGHT_ORIGIN):
        # Without origins the struct names its parent: a root type's name or an item id.
        if reader.var_uint("a parent info") == 1:
            reader.skip_string("a root type name")
        else:
            reader.skip_var_uint("a parent client")
            reader.clock("a parent clock")
        if info & _HAS_PARENT_SUB:
            reader.skip_string("a map key")
    return _skip_content(reader, info & _CONTENT_REF_MASK)


def _skip_content(reader: _Reader, ref: int) -> int:
    """Skip an item's content; at least its length in clock ticks."""
    if ref == 1:  # deleted: a length
        return reader.clock("the length of deleted content")
    if ref == 2:  # JSON: yrs reads one value more than the count says
        count = reader.count("JSON values", 1, extra=1)
        for _ in range(count):
            reader.skip_string("a JSON value")
        return count
    if ref == 3:  # binary
        reader.var_bytes("binary content")
    elif ref == 4:  # string: its length counts UTF-16 units, at most one per byte
        return reader.skip_string("string content")
    elif ref == 5:  # embed (JSON text)
        reader.skip_string("an embed")
    elif ref == 6:  # format: key, JSON text
        reader.skip_string("a format key")
        reader.skip_string("a format value")
    elif ref == 7:  # type
        type_ref = reader.byte("a type ref")
        if type_ref not in _TYPE_REFS:
            raise ProtocolError(f"expected a known type ref, got {type_ref}")
        if type_ref == _TYPE_REF_XML_ELEMENT:
            reader.skip_string("an XML element name")
    elif ref == 8:  # lib0 values
        count = reader.count("values", 1)
        for _ in range(count):
            _skip_any(reader, 0)
        return count
    elif ref == 9:  # subdocument: guid, options
        reader.skip_string("a subdocument guid")
        _skip_any(reader, 0)
    else:
        raise ProtocolError(f"expected a content ref from 1 to 9, got {ref}")
    return 1


def _skip_any(reader: _Reader, depth: int) -> None:
    if depth > _MAX_ANY_DEPTH:
        raise ProtocolError(f"expected values nested at most {_MAX_ANY_DEPTH} deep")
    tag = reader.byte("a value tag")
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:
        reader.skip_var_int("an integer")
    elif tag == 124:
        reader.skip(4, "a float32")
    elif tag in (123, 122):
        reader.skip(8, "a float64 or bigint")
    elif tag == 119:
        reader.skip_string("a string value")
    elif tag == 118:
        for _ in range(reader.count("map entries", _ANY_MAP_ENTRY_BYTES)):
            reader.skip_string("a map key")
            _skip_any(reader, depth + 1)
    elif tag == 117:
        for _ in range(reader.count("array values", 1)):
            _skip_any(reader, depth + 1)
    elif tag == 116:
        reader.var_bytes("a binary value")
    else:
        raise ProtocolError(f"expected a value tag from 116 to 127, got {tag}")


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


def decode_awareness_update(
    payload: bytes, wanted: Callable[[int, int], bool] | None = None
) -> list[AwarenessEntry]:
    """Decode the body of an awareness message into its entries.

    With `wanted`, only the entries for which `wanted(client_id, clock)` holds are decoded
    and checked (UTF-8, JSON); of the others only the framing is checked. The stock
    y-websocket client sends back every state it learns, so each client echoes the whole
    room's presence as it joins: a room of n clients gets n echoes of n entries, almost
    all of other clients' ids, which the relay drops unread instead of parsing n² JSON
    states."""
    reader = _Reader(payload)
    entries = []
    for _ in range(reader.count("awareness entries", _AWARENESS_ENTRY_BYTES)):
        client_id = reader.var_uint("an awareness client id")
        clock = reader.var_uint("an awareness clock")
        if wanted is not None and not wanted(client_id, clock):
            reader.skip(reader.var_uint("the length of an awareness state"), "an awareness state")
            continue
        state = reader.var_string("an awareness state")
        try:
            json.loads(state)
        except (ValueError, RecursionError):  # deep nesting ends in a RecursionError
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
    SERVER_ERROR = 1011
    TRY_AGAIN_LATER = 1013
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    # The facilitator removed this participant from the board: do not reconnect.
    REMOVED = 4410


def close_reason(text: str) -> str:
    """Trim a close reason to the 123 bytes a close frame can carry."""
    raw = text.encode("utf-8")[:123]
    return raw.decode("utf-8", errors="ignore")
