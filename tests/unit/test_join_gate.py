"""The join gate: a few sockets at a time between their upgrade and their greeting."""

from __future__ import annotations

import asyncio

from server.web.joingate import JoinGate


async def _enter(gate: JoinGate, hold: asyncio.Event, entered: list[str]) -> None:
    async with gate.entering():
        entered.append("in")
        await hold.wait()


async def test_sockets_take_turns_and_every_slot_comes_back() -> None:
    gate = JoinGate(limit=2)
    inside: list[str] = []
    greeted = {name: asyncio.Event() for name in "abc"}
    done = {name: asyncio.Event() for name in "abc"}

    async def socket(name: str) -> None:
        async with gate.entering() as through:
            inside.append(name)
            if name != "b":  # b is refused before its greeting: it never calls through()
                await greeted[name].wait()
                through()
                through()  # once only: a second call gives back nothing more
            await done[name].wait()

    tasks = [asyncio.create_task(socket(name)) for name in "abc"]
    await asyncio.sleep(0.05)
    assert inside == ["a", "b"]  # c waits for a slot
    greeted["a"].set()
    await asyncio.sleep(0.05)
    assert inside == ["a", "b", "c"]  # a was greeted: its slot went to c
    greeted["c"].set()
    await asyncio.sleep(0.05)
    # a and c were greeted and still run: their slots are free. b's is held until its
    # handler ends: one more socket gets in, the next waits for b.
    hold = asyncio.Event()
    gate_entered: list[str] = []
    first = asyncio.create_task(_enter(gate, hold, gate_entered))
    second = asyncio.create_task(_enter(gate, hold, gate_entered))
    await asyncio.sleep(0.05)
    assert inside == ["a", "b", "c"]
    assert gate_entered == ["in"]
    done["b"].set()
    await asyncio.sleep(0.05)
    assert gate_entered == ["in", "in"]
    hold.set()
    async with asyncio.timeout(5):
        await asyncio.gather(first, second)
    done["a"].set()
    done["c"].set()
    async with asyncio.timeout(5):
        await asyncio.gather(*tasks)
    for _ in range(2):  # both slots are free again
        async with asyncio.timeout(1), gate.entering():
            pass
    async with asyncio.timeout(1), gate.entering(), gate.entering():
        pass
