"""Both storage backends for the tests of one module: override its `settings` fixture with
`params=BACKENDS` and `backend_settings`, and every test runs on a SQLite file and on a
fresh PostgreSQL database (Debian's postgresql, started once per session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from server.settings import Settings

BACKENDS = ["sqlite", "postgresql"]


def backend_settings(request: pytest.FixtureRequest, tmp_path: Path, **values: Any) -> Settings:
    """The tests' settings on the backend of `request.param`."""
    settings = Settings(db=tmp_path / "samsyn.db", unload_grace_s=0.2, flush_ms=2.0, **values)
    if request.param == "postgresql":
        url: str = request.getfixturevalue("pg_url")
        return settings.with_overrides(database_url=url)
    return settings
