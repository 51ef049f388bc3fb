"""The open sockets of each board by the role that opened them: revoking a key closes
the sockets it opened at once, instead of when they next reconnect."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from server.services.principals import Role
from server.sync.connection import Connection
from server.sync.protocol import CloseCode


class LiveSockets:
    def __init__(self) -> None:
        self._open: dict[tuple[str, Role], set[Connection]] = {}

    @contextlib.contextmanager
    def holding(self, board_id: str, role: Role, conn: Connection) -> Iterator[None]:
        """Count `conn` as open on `board_id` by `role` while the block runs."""
        key = (board_id, role)
        self._open.setdefault(key, set()).add(conn)
        try:
            yield
        finally:
            held = self._open.get(key)
            if held is not None:
                held.discard(conn)
                if not held:
                    del self._open[key]

    def close(self, board_id: str, role: Role, reason: str) -> int:
        """Close every socket `role` holds open on the board with 4401; how many."""
        held = list(self._open.get((board_id, role), ()))
        for conn in held:
            conn.close(CloseCode.UNAUTHORIZED, reason)
        return len(held)
