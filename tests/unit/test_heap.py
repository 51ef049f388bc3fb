"""The heap trimmer: one trim a moment after big work, none after small work."""

from __future__ import annotations

import asyncio
import threading

from server.sync.heap import BIG_BYTES, HeapTrimmer
from tests.support.servers import eventually


async def test_big_work_brings_one_trim_in_a_thread_however_often_it_is_reported() -> None:
    threads: list[str] = []

    def trim(pad: int) -> int:
        threads.append(threading.current_thread().name)
        return 1

    trimmer = HeapTrimmer(delay_s=0.05, trim=trim)
    trimmer.after(BIG_BYTES - 1)
    await asyncio.sleep(0.15)
    assert trimmer.trims == 0
    for _ in range(5):
        trimmer.after(BIG_BYTES)
    await eventually(lambda: trimmer.trims >= 1, within=5)
    await asyncio.sleep(0.15)
    assert trimmer.trims == 1
    assert threads != [threading.main_thread().name]
    # Later big work, a later trim.
    trimmer.after(10 * BIG_BYTES)
    await eventually(lambda: trimmer.trims >= 2, within=5)
    assert len(threads) == 2


async def test_a_failing_trim_is_logged_and_the_next_still_runs() -> None:
    calls = 0

    def trim(pad: int) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("no heap here")
        return 0

    trimmer = HeapTrimmer(delay_s=0.01, trim=trim)
    trimmer.after(BIG_BYTES)
    await asyncio.sleep(0.2)
    assert (calls, trimmer.trims) == (1, 0)
    trimmer.after(BIG_BYTES)
    await eventually(lambda: trimmer.trims >= 1, within=5)
    assert calls == 2


async def test_without_malloc_trim_nothing_is_scheduled() -> None:
    trimmer = HeapTrimmer(delay_s=0.01, trim=None)
    trimmer.after(100 * BIG_BYTES)
    await asyncio.sleep(0.05)
    assert trimmer.trims == 0
