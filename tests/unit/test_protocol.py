"""The y-protocols codec, against frames built by hand the way lib0 writes them."""

from __future__ import annotations

import pytest

from server.sync import protocol
from server.sync.protocol import AwarenessEntry, ProtocolError


def varuint(value: int) -> bytes:
    out = bytearray()
    protocol.write_var_uint(out, value)
    return bytes(out)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"), (2**53 - 1, None)],
)
def test_var_uint_matches_lib0(value: int, encoded: bytes | None) -> None:
    raw = varuint(value)
    if encoded is not None:
        assert raw == encoded
    frame = bytes([0, 0]) + varuint(len(raw)) + raw
    assert protocol.decode(frame) == protocol.SyncStep1(raw)


def test_sync_frames_round_trip() -> None:
    payload = bytes(range(200))
    assert protocol.decode(protocol.encode_sync_step1(payload)) == protocol.SyncStep1(payload)
    assert protocol.decode(protocol.encode_sync_step2(payload)) == protocol.SyncStep2(payload)
    assert protocol.decode(protocol.encode_update(payload)) == protocol.SyncUpdate(payload)
    assert protocol.encode_update(b"\x01\x02") == b"\x00\x02\x02\x01\x02"


def test_awareness_round_trip() -> None:
    entries = [AwarenessEntry(1, 3, '{"user":{"name":"Åsa"}}'), AwarenessEntry(2**40, 0, "null")]
    body = protocol.encode_awareness_update(entries)
    message = protocol.decode(protocol.encode_awareness(body))
    assert isinstance(message, protocol.Awareness)
    decoded = protocol.decode_awareness_update(message.payload)
    assert decoded == entries
    assert decoded[1].is_removal


def test_query_awareness_and_auth() -> None:
    assert protocol.decode(protocol.encode_query_awareness()) == protocol.QueryAwareness()
    assert protocol.decode(protocol.encode_auth_denied("nej")) == protocol.Auth("nej")


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"", "message type, the frame ended"),
        (b"\x07", "message type 0, 1, 2 or 3, got 7"),
        (b"\x00\x05\x00", "sync message type 0, 1 or 2, got 5"),
        (b"\x00\x02\x05ab", "expected 5 bytes of an update, only 2 remain"),
        (b"\x00\x00\x01a\xff", "frame to end"),
        (b"\x00\x00" + b"\xff" * 9, "more than 8 bytes"),
        (b"\x01\x03\x01\x01\x01", "length of an awareness state"),
    ],
)
def test_malformed_frames_say_what_was_expected(frame: bytes, expected: str) -> None:
    with pytest.raises(ProtocolError, match=expected):
        message = protocol.decode(frame)
        if isinstance(message, protocol.Awareness):
            protocol.decode_awareness_update(message.payload)


def test_awareness_state_must_be_json() -> None:
    body = protocol.encode_awareness_update([AwarenessEntry(1, 1, "{not json")])
    with pytest.raises(ProtocolError, match="JSON"):
        protocol.decode_awareness_update(body)


def test_close_reason_fits_a_close_frame() -> None:
    reason = protocol.close_reason("å" * 200)
    assert len(reason.encode()) <= 123
    assert reason == "å" * 61
