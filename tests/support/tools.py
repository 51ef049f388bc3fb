"""Programs the tests need from the machine; a missing one fails under CI, skips elsewhere."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SAMSYN = Path(sys.executable).parent / "samsyn"
CHROMIUM = Path("/usr/bin/chromium")


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
