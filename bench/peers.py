"""Install the peer servers from their registries, once: npm for the Node server, pip for
pycrdt-websocket into a venv of its own. A stamp next to each says it is done."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PEERS_VENV = BENCH_DIR / ".peers-venv"
PEERS_PYTHON = PEERS_VENV / "bin" / "python"
_NODE_STAMP = BENCH_DIR / "node_modules" / ".installed"
_PIP_STAMP = PEERS_VENV / ".installed"
_REQUIREMENTS = BENCH_DIR / "peers-requirements.txt"
_INSTALL_TIMEOUT_S = 600


class PeerInstallError(RuntimeError):
    """A peer could not be installed; the text holds the installer's last words."""


def ensure_installed(names: list[str]) -> None:
    """Install whichever of the named peers is missing or older than its lock file."""
    if "y-websocket-server" in names and _stale(_NODE_STAMP, BENCH_DIR / "package-lock.json"):
        npm = shutil.which("npm")
        if npm is None:
            raise PeerInstallError("npm not found on PATH: y-websocket-server needs it")
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], "npm ci")
        _NODE_STAMP.touch()
    if "pycrdt-websocket" in names and _stale(_PIP_STAMP, _REQUIREMENTS):
        if not PEERS_PYTHON.exists():
            _run([sys.executable, "-m", "venv", str(PEERS_VENV)], "python -m venv")
        pip = [str(PEERS_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, "-r", str(_REQUIREMENTS)], "pip install")
        _PIP_STAMP.touch()


def _stale(stamp: Path, source: Path) -> bool:
    return not stamp.exists() or stamp.stat().st_mtime < source.stat().st_mtime


def _run(command: list[str], what: str) -> None:
    print(f"   installing peers: {what}", flush=True)
    try:
        subprocess.run(
            command,
            cwd=BENCH_DIR,
            check=True,
            capture_output=True,
            text=True,
            timeout=_INSTALL_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as exc:
        tail = "\n".join((exc.stdout + exc.stderr).splitlines()[-15:])
        raise PeerInstallError(f"{what} failed with {exc.returncode}:\n{tail}") from None
    except subprocess.TimeoutExpired:
        raise PeerInstallError(f"{what} did not finish in {_INSTALL_TIMEOUT_S} s") from None
