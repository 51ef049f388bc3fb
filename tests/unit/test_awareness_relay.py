"""The awareness relay under a room's echo: the stock y-websocket client sends back every
state it learns, so each joiner's frames are mostly other clients' ids."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.sync import protocol
from server.sync.awareness import AwarenessRelay
from server.sync.protocol import AwarenessEntry, ProtocolError


class _Socket:
    """What the relay keeps on a connection: the awareness ids it announced."""

    def __init__(self) -> None:
        self.awareness_clients: dict[int, int] = {}


def _socket() -> Any:
    return _Socket()


def _frame(*entries: AwarenessEntry) -> bytes:
    return protocol.encode_awareness_update(list(entries))


def _states(snapshot: bytes) -> dict[int, str]:
    message = protocol.decode(snapshot)
    assert isinstance(message, protocol.Awareness)
    return {e.client_id: e.state for e in protocol.decode_awareness_update(message.payload)}


def _relay(window_ms: float = 0.0) -> tuple[AwarenessRelay, list[int]]:
    wakes: list[int] = []
    return AwarenessRelay(window_ms, lambda: wakes.append(1)), wakes


async def test_an_echo_of_others_states_changes_nothing_and_is_not_parsed() -> None:
    relay, wakes = _relay()
    alice, bob = _socket(), _socket()
    relay.receive(alice, _frame(AwarenessEntry(1, 3, '{"user":"Alice"}')))
    wakes.clear()
    # Bob sends Alice's state back, newer clock and all, plus bytes that are no JSON in
    # her entry (never read: not his to change) and his own state.
    relay.receive(
        bob,
        _frame(AwarenessEntry(1, 9, "not json {"), AwarenessEntry(2, 1, '{"user":"Bob"}')),
    )
    assert _states(relay.snapshot()) == {1: '{"user":"Alice"}', 2: '{"user":"Bob"}'}
    assert bob.awareness_clients == {2: 1}
    assert wakes == [1]
    # An echo with nothing of his own is no change at all: nothing to relay.
    wakes.clear()
    relay.take(closing=False)
    relay.receive(bob, _frame(AwarenessEntry(1, 3, '{"user":"Alice"}')))
    assert wakes == [] and not relay.pending


async def test_own_states_are_still_checked() -> None:
    relay, _ = _relay()
    with pytest.raises(ProtocolError, match="expected JSON for client 5's awareness state"):
        relay.receive(_socket(), _frame(AwarenessEntry(5, 1, "not json {")))


async def test_the_snapshot_follows_every_change() -> None:
    relay, _ = _relay()
    alice, bob = _socket(), _socket()
    relay.receive(alice, _frame(AwarenessEntry(1, 1, '{"n":1}')))
    first = relay.snapshot()
    assert relay.snapshot() is first  # encoded once for every joiner until a change
    relay.receive(alice, _frame(AwarenessEntry(1, 2, '{"n":2}')))
    assert _states(relay.snapshot()) == {1: '{"n":2}'}
    relay.receive(bob, _frame(AwarenessEntry(2, 1, '{"n":3}')))
    assert _states(relay.snapshot()) == {1: '{"n":2}', 2: '{"n":3}'}
    relay.forget(alice)
    assert _states(relay.snapshot()) == {2: '{"n":3}'}
    relay.server_state('{"saving":"failing"}')
    assert _states(relay.snapshot()) == {2: '{"n":3}', 0: '{"saving":"failing"}'}
    # A frame refused halfway (a fifth id) has changed the states before it: the
    # snapshot shows them, not the copy from before.
    with pytest.raises(ProtocolError, match="at most 4 awareness ids"):
        relay.receive(bob, _frame(*(AwarenessEntry(10 + i, 1, "{}") for i in range(4))))
    assert set(_states(relay.snapshot())) == {0, 2, 10, 11, 12}


async def test_the_window_stretches_to_a_few_times_the_last_relays_cost() -> None:
    relay, wakes = _relay(window_ms=0.0)
    alice = _socket()
    relay.receive(alice, _frame(AwarenessEntry(1, 1, "{}")))
    assert relay.take(closing=False) is not None
    relay.receive(alice, _frame(AwarenessEntry(1, 2, "{}")))
    # No window of its own: the next frame goes out at once while relaying is cheap...
    relay.spent(0.0)
    assert relay.take(closing=False) is not None
    # ...but after a relay that took 10 s, the next waits (a timer wakes the room later).
    relay.spent(10.0)
    relay.receive(alice, _frame(AwarenessEntry(1, 3, "{}")))
    wakes.clear()
    assert relay.take(closing=False) is None
    assert relay.pending and wakes == []
    # Closing flushes at once whatever the window.
    taken = relay.take(closing=True)
    assert taken is not None and _states(taken[0]) == {1: "{}"}
    relay.close()
    await asyncio.sleep(0)
