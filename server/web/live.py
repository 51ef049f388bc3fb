"""The open sockets of each board by the role (and the participant) that opened them:
revoking a key or removing a participant closes the sockets it opened at once, instead
of when they next reconnect."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from server.services.principals import Role
from server.sync.connection import Connection
from server.sync.protocol import CloseCode


class LiveSockets:
    def __init__(self) -> None:
        # Keyed by (board, role) and, for a participant's sockets, (board, participant id).
        self._open: dict[tuple[str, str], set[Connection]] = {}

    @contextlib.contextmanager
    def holding(
        self, board_id: str, role: Role, conn: Connection, participant_id: str | None = None
    ) -> Iterator[None]:
        """Count `conn` as open on `board_id` by `role` (and the participant) while the
        block runs."""
        keys = [(board_id, role.value)]
        if participant_id is not None:
            keys.append((board_id, _PARTICIPANT + participant_id))
        for key in keys:
            self._open.setdefault(key, set()).add(conn)
        try:
            yield
        finally:
            for key in keys:
                held = self._open.get(key)
                if held is not None:
                    held.discard(conn)
                    if not held:
                        del self._open[key]

    def close(self, board_id: str, role: Role, reason: str) -> int:
        """Close every socket `role` holds open on the board with 4401; how many."""
        return self._close((board_id, role.value), CloseCode.UNAUTHORIZED, reason)

    def close_participant(self, board_id: str, participant_id: str, reason: str) -> int:
        """Close every socket the participant holds open on the board (board, session,
        drafts) with 4410, removed; how many."""
        return self._close((board_id, _PARTICIPANT + participant_id), CloseCode.REMOVED, reason)

    def _close(self, key: tuple[str, str], code: CloseCode, reason: str) -> int:
        held = list(self._open.get(key, ()))
        for conn in held:
            conn.close(code, reason)
        return len(held)


# Prefixes a participant id in the keys, apart from the role names.
_PARTICIPANT = "participant:"
