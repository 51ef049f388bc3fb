"""Failure limits for guessable things: join codes are short, so guessing is throttled."""

from __future__ import annotations

import time
from collections import deque


class FailureLimiter:
    """At most `limit` failures per key within `window_s`; then the key waits."""

    def __init__(self, limit: int = 10, window_s: float = 60.0, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self._max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key)
        if stamps is None:
            return deque()
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return stamps

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may try now."""
        now = time.monotonic()
        stamps = self._recent(key, now)
        if len(stamps) < self.limit:
            return 0
        return max(1, int(self.window_s - (now - stamps[0])) + 1)

    def failed(self, key: str) -> None:
        if len(self._failures) >= self._max_keys and key not in self._failures:
            # Bounded memory under a flood of addresses: forget the oldest key.
            self._failures.pop(next(iter(self._failures)))
        self._failures.setdefault(key, deque()).append(time.monotonic())
