"""Freed memory given back to the system after big work on a board.

A board loaded, a large paste, a compaction or a board closed allocate and free
megabytes at once (the update bytes, their merge, the snapshot). glibc's allocator keeps
most of what was freed for later instead of returning it, so the process stays as big
as its busiest moment: a 2.6 MB board seeded in a few transactions left 16 MB of RSS,
of which `malloc_trim` gave 4 MB back (bench (f)). A moment after such work the process
asks for the trim, in a thread, at most once per `delay_s`.

Elsewhere than glibc (macOS, musl) there is no `malloc_trim` and this does nothing.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

# Work that moved less than this is left to the allocator.
BIG_BYTES = 256 * 1024


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    # ctypes lets go of the GIL for the call: the event loop runs on meanwhile.
    return trim


_TRIM = _malloc_trim()


class HeapTrimmer:
    """Schedules one trim `delay_s` after big work, however much work comes meanwhile."""

    def __init__(self, delay_s: float = 1.0, trim: Callable[[int], int] | None = _TRIM) -> None:
        self._delay_s = delay_s
        self._trim = trim
        self._due: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[int] | None = None
        self.trims = 0  # done so far

    def after(self, moved_bytes: int) -> None:
        """Work that moved `moved_bytes` just ended; call on the event loop."""
        if self._trim is None or moved_bytes < BIG_BYTES or self._due is not None:
            return
        self._due = asyncio.get_running_loop().call_later(self._delay_s, self._start)

    def _start(self) -> None:
        self._due = None
        if self._trim is None or (self._running is not None and not self._running.done()):
            return
        self._running = asyncio.ensure_future(asyncio.to_thread(self._trim, 0))
        self._running.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[int]) -> None:
        if future.cancelled():
            return
        if future.exception() is not None:
            log.warning("heap: malloc_trim failed: %s", future.exception())
            return
        self.trims += 1


# One heap per process, so one trimmer: every room reports to it.
TRIMMER = HeapTrimmer()
