"""Debian's PostgreSQL, Redis and nginx, started by the tests in temporary folders.

Each service runs as a child of the test process on a free loopback port, with its own
data folder, and every wait for it is bounded. PostgreSQL refuses to run as root, and CI
runs as root: then it runs as the `postgres` system user (Popen's `user=`, which is what
`runuser -u postgres --` does, without a wrapper process between us and the postmaster,
so that a signal to the server's process group reaches every backend). A missing binary
fails under CI=true and skips elsewhere (`require_or_skip`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, Self, TypeVar

from tests.support import ROOT
from tests.support.servers import _Addresses, free_port
from tests.support.tools import require_or_skip

NGINX_EXAMPLE = ROOT / "deploy" / "nginx.conf"
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 15.0


def _wait(ready: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {_START_TIMEOUT}s:\n{_tail(log)}")


def _spawn(
    command: list[str], log: Path, ready: Callable[[], bool], user: str | None = None
) -> subprocess.Popen[bytes]:
    """Start a service in its own process group, its output in `log`; wait until ready."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, user=user, start_new_session=True
        )
    _wait(ready, Path(command[0]).name, proc, log)
    return proc


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Ask a process group to stop with `sig`, then kill it if it takes too long."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGCONT)  # a paused server cannot shut down
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=_STOP_TIMEOUT)


# -- PostgreSQL ---------------------------------------------------------------------------


def pg_bin(name: str) -> Path | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return Path(found[-1]) if found else None


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; `new_database()` per test."""

    def __init__(self) -> None:
        self.port = free_port()
        # Not under pytest's tmp_path: that is private to root, the postgres user cannot enter.
        self.dir = Path(tempfile.mkdtemp(prefix="samsyn-pg-"))
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.log = self.dir / "postgres.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._user: str | None = None

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        initdb, postgres = pg_bin("initdb"), pg_bin("postgres")
        require_or_skip(
            initdb is not None and postgres is not None,
            "PostgreSQL (Debian's postgresql; .ci/run installs it)",
        )
        assert initdb is not None and postgres is not None
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            self._user = "postgres"
            entry = pwd.getpwnam("postgres")
            for path in (self.dir, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            [
                *(str(initdb), "-D", str(self.data), "-U", "postgres"),
                *("--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            user=self._user,
        )
        self.proc = _spawn(
            [
                *(str(postgres), "-D", str(self.data), "-p", str(self.port)),
                *("-k", str(self.socket_dir), "-c", "listen_addresses=127.0.0.1"),
                # The test machine's disk is not under test; speed is welcome.
                *("-c", "fsync=off", "-c", "full_page_writes=off"),
                *("-c", "max_connections=200"),
            ],
            self.log,
            self._accepts,
            user=self._user,
        )
        return self

    def _accepts(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:
            return False

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def pause(self) -> None:
        """SIGSTOP the postmaster and every backend: nothing commits until `resume`.

        Each backend calls setsid(), so the server's process group holds the postmaster
        only; the backends are found as its children. The postmaster stops first, so no
        new backend appears meanwhile.
        """
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)
        for pid in _children(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        for pid in _children(self.proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        os.kill(self.proc.pid, signal.SIGCONT)

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self.resume()  # a paused backend would hold the shutdown up
            _stop_group(self.proc, signal.SIGINT)  # "fast" shutdown
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def _children(parent: int) -> list[int]:
    """The pids whose parent is `parent` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name may hold spaces and parentheses: the fields after its ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
    return found


# -- Redis --------------------------------------------------------------------------------


class RedisServer:
    """One redis-server on a free port, no persistence; `kill` and `start` again at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="samsyn-redis-"))
        self.log = self.dir / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        require_or_skip(binary is not None, "redis-server (Debian's redis-server; .ci/run)")
        assert binary is not None
        self.proc = _spawn(
            [
                *(binary, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--dir", str(self.dir), "--save", "", "--appendonly", "no"),
                *("--daemonize", "no", "--protected-mode", "no"),
            ],
            self.log,
            self._pong,
        )
        return self

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def command(self, *args: str) -> bytes:
        """Send one command in the inline protocol; the raw first reply."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall((" ".join(args) + "\r\n").encode())
            return sock.recv(65536)

    def kill(self) -> None:
        """SIGKILL, like a crash: every stream and subscription is gone."""
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=_STOP_TIMEOUT)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            _stop_group(self.proc, signal.SIGTERM)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# -- nginx --------------------------------------------------------------------------------


def render_nginx_example(listen: int, backends: list[int]) -> str:
    """deploy/nginx.conf with the test's port and backends in place of the examples."""
    lines: list[str] = []
    servers_written = False
    for line in NGINX_EXAMPLE.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("server 127.0.0.1:"):
            if not servers_written:
                indent = line[: len(line) - len(line.lstrip())]
                options = stripped.split(" ", 2)[2] if stripped.count(" ") >= 2 else ";"
                lines += [f"{indent}server 127.0.0.1:{port} {options}" for port in backends]
                servers_written = True
            continue
        if stripped.startswith("listen "):
            line = line.replace(stripped, f"listen 127.0.0.1:{listen};")
        lines.append(line)
    if not servers_written:
        raise ValueError(f"{NGINX_EXAMPLE} has no `server 127.0.0.1:…;` upstream lines")
    return "\n".join(lines) + "\n"


class NginxServer(_Addresses):
    """nginx with its own prefix, running deploy/nginx.conf in front of `backends`."""

    def __init__(self, backends: list[int]) -> None:
        self.port = free_port()
        self.backends = backends
        self.dir = Path(tempfile.mkdtemp(prefix="samsyn-nginx-"))
        self.log = self.dir / "error.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> NginxServer:
        binary = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
        require_or_skip(binary is not None, "nginx (Debian's nginx; .ci/run installs it)")
        assert binary is not None
        (self.dir / "samsyn.conf").write_text(render_nginx_example(self.port, self.backends))
        for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / temp).mkdir()
            os.chmod(self.dir / temp, 0o777)  # the workers may run as nobody
        (self.dir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\npid {self.dir}/nginx.pid;\n"
            f"error_log {self.log} info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"  access_log {self.dir}/access.log;\n"
            f"  client_body_temp_path {self.dir}/client_body;\n"
            f"  proxy_temp_path {self.dir}/proxy;\n"
            f"  fastcgi_temp_path {self.dir}/fastcgi;\n"
            f"  uwsgi_temp_path {self.dir}/uwsgi;\n"
            f"  scgi_temp_path {self.dir}/scgi;\n"
            f"  include {self.dir}/samsyn.conf;\n"
            "}\n"
        )
        # Its own messages go to error.log; the stdout log holds what nginx says before.
        self.proc = _spawn(
            [binary, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            self.dir / "stdout.log",
            lambda: _port_open(self.port),
        )
        return self

    def close(self) -> None:
        if self.proc is not None:
            _stop_group(self.proc, signal.SIGTERM)  # fast: open websockets are cut
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


class _Service(Protocol):
    def start(self) -> Self: ...

    def close(self) -> None: ...


S = TypeVar("S", bound=_Service)


@contextlib.contextmanager
def running(service: S) -> Iterator[S]:
    """The service started for the block and closed after it, whatever happens."""
    try:
        yield service.start()
    finally:
        service.close()


def nginx_in_front(backends: list[int]) -> contextlib.AbstractContextManager[NginxServer]:
    return running(NginxServer(backends))
