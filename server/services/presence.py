"""Who is on which board, in the session doc's `participants` map (not the wall)."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from server.services.principals import Principal
from server.services.session import Session


class Presence:
    """Counts each participant's open sockets: online from the first, offline after the last."""

    def __init__(self) -> None:
        self._sockets: Counter[tuple[str, str]] = Counter()

    @contextlib.contextmanager
    def present(self, session: Session, principal: Principal) -> Iterator[None]:
        pid = principal.participant_id
        if pid is None:
            yield
            return
        key = (principal.board_id, pid)
        self._sockets[key] += 1
        session.set_participant(pid, principal.name, True)
        try:
            yield
        finally:
            self._sockets[key] -= 1
            if self._sockets[key] <= 0:
                del self._sockets[key]
                with contextlib.suppress(RuntimeError):  # the server is shutting down
                    session.set_participant(pid, principal.name, False)
