"""Start and stop the servers under test on free loopback ports, and open boards on them."""

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
from pathlib import Path

from bench.peers import BENCH_DIR, PEERS_PYTHON
from bench.procfs import ProcStats, tree_stats

HOST = "127.0.0.1"
YWS_SCRIPT = BENCH_DIR / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"
SERVERS = ("samsyn", "y-websocket-server", "pycrdt-websocket")
# What each server answers 200 on once it accepts connections.
READY_PATH = {"samsyn": "/healthz", "y-websocket-server": "/", "pycrdt-websocket": "/"}
_READY_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 5.0


class ServerError(RuntimeError):
    """A server did not start, answer, or create the board."""


class RunningServer:
    """A started server: its address, its boards, and the process tree to measure."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], port: int, log_path: Path):
        self.name = name
        self.pid = process.pid
        self.port = port
        self.process = process
        self.base = f"http://{HOST}:{port}"
        self.log_path = log_path
        self.stopped = ""  # how it ended, filled in when start_server's block exits

    def stats(self) -> ProcStats:
        """CPU, memory and storage writes of the server process and its descendants."""
        return tree_stats(self.pid)

    def new_boards(self, count: int) -> list[str]:
        """Paths of `count` fresh boards (Samsyn) or rooms (the peers), token included."""
        if self.name != "samsyn":
            run = secrets.token_urlsafe(6)
            return [f"/bench-{run}-{i}" for i in range(count)]
        return [_create_samsyn_board(self.base) for _ in range(count)]

    def stop(self) -> None:
        """Stop the server now (SIGTERM, then SIGKILL); start_server's exit then has no work."""
        self.stopped = _stop(self.process)

    def ws_url(self, path: str) -> str:
        return "ws" + self.base.removeprefix("http") + path


@contextlib.contextmanager
def start_server(
    name: str, workdir: Path, samsyn_args: list[str] | None = None
) -> Iterator[RunningServer]:
    """Start the named server in workdir (its log and any files go there); stop it after.

    Samsyn keeps its database in workdir, so a second start in the same workdir opens
    the same boards (a cold start), unless `samsyn_args` give it another store (e.g.
    `--db postgresql://… --redis redis://…`).
    """
    with start_servers(name, [workdir], samsyn_args) as servers:
        yield servers[0]


@contextlib.contextmanager
def start_servers(
    name: str, workdirs: list[Path], samsyn_args: list[str] | None = None
) -> Iterator[list[RunningServer]]:
    """One server per workdir, all started before the first is waited for; stopped after."""
    if name not in SERVERS:
        raise ServerError(f"unknown server {name!r}; expected one of {', '.join(SERVERS)}")
    servers: list[RunningServer] = []
    try:
        for workdir in workdirs:
            servers.append(_spawn(name, workdir, samsyn_args))
        for server in servers:
            _wait_ready(server.process, server.base + READY_PATH[name], server.log_path)
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.stop()


def _spawn(name: str, workdir: Path, samsyn_args: list[str] | None) -> RunningServer:
    port = _free_port()
    log_path = workdir / f"{name}.log"
    command, env = _COMMANDS[name](port, workdir)
    if samsyn_args is not None:
        if name != "samsyn":
            raise ServerError(f"store arguments are for samsyn, not {name}")
        command = command[: command.index("--db")] + samsyn_args
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return RunningServer(name, process, port, log_path)


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
    command += ["--db", str(workdir / "bench.db"), "--create"]
    # Every bench client comes from one address with the facilitator's key, and the
    # scenarios create hundreds of boards: the operator lifts the limits meant for
    # strangers on the Internet (the peers have none).
    env = dict(os.environ)
    for setting, value in _OPERATOR_LIMITS.items():
        env.setdefault(f"SAMSYN_{setting.upper()}", value)
    return command, env


_OPERATOR_LIMITS = {
    "boards_per_hour": "1000000",
    "boards_per_hour_total": "1000000",
    "sockets_per_address": "100000",
    "sockets_per_credential": "100000",
}


def _yws_command(port: int, workdir: Path) -> tuple[list[str], dict[str, str]]:
    node = shutil.which("node")
    if node is None:
        raise ServerError("node not found on PATH")
    if not YWS_SCRIPT.exists():
        raise ServerError(f"{YWS_SCRIPT} not found: run `npm ci` in bench/")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YPERSISTENCE", "CALLBACK_"))}
    env.update(HOST=HOST, PORT=str(port), NODE_ENV="production")
    return [node, str(YWS_SCRIPT)], env


def _pycrdt_command(port: int, workdir: Path) -> tuple[list[str], dict[str, str]]:
    if not PEERS_PYTHON.exists():
        raise ServerError(f"{PEERS_PYTHON} not found: the bench installs it (bench/peers.py)")
    command = [str(PEERS_PYTHON), "-m", "uvicorn", "--app-dir", str(BENCH_DIR)]
    command += ["pycrdt_peer:app", "--host", HOST, "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    # Its rooms keep serving after their clients left, so uvicorn's graceful shutdown
    # would wait out the bench's whole stop timeout (5 s a round); it holds nothing to save.
    command += ["--timeout-graceful-shutdown", "1"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return command, env


_COMMANDS = {
    "samsyn": _samsyn_command,
    "y-websocket-server": _yws_command,
    "pycrdt-websocket": _pycrdt_command,
}


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


def _create_samsyn_board(base: str) -> str:
    """POST /api/boards; the websocket path of the new board with its facilitator key."""
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
    return f"/ws/{body['id']}?token={body['facilitator_key']}"


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
