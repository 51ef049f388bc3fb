"""Start and stop the servers under test on free loopback ports, and read their /proc stats."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.procfs import ProcStats, tree_stats

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
YWS_SCRIPT = BENCH_DIR / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
SERVERS = ("samsyn", "y-websocket-server")
_READY_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 10.0


class ServerError(RuntimeError):
    """A server did not start, answer, or create the board."""


@dataclass(slots=True)
class RunningServer:
    """A started server: where the load connects, and the process to measure."""

    name: str
    pid: int
    ws_url: str
    origin: str
    log_path: Path
    stopped: str = ""  # how it ended, filled in when start_server's block exits

    def stats(self) -> ProcStats:
        """CPU and memory of the server process and its descendants."""
        return tree_stats(self.pid)


@contextlib.contextmanager
def start_server(name: str, workdir: Path) -> Iterator[RunningServer]:
    """Start the named server in workdir (its log and any files go there); stop it after."""
    port = _free_port()
    log_path = workdir / f"{name}.log"
    if name == "samsyn":
        command, env = _samsyn_command(port, workdir)
    elif name == "y-websocket-server":
        command, env = _yws_command(port)
    else:
        raise ServerError(f"unknown server {name!r}; expected one of {', '.join(SERVERS)}")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://{HOST}:{port}"
    try:
        if name == "samsyn":
            _wait_ready(process, f"{base}/healthz", log_path)
            board_id, key = _create_board(base)
            ws_url = f"ws://{HOST}:{port}/ws/{board_id}?token={key}"
        else:
            _wait_ready(process, f"{base}/", log_path)
            ws_url = f"ws://{HOST}:{port}/bench-{secrets.token_urlsafe(6)}"
        server = RunningServer(name, process.pid, ws_url, base, log_path)
        yield server
    finally:
        outcome = _stop(process)
    server.stopped = outcome


def log_tail(path: Path, lines: int = 20) -> str:
    """The last lines of a server log, for error messages."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _samsyn_command(port: int, workdir: Path) -> tuple[list[str], dict[str, str]]:
    exe = Path(sys.executable).parent / "samsyn"
    if not exe.exists():
        raise ServerError(f"{exe} not found: install the project first (make setup)")
    command = [str(exe), "serve", "--host", HOST, "--port", str(port)]
    command += ["--db", str(workdir / "bench.db")]
    return command, dict(os.environ)


def _yws_command(port: int) -> tuple[list[str], dict[str, str]]:
    node = shutil.which("node")
    if node is None:
        raise ServerError("node not found on PATH")
    if not YWS_SCRIPT.exists():
        raise ServerError(f"{YWS_SCRIPT} not found: run `npm ci` in bench/")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YPERSISTENCE", "CALLBACK_"))}
    env.update(HOST=HOST, PORT=str(port), NODE_ENV="production")
    return [node, str(YWS_SCRIPT)], env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + _READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"server exited with {process.returncode} before {url} answered:\n"
                + log_tail(log_path)
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise ServerError(f"{url} did not answer 200 within {_READY_TIMEOUT_S:.0f} s")


def _create_board(base: str) -> tuple[str, str]:
    request = urllib.request.Request(
        f"{base}/api/boards",
        data=json.dumps({"title": "bench"}).encode(),
        headers={"Content-Type": "application/json", "Origin": base},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise ServerError(f"POST /api/boards: expected 201, got {exc.code}: {detail}") from exc
    if status != 201 or "id" not in body or "facilitator_key" not in body:
        raise ServerError(
            f"POST /api/boards: expected 201 with id and facilitator_key, got "
            f"{status}: {str(body)[:300]}"
        )
    return str(body["id"]), str(body["facilitator_key"])


def _stop(process: subprocess.Popen[bytes]) -> str:
    """SIGTERM, then SIGKILL after a grace period; says how the server ended."""
    if process.poll() is not None:
        return f"had already exited with {process.returncode}"
    started = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        code = process.wait(timeout=_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=_STOP_TIMEOUT_S)
        return f"ignored SIGTERM for {_STOP_TIMEOUT_S:.0f} s, killed"
    return f"exit {code} {time.monotonic() - started:.1f} s after SIGTERM"
