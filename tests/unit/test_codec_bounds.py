"""The codec refuses declared counts that the bytes cannot hold, and passes real updates.

Each bomb here made pycrdt (yrs) reserve memory for the declared count before failing:
the state vector one blocked the event loop for most of a second and allocated ~1 GB.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from pycrdt import (
    Array,
    Doc,
    Map,
    Text,
    XmlElement,
    XmlFragment,
    XmlText,
    merge_updates,
)

from server.sync import protocol
from server.sync.protocol import ProtocolError


def varuint(value: int) -> bytes:
    out = bytearray()
    protocol.write_var_uint(out, value)
    return bytes(out)


def string(text: str) -> bytes:
    raw = text.encode()
    return varuint(len(raw)) + raw


HUGE = 2**28 - 1
# One client (id 7, clock 0) with one struct: no origins, parent the root type "m".
ONE_STRUCT = b"\x01\x01\x07\x00"


def root_item(content_ref: int, content: bytes) -> bytes:
    """An update with one item under the root type "m" holding `content`."""
    return ONE_STRUCT + bytes([content_ref]) + b"\x01" + string("m") + content + b"\x00"


BOMBS = {
    "update clients": (varuint(HUGE), f"{HUGE} clients declared, only 0 bytes remain"),
    "structs of a client": (
        b"\x01" + varuint(HUGE) + b"\x07\x00",
        f"{HUGE} structs of a client declared, only 2 bytes remain",
    ),
    "string length": (
        root_item(4, varuint(HUGE) + b"abc"),
        f"expected {HUGE} bytes of string content, only 4 remain",
    ),
    "binary length": (
        root_item(3, varuint(HUGE)),
        f"expected {HUGE} bytes of binary content, only 1 remain",
    ),
    "root type name length": (
        ONE_STRUCT + b"\x04\x01" + varuint(HUGE),
        f"expected {HUGE} bytes of a root type name, only 0 remain",
    ),
    "JSON values": (root_item(2, varuint(HUGE)), f"{HUGE} JSON values declared"),
    "lib0 values": (root_item(8, varuint(HUGE)), f"{HUGE} values declared"),
    "any array length": (
        root_item(8, b"\x01\x75" + varuint(HUGE)),
        f"{HUGE} array values declared, only 1 bytes remain",
    ),
    "any map length": (
        root_item(8, b"\x01\x76" + varuint(HUGE)),
        f"{HUGE} map entries declared, only 1 bytes remain",
    ),
    "delete set clients": (
        b"\x00" + varuint(HUGE),
        f"{HUGE} clients in a delete set declared, only 0 bytes remain",
    ),
    "deleted ranges": (
        b"\x00\x01\x07" + varuint(HUGE) + b"\x00\x01",
        f"{HUGE} deleted ranges declared, only 2 bytes remain",
    ),
    "nesting": (
        root_item(8, b"\x01" + b"\x75\x01" * 50_000 + b"\x7e"),
        "nested at most 64 deep",
    ),
}


def peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak Python memory that `fn` allocated, whether it returned or raised."""
    tracemalloc.start()
    try:
        fn()
    except ProtocolError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("name", list(BOMBS))
def test_update_bombs_are_refused_with_what_was_declared(name: str) -> None:
    update, reason = BOMBS[name]
    frame = protocol.encode_update(update)
    message = protocol.decode(frame)
    assert isinstance(message, protocol.SyncUpdate)
    with pytest.raises(ProtocolError, match="expected an update that applies") as refused:
        _ = message.update
    assert reason in str(refused.value)
    # The reason travels in a websocket close frame: it must fit.
    assert protocol.close_reason(str(refused.value)) == str(refused.value)
    # Refusing costs no more memory than the frame itself.
    assert peak_bytes(lambda: protocol.check_update(update)) < 64 * 1024 + 2 * len(update)


def test_the_same_bombs_in_sync_step_2_are_refused() -> None:
    for update, reason in BOMBS.values():
        message = protocol.decode(protocol.encode_sync_step2(update))
        assert isinstance(message, protocol.SyncStep2)
        with pytest.raises(ProtocolError, match=reason):
            _ = message.update


def test_state_vector_bomb_is_refused() -> None:
    # The 8-byte frame that blocked the server: 536,870,911 entries, none present.
    frame = protocol.encode_sync_step1(varuint(536_870_911))
    assert len(frame) == 8
    message = protocol.decode(frame)
    assert isinstance(message, protocol.SyncStep1)
    with pytest.raises(ProtocolError, match="536870911 state vector entries declared, only 0"):
        _ = message.state_vector
    assert peak_bytes(lambda: message.state_vector) < 64 * 1024


@pytest.mark.parametrize(
    ("state_vector", "reason"),
    [
        (b"", "the number of state vector entries, the frame ended"),
        (b"\x02\x01\x01", "2 state vector entries declared, only 2 bytes remain"),
        (b"\x01\x01\x01\x00", "expected the state vector to end, 1 bytes remain"),
    ],
)
def test_state_vector_must_hold_exactly_what_it_declares(state_vector: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        protocol.check_state_vector(state_vector)


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (b"", "the number of clients, the frame ended"),
        (b"\x00\x00\x00", "expected the update after its delete set to end, 1 bytes remain"),
        (root_item(4, string("ok"))[:-1], "the number of clients in a delete set"),
        (root_item(11, b""), "content ref from 1 to 9, got 11"),
        (root_item(7, b"\x07"), "known type ref, got 7"),
        (root_item(8, b"\x01\x10"), "value tag from 116 to 127, got 16"),
        (root_item(4, b"\x02\xc3\x28"), "UTF-8"),
    ],
)
def test_malformed_updates_say_what_was_expected(update: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason):
        protocol.check_update(update)


