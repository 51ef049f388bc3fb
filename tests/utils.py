"""Test helpers: real servers on free ports and a Yjs client speaking y-websocket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets
from pycrdt import Doc, TransactionEvent
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from server.sync import protocol

ROOT = Path(__file__).resolve().parent.parent
SAMSYN = Path(sys.executable).parent / "samsyn"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


class ServerProcess:
    """`samsyn serve` in a child process, so a test can kill it like a crash would."""

    def __init__(self, db: Path, port: int | None = None, env: dict[str, str] | None = None):
        self.db = db
        self.port = port or free_port()
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = db.with_suffix(f".{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        env = {**os.environ, "SAMSYN_UNLOAD_GRACE_S": "1", **self.env}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(SAMSYN), "serve", "--port", str(self.port), "--db", str(self.db)],
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
class InProcessServer:
    """A real uvicorn in this event loop; tests can look at `app.state`."""

    app: Starlette
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@contextlib.asynccontextmanager
async def run_server(settings: Settings) -> AsyncIterator[InProcessServer]:
    port = free_port()
    app = create_app(settings.with_overrides(port=port))
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_max_size=2 * settings.max_message_bytes,
        ws_per_message_deflate=False,
        lifespan="on",
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


async def create_board(base_url: str, title: str = "Testtavla", **extra: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post("/api/boards", json={"title": title, **extra})
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


async def join_board(base_url: str, board: dict[str, Any], name: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            f"/api/boards/{board['id']}/participants",
            json={"name": name, "join_code": board["join_code"]},
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


async def set_phase(base_url: str, board: dict[str, Any], name: str) -> None:
    """Move a board to a phase as its facilitator (boards start in the silent brainstorm,
    where participants' new notes belong in their drafts, not on the board)."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            f"/api/boards/{board['id']}/phase",
            json={"name": name},
            headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        )
        assert response.status_code == 200, response.text


class YClient:
    """A Yjs peer over y-websocket: a pycrdt Doc kept in sync with one room."""

    def __init__(self, url: str, *, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.doc: Doc[Any] = Doc()
        self.synced = asyncio.Event()
        self.awareness: dict[int, str] = {}
        self.received: list[bytes] = []
        self.close_code: int | None = None
        self.close_reason: str = ""
        self._changed = asyncio.Event()
        self._applying = False
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._sub = self.doc.observe(self._on_local)

    async def __aenter__(self) -> YClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> None:
        self._ws = await websockets.connect(
            self.url, additional_headers=self.headers, max_size=None, open_timeout=10
        )
        self._reader = asyncio.create_task(self._read())
        await self.send(protocol.encode_sync_step1(self.doc.get_state()))

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def send(self, frame: bytes) -> None:
        # A refused socket may already be closed; the close code tells the story.
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._ws.send(frame)

    def _on_local(self, event: TransactionEvent) -> None:
        if self._applying or self._ws is None:
            return
        frame = protocol.encode_update(event.update)
        asyncio.get_running_loop().create_task(self.send(frame))

    def _apply(self, update: bytes) -> None:
        self._applying = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying = False

    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                self.received.append(frame)
                message = protocol.decode(frame)
                if isinstance(message, protocol.SyncStep1):
                    reply = protocol.encode_sync_step2(self.doc.get_update(message.state_vector))
                    await self.send(reply)
                elif isinstance(message, protocol.SyncStep2):
                    self._apply(message.update)
                    self.synced.set()
                elif isinstance(message, protocol.SyncUpdate):
                    self._apply(message.update)
                elif isinstance(message, protocol.Awareness):
                    for entry in protocol.decode_awareness_update(message.payload):
                        if entry.is_removal:
                            self.awareness.pop(entry.client_id, None)
                        else:
                            self.awareness[entry.client_id] = entry.state
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            if self._ws.close_code is not None:
                self.close_code = self._ws.close_code
                self.close_reason = self._ws.close_reason or ""
            self._changed.set()

    async def wait_for(self, condition: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until `condition()` holds, re-checking after every message; bounded."""
        async with asyncio.timeout(within):
            while not condition():
                self._changed.clear()
                if self._reader is not None and self._reader.done() and not condition():
                    raise ConnectionError(f"socket closed ({self.close_code}) before condition")
                await self._changed.wait()

    async def wait_closed(self, within: float = 10.0) -> int | None:
        assert self._reader is not None
        async with asyncio.timeout(within):
            await self._reader
        return self.close_code


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Poll server-side state that has no event to wait on; bounded by `within`."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - server internals expose no event
            await asyncio.sleep(0.01)


AXE = ROOT / "static" / "node_modules" / "axe-core" / "axe.min.js"


def inject_axe(page: Any) -> None:
    """Load axe-core into a page. Evaluated, not added as a <script>: the pages' content
    security policy rightly refuses inline scripts, and the tests run under it."""
    page.evaluate(AXE.read_text(encoding="utf-8"))


def axe_violations(page: Any, *, serious_only: bool = False) -> list[str]:
    """Run axe-core's WCAG 2 A/AA rules on the page; one line per violating node.

    `serious_only` keeps the serious and critical ones, the bar for the live board.
    """
    inject_axe(page)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21aa"],
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result["violations"]
        if not serious_only or v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def note_csp_violations(page: Any, problems: list[str]) -> None:
    """Collect console reports of refused scripts, styles, images or connections:
    under the content security policy they would break a page silently."""

    def check(message: Any) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"csp: {message.text}")

    page.on("console", check)


def require_or_skip(ok: bool, what: str) -> None:
    """Something the project ships is missing: under CI=true that fails; elsewhere skip."""
    import pytest

    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing; `make test` sets it up")
    pytest.skip(f"{what} is missing (run `make`)")


def require_chromium() -> None:
    """In CI a missing browser is a failure; elsewhere the browser tests are skipped."""
    require_or_skip(CHROMIUM.exists(), f"{CHROMIUM} (Debian's chromium; .ci/run installs it)")


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is required for the interop test")
    return node
