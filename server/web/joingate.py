"""A gate for sockets on their way in: at most a few between their upgrade and their
room's greeting at once.

After a restart every client comes back within the same second (the stock y-websocket
client backs off without jitter, so they retry in step). Each join is a board lookup,
a room lookup and the greeting frames; a thousand of them resuming in one turn of the
event loop held it for a second, and /healthz with it. Through the gate they take turns
a few at a time; every request and every joined socket is served in between.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable


class JoinGate:
    def __init__(self, limit: int = 16) -> None:
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)

    @contextlib.asynccontextmanager
    async def entering(self) -> AsyncIterator[Callable[[], None]]:
        """Wait for a slot; the block gets a function that gives it back (once the socket
        is greeted), and the slot is given back when the block ends in any case."""
        await self._slots.acquire()
        held = True

        def through() -> None:
            nonlocal held
            if held:
                held = False
                self._slots.release()

        try:
            yield through
        finally:
            through()