def test_clocks_that_yrs_would_overflow_are_refused() -> None:
    # A string item at clock 2**32 - 1: yrs wrapped the clock and panicked integrating it.
    origin = varuint(7) + b"\x02"
    wrapping = b"\x01\x01\x07" + varuint(2**31 - 2) + b"\xc4" + origin * 2 + string("ppet ")
    with pytest.raises(ProtocolError, match="structs to end below 2\\*\\*31, at 2147483651"):
        protocol.check_update(wrapping + b"\x00")
    with pytest.raises(ProtocolError, match="a struct clock below 2\\*\\*31, got 2147483649"):
        protocol.check_update(b"\x01\x01\x07" + varuint(2**31 + 1) + b"\x00\x01\x00")
    with pytest.raises(ProtocolError, match="deleted ranges to end below 2\\*\\*31"):
        protocol.check_update(b"\x00\x01\x07\x01" + varuint(2**31 - 2) + b"\x05")
    # Right below the limit is fine.
    assert protocol.check_update(b"\x01\x01\x07" + varuint(2**31 - 2) + b"\x00\x01\x00")


def test_deeply_nested_awareness_state_is_refused() -> None:
    # 200 KB of nested arrays: json.loads raised RecursionError, which is no ProtocolError.
    nested = "[" * 100_000 + "]" * 100_000
    body = protocol.encode_awareness_update([protocol.AwarenessEntry(1, 1, nested)])
    with pytest.raises(ProtocolError, match="expected JSON for client 1's awareness state"):
        protocol.decode_awareness_update(body)


def test_awareness_count_bomb_is_refused() -> None:
    payload = varuint(2**53 - 1) + b"\x01\x01\x04null"
    with pytest.raises(ProtocolError, match=f"{2**53 - 1} awareness entries declared, only 7"):
        protocol.decode_awareness_update(payload)


def _edits(doc: Doc[Any]) -> None:
    """Every content kind a Yjs client can write, edited and deleted."""
    meta = doc.get("meta", type=Map)
    meta["title"] = "Målbild 0.5"
    meta.update({"schema": 1, "created": 1_733_000_000_000, "ratio": 0.25, "big": 2**60})
    meta["flags"] = {"nested": [1, [2, {"deep": None}]], "yes": True, "no": False}
    meta["blob"] = b"\x00\xff" * 40
    notes = doc.get("notes", type=Map)
    for i in range(5):
        notes[f"n{i}"] = Map({"text": Text(f"Lapp {i} – öppet"), "x": i * 1.5, "y": -3})
    notes["n0"]["text"].insert(4, " ändrad")
    del notes["n1"]
    del notes["n2"]["text"][0:3]
    text = doc.get("text", type=Text)
    text += "Meröppet bibliotek för alla 🙂"
    text.format(0, 8, {"bold": True, "color": "#a71"})
    text.insert_embed(5, {"image": "logo.png"})
    del text[2:6]
    items = doc.get("items", type=Array)
    items.extend([1, "två", 3.5, None, [4], {"fem": 5}])
    items.append(Array([Map({"k": "v"})]))
    del items[1:3]
    items.append(Doc())
    fragment = doc.get("xml", type=XmlFragment)
    fragment.children.append(XmlElement("p", {"class": "c"}, [XmlText("stycke")]))


def _updates() -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    _edits(doc)
    doc.unobserve(subscription)
    other: Doc[Any] = Doc()
    other.get("notes", type=Map)["x"] = "från en annan klient"
    other.apply_update(doc.get_update())
    # A merge of non-adjacent updates of one client holds a skip struct.
    gap = merge_updates(updates[0], updates[-1])
    return [*updates, doc.get_update(), other.get_update(), gap, merge_updates(*updates)]


def test_updates_written_by_pycrdt_pass_unchanged() -> None:
    updates = _updates()
    assert len(updates) > 20
    for update in updates:
        assert protocol.check_update(update) is update
        message = protocol.decode(protocol.encode_update(update))
        assert isinstance(message, protocol.SyncUpdate)
        assert message.update == update


def test_state_vectors_written_by_pycrdt_pass_unchanged() -> None:
    doc: Doc[Any] = Doc()
    for update in _updates():
        doc.apply_update(update)
    assert protocol.check_state_vector(doc.get_state()) == doc.get_state()
    assert protocol.check_state_vector(Doc().get_state()) == b"\x00"


def test_the_checked_updates_rebuild_the_document() -> None:
    source: Doc[Any] = Doc()
    _edits(source)
    copy: Doc[Any] = Doc()
    copy.apply_update(protocol.check_update(source.get_update()))
    assert copy.get("meta", type=Map).to_py() == source.get("meta", type=Map).to_py()
    assert str(copy.get("text", type=Text)) == str(source.get("text", type=Text))
