"""Programs the tests need from the machine; a missing one fails under CI, skips elsewhere."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

SAMSYN = Path(sys.executable).parent / "samsyn"
CHROMIUM = Path("/usr/bin/chromium")
# The client's folder: its node_modules hold the stock y-websocket the node peers use.
_STATIC = Path(__file__).resolve().parents[2] / "static"


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


async def node_peer(script: str, *args: str) -> asyncio.subprocess.Process:
    """`node static/test/<script> args...`, with stdin, stdout and stderr piped."""
    return await asyncio.create_subprocess_exec(
        node_binary(),
        f"test/{script}",
        *args,
        cwd=_STATIC,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def node_output(node: asyncio.subprocess.Process, within: float = 30) -> bytes:
    """Close the peer's stdin (its cue to finish), wait for it, and return its stdout;
    a peer that fails or outlives `within` fails the test."""
    try:
        if node.stdin is not None:
            node.stdin.close()  # communicate() without input leaves it open
        async with asyncio.timeout(within):
            out, err = await node.communicate()
    finally:
        if node.returncode is None:
            node.kill()
            await node.wait()
    assert node.returncode == 0, err.decode()
    return out
