"""Several `samsyn serve` processes on one PostgreSQL database and one Redis."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pycrdt import Map

from tests.support.servers import ServerProcess
from tests.support.services import RedisServer
from tests.support.yjs import YClient


@contextlib.contextmanager
def running_cluster(
    tmp_path: Path,
    pg_url: str,
    redis: RedisServer | None,
    count: int,
    env: dict[str, str] | None = None,
) -> Iterator[list[ServerProcess]]:
    """`count` processes sharing `pg_url` (and `redis`), started in order, all stopped."""
    args = ["--db", pg_url] + (["--redis", redis.url] if redis is not None else [])
    processes = [
        ServerProcess(tmp_path / f"node{i}.db", env=env or {}, args=args) for i in range(count)
    ]
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in processes:
            process.stop()


def board_url(ws_base: str, board: dict[str, Any], doc: str = "") -> str:
    return f"{ws_base}/ws/{board['id']}{doc}?token={board['facilitator_key']}"


def note_ids(client: YClient) -> set[str]:
    return set(client.doc.get("notes", type=Map).keys())


def notes_json(client: YClient) -> dict[str, Any]:
    data: dict[str, Any] = client.doc.get("notes", type=Map).to_py() or {}
    return data
