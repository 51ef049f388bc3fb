"""Real servers on free ports: `samsyn serve` in a child process, or uvicorn in this loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette

from server.app import create_app
from server.cli import uvicorn_options
from server.settings import Settings
from tests.support import ROOT
from tests.support.tools import SAMSYN

# What `ServerProcess` servers answer /metrics to: `Authorization: Bearer METRICS_TOKEN`.
METRICS_TOKEN = "metrics-token-of-the-tests"
METRICS_HEADERS = {"authorization": f"Bearer {METRICS_TOKEN}"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"server at {url} not healthy after {timeout}s: {last}")


class _Addresses:
    """The http and ws base addresses of a server listening on 127.0.0.1:`port`."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


class ServerProcess(_Addresses):
    """`samsyn serve` in a child process, so a test can kill it like a crash would."""

    def __init__(
        self,
        db: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        args: list[str] | None = None,
    ):
        self.db = db
        self.port = port or free_port()
        self.env = env or {}
        # Storage flags in place of `--db <db>` (a cluster process: --db URL --redis URL).
        self.args = args if args is not None else ["--db", str(db), "--create"]
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = db.with_suffix(f".{self.port}.log")

    def start(self) -> ServerProcess:
        env = {
            **os.environ,
            "SAMSYN_UNLOAD_GRACE_S": "1",
            "SAMSYN_METRICS_TOKEN": METRICS_TOKEN,
            **self.env,
        }
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(SAMSYN), "serve", "--port", str(self.port), *self.args],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_healthy(self.url)
        except TimeoutError:
            self.stop()
            raise TimeoutError(f"samsyn did not start; its log:\n{self.log.read_text()}") from None
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None


@dataclass
class InProcessServer(_Addresses):
    """A real uvicorn in this event loop; tests can look at `app.state`."""

    app: Starlette
    port: int


@contextlib.asynccontextmanager
async def run_server(settings: Settings) -> AsyncIterator[InProcessServer]:
    port = free_port()
    app = create_app(settings.with_overrides(port=port))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(15):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
    try:
        yield InProcessServer(app, port)
    finally:
        server.should_exit = True
        async with asyncio.timeout(15):
            await task


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Poll server-side state that has no event to wait on; bounded by `within`."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - server internals expose no event
            await asyncio.sleep(0.01)
