"""A health probe: GET a path on a new connection at a steady pace, as a monitor does,
each answer kept with the time it was asked, and the server's peak VmRSS beside it."""

from __future__ import annotations

import contextlib
import http.client
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_TIMEOUT_S = 5.0


@dataclass
class Poll:
    at: float  # time.monotonic() when sent
    status: int | None  # None: no answer (refused, reset, timed out)
    ms: float  # from connect() to the whole response read
    connect_ms: float  # of that, until the TCP handshake was done


class Probe:
    """A thread that asks `path` every `every_s` (a new connection each time) and reads
    the VmRSS of the process `pid()` names beside it."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str = "/healthz",
        every_s: float = 0.05,
        pid: Callable[[], int | None] = lambda: None,
    ) -> None:
        self.polls: list[Poll] = []
        self.peak_rss_kb = 0
        self._host = host
        self._port = port
        self._path = path
        self._every_s = every_s
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-probe", daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            sent = time.monotonic()
            connected = sent
            status: int | None = None
            conn = http.client.HTTPConnection(self._host, self._port, timeout=_TIMEOUT_S)
            try:
                conn.connect()
                connected = time.monotonic()
                conn.request("GET", self._path)
                reply = conn.getresponse()
                reply.read()
                status = reply.status
            except (OSError, http.client.HTTPException):
                pass  # refused, reset, timed out, or cut off by a kill: no answer
            finally:
                conn.close()
            done = time.monotonic()
            self.polls.append(Poll(sent, status, (done - sent) * 1000, (connected - sent) * 1000))
            self._sample_rss()
            next_at = max(next_at + self._every_s, time.monotonic())
            self._stop.wait(next_at - time.monotonic())

    def _sample_rss(self) -> None:
        pid = self._pid()
        if pid is None:
            return
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_rss_kb = max(self.peak_rss_kb, int(line.split()[1]))

    def window(self, start: float, end: float) -> list[Poll]:
        """The polls sent from `start` to `end` (time.monotonic())."""
        return [p for p in list(self.polls) if start <= p.at <= end]


@dataclass
class HealthFigures:
    polls: int
    answered_200: int
    max_ms: float
    p99_ms: float
    max_connect_ms: float  # the TCP handshake's share of the slowest


def health_figures(polls: list[Poll]) -> HealthFigures:
    """Counts, p99 and max of the answers that were 200."""
    answered = sorted((p for p in polls if p.status == 200), key=lambda p: p.ms)
    ok = [p.ms for p in answered]
    return HealthFigures(
        polls=len(polls),
        answered_200=len(ok),
        max_ms=round(ok[-1], 1) if ok else 0.0,
        p99_ms=round(ok[max(0, -(-99 * len(ok) // 100) - 1)], 1) if ok else 0.0,
        max_connect_ms=round(max((p.connect_ms for p in polls), default=0.0), 1),
    )
