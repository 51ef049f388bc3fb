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


def _run(loop: str, test: Callable[[], Awaitable[None]]) -> None:
    with asyncio.Runner(loop_factory=LOOPS[loop]) as runner:
        runner.run(test())


@pytest.mark.parametrize("loop", LOOPS)
def test_a_send_that_does_not_wait_is_written_before_send_returns(loop: str) -> None:
    async def scenario() -> None:
        peer = _Peer()
        conn = peer.connection()
        conn.send(b"a")
        conn.send(b"b")
        # No await in between: the frames went out on the spot, without a task.
        assert peer.frames == [b"a", b"b"]
        await conn.finish()

    _run(loop, scenario)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_send_that_waits_on_a_future_finishes_in_order(loop: str) -> None:
    async def scenario() -> None:
        peer = _Peer()
        gate: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        peer.gates[b"b"] = gate
        conn = peer.connection()
        for frame in (b"a", b"b", b"c", b"d"):
            conn.send(frame)
        assert peer.frames == [b"a"]  # "b" waits for the transport; "c", "d" queue behind
        gate.set_result(b"!")  # the coroutine reads the future's result itself
        await eventually(lambda: len(peer.frames) == 4)
        assert peer.frames == [b"a", b"b!", b"c", b"d"]
        conn.send(b"e")  # the fast path again, once the queue is empty
        assert peer.frames[-1] == b"e"
        assert not conn.closing
        await conn.finish()

    _run(loop, scenario)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_send_that_yields_bare_finishes_in_order(loop: str) -> None:
    async def scenario() -> None:
        peer = _Peer()
        peer.bare_yield.add(b"a")
        conn = peer.connection()
        conn.send(b"a")
        conn.send(b"b")
        assert peer.frames == []
        await eventually(lambda: len(peer.frames) == 2)
        assert peer.frames == [b"a", b"b"]
        await conn.finish()

    _run(loop, scenario)


@pytest.mark.parametrize("loop", LOOPS)
def test_a_send_that_fails_while_waiting_closes_quietly(loop: str) -> None:
    async def scenario() -> None:
        peer = _Peer()
        gate: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        peer.gates[b"b"] = gate
        conn = peer.connection()
        conn.send(b"a")
        conn.send(b"b")
        conn.send(b"c")
        gate.set_exception(ConnectionResetError("peer went away"))
        await eventually(lambda: conn.closing)
        conn.send(b"d")  # a closed connection drops frames instead of raising
        await conn.finish()
        assert peer.frames == [b"a"]

    _run(loop, scenario)
