"""Pins the send path of `server.sync.connection.Connection` on both event loops.

A broadcast calls `Connection.send` for every socket of a room, so the usual case (the
transport takes the frame at once) runs the ASGI send coroutine by hand, without a task.
Only when that send suspends (the kernel buffer is full) does a task finish it. These
tests drive a real `Connection` with an ASGI send that suspends on demand, under
asyncio's own loop and under uvloop (what uvicorn runs), and check what a client would
notice: every frame arrives, in order, and a failed send closes the connection quietly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
import uvloop
from starlette.types import Message
from starlette.websockets import WebSocket

from server.sync.connection import Connection
from tests.support.servers import eventually

LOOPS = {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}


class _Peer:
    """An ASGI send that records frames and suspends on the frames it is told to."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.gates: dict[bytes, asyncio.Future[bytes]] = {}
        self.bare_yield: set[bytes] = set()

    async def send(self, message: Message) -> None:
        frame: bytes = message["bytes"]
        if frame in self.bare_yield:
            await asyncio.sleep(0)  # suspends with a bare yield, not on a future
        suffix = await self.gates[frame] if frame in self.gates else b""
        self.frames.append(frame + suffix)

    def hold(self, frame: bytes) -> asyncio.Future[bytes]:
        """Make the send of `frame` wait for the returned future, as a full buffer would."""
        gate: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.gates[frame] = gate
        return gate

    def connection(self) -> Connection:
        async def receive() -> Message:
            return {"type": "websocket.disconnect"}

        socket = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, self.send)
        return Connection(
            socket,
            label="test",
            can_write=lambda: True,
            queue_frames=16,
            rate_per_s=100.0,
            rate_burst=100,
            raw_send=self.send,
        )


def on_both_loops(scenario: Callable[[_Peer], Awaitable[None]]) -> Callable[[str], None]:
    """A test that runs `scenario` with a fresh peer under each event loop."""

    @pytest.mark.parametrize("loop", LOOPS)
    def test(loop: str) -> None:
        with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
            runner.run(scenario(_Peer()))

    test.__name__ = scenario.__name__
    test.__doc__ = scenario.__doc__
    return test


def _send(conn: Connection, *frames: bytes) -> None:
    for frame in frames:
        conn.send(frame)


def _send_held(
    peer: _Peer, held: bytes, *frames: bytes
) -> tuple[Connection, asyncio.Future[bytes]]:
    """A connection that sent `frames`, the send of `held` waiting on the returned future."""
    gate = peer.hold(held)
    conn = peer.connection()
    _send(conn, *frames)
    return conn, gate


@on_both_loops
async def test_a_send_that_does_not_wait_is_written_before_send_returns(peer: _Peer) -> None:
    conn = peer.connection()
    _send(conn, b"a", b"b")
    # No await in between: the frames went out on the spot, without a task.
    assert peer.frames == [b"a", b"b"]
    await conn.finish()


@on_both_loops
async def test_a_send_that_waits_on_a_future_finishes_in_order(peer: _Peer) -> None:
    conn, gate = _send_held(peer, b"b", b"a", b"b", b"c", b"d")
    assert peer.frames == [b"a"]  # "b" waits for the transport; "c", "d" queue behind
    gate.set_result(b"!")  # the coroutine reads the future's result itself
    await eventually(lambda: len(peer.frames) == 4)
    assert peer.frames == [b"a", b"b!", b"c", b"d"]
    conn.send(b"e")  # the fast path again, once the queue is empty
    assert peer.frames[-1] == b"e"
    assert not conn.closing
    await conn.finish()


@on_both_loops
async def test_a_send_that_yields_bare_finishes_in_order(peer: _Peer) -> None:
    peer.bare_yield.add(b"a")
    conn = peer.connection()
    _send(conn, b"a", b"b")
    assert peer.frames == []
    await eventually(lambda: len(peer.frames) == 2)
    assert peer.frames == [b"a", b"b"]
    await conn.finish()


@on_both_loops
async def test_a_send_that_fails_while_waiting_closes_quietly(peer: _Peer) -> None:
    conn, gate = _send_held(peer, b"b", b"a", b"b", b"c")
    gate.set_exception(ConnectionResetError("peer went away"))
    await eventually(lambda: conn.closing)
    conn.send(b"d")  # a closed connection drops frames instead of raising
    await conn.finish()
    assert peer.frames == [b"a"]
