"""Limits on what anyone may do without credentials: guess join codes, make boards.

Counts live in memory (one process); a restart forgets them, which only ever lets
someone in sooner. Keys are client addresses, and each table is bounded in size.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from server.settings import Settings

HOUR_S = 3600.0
# A join code that worked from an address stays "known" there for a workshop day.
_KNOWN_FOR_S = 12 * HOUR_S


class WindowLimiter:
    """At most `limit` events per key within `window_s`; then the key waits."""

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._events.get(key)
        if stamps is None:
            return deque()
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        if not stamps:
            del self._events[key]
        return stamps

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may try now."""
        now = time.monotonic()
        stamps = self._recent(key, now)
        if len(stamps) < self.limit:
            return 0
        return max(1, int(self.window_s - (now - stamps[-self.limit])) + 1)

    def record(self, key: str) -> None:
        if len(self._events) >= self._max_keys and key not in self._events:
            # Bounded memory under a flood of addresses: forget the oldest key.
            self._events.pop(next(iter(self._events)))
        self._events.setdefault(key, deque()).append(time.monotonic())


class JoinGuard:
    """Wrong join codes, counted per browser and per address.

    One person's typos hold back only their own browser (its `samsyn_client` cookie);
    the address as a whole, which is a whole room on a library's Wi-Fi, has a budget
    a room does not reach by typing, but that bounds a guesser who drops cookies. And
    once a code has worked from an address, it keeps working there, whatever the
    budget: the rest of the room typing it proves nothing new to a guesser.
    """

    def __init__(self, per_client: int, per_address: int, window_s: float) -> None:
        self._clients = WindowLimiter(per_client, window_s)
        self._addresses = WindowLimiter(per_address, window_s)
        self._known: OrderedDict[tuple[str, str], float] = OrderedDict()

    def known(self, address: str, board_id: str) -> bool:
        at = self._known.get((address, board_id))
        return at is not None and time.monotonic() - at < _KNOWN_FOR_S

    def retry_after(self, address: str, client: str) -> int:
        """Seconds to wait; `client` is the browser's cookie, "" for a client without."""
        own = self._clients.retry_after(f"{address} {client}") if client else 0
        return max(own, self._addresses.retry_after(address))

    def failed(self, address: str, client: str) -> None:
        if client:
            self._clients.record(f"{address} {client}")
        self._addresses.record(address)

    def joined(self, address: str, board_id: str) -> None:
        self._known[(address, board_id)] = time.monotonic()
        self._known.move_to_end((address, board_id))
        while len(self._known) > 10_000:
            self._known.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Limits:
    """Every limiter of the app, made from the settings once."""

    joins: JoinGuard
    boards: WindowLimiter  # per address: create, import, fork, continue
    boards_total: WindowLimiter  # every address together, key "*"
    imports: WindowLimiter  # per address

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            joins=JoinGuard(
                settings.join_failures_per_client,
                settings.join_failures_per_address,
                settings.join_failure_window_s,
            ),
            boards=WindowLimiter(settings.boards_per_hour, HOUR_S),
            boards_total=WindowLimiter(settings.boards_per_hour_total, HOUR_S, max_keys=1),
            imports=WindowLimiter(settings.imports_per_hour, HOUR_S),
        )
