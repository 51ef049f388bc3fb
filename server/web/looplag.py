"""How late the event loop runs a timer: the lag every socket and request of this process
waits on top of its own work. Sampled every 100 ms, kept for the last minute, served on
/metrics."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LagFigures:
    """Seconds a timer fired late over the window: median, 99th percentile and worst."""

    samples: int
    p50_s: float
    p99_s: float
    max_s: float


class LoopLag:
    """`run()` sleeps `interval_s` again and again and records how late each wake-up was."""

    def __init__(self, interval_s: float = 0.1, window_s: float = 60.0) -> None:
        self.interval_s = interval_s
        self.window_s = window_s
        # (loop time of the wake-up, seconds late); old ones dropped as new ones come.
        self._samples: deque[tuple[float, float]] = deque()

    async def run(self) -> None:
        # time.monotonic(), not loop.time(): uvloop's clock is the millisecond at which
        # the loop's current turn began, which hides most of a long turn.
        while True:
            due = time.monotonic() + self.interval_s
            await asyncio.sleep(self.interval_s)
            now = time.monotonic()
            self.record(now, max(0.0, now - due))

    def record(self, now: float, late_s: float) -> None:
        self._samples.append((now, late_s))
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()

    def figures(self) -> LagFigures:
        lags = sorted(late for _, late in self._samples)
        if not lags:
            return LagFigures(0, 0.0, 0.0, 0.0)
        return LagFigures(len(lags), _rank(lags, 0.5), _rank(lags, 0.99), lags[-1])


def _rank(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of an ordered, non-empty list."""
    index = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[index]
