"""The operator's account commands against a running server: the printed link sets a
password once, and the facilitator then signs in with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_cli import samsyn
from tests.support.backends import BACKENDS
from tests.support.servers import ServerProcess

PASSWORD = "bibliotekarie-lösen"


def _link_token(stdout: str) -> str:
    found = re.search(r"/password/([\w-]{20,})$", stdout.strip())
    assert found, stdout
    return found.group(1)


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """`samsyn serve` on a SQLite file or on PostgreSQL, and the --db the CLI is given."""
    db = str(tmp_path / "live.db")
    if request.param == "postgresql":
        db = request.getfixturevalue("pg_url")
    # A SQLite file the test names must be made on purpose (`--create`).
    create = [] if request.param == "postgresql" else ["--create"]
    server = ServerProcess(tmp_path / "live.db", args=["--db", db, *create]).start()
    try:
        yield server, db
    finally:
        server.stop()


def test_org_create_user_add_and_reset_password(served: tuple[ServerProcess, str]) -> None:
    live_server, db = served
    created = samsyn("org", "create", "Länsbiblioteket", "--db", db)
    assert created.returncode == 0, created.stderr
    again = samsyn("org", "create", "Länsbiblioteket", "--db", db)
    assert again.returncode == 2 and "exists" in again.stderr
    added = samsyn("user", "add", "Eva@Lan.se", "--org", "Länsbiblioteket", "--db", db)
    assert added.returncode == 0, added.stderr
    assert "eva@lan.se (facilitator of Länsbiblioteket)" in added.stdout
    token = _link_token(added.stdout)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        login = {"email": "eva@lan.se", "password": PASSWORD}
        assert client.post("/api/session", json=login).status_code == 401  # no password yet
        assert client.post(f"/api/links/{token}", json={"password": PASSWORD}).status_code == 201
        assert client.post(f"/api/links/{token}", json={"password": "x" * 12}).status_code == 404
        me = client.get("/api/me").json()
        assert me["orgs"][0]["name"] == "Länsbiblioteket"
        reset = samsyn("user", "reset-password", "eva@lan.se", "--db", db)
        assert reset.returncode == 0, reset.stderr
        new = "ett nytt lösenord"
        assert client.post(
            f"/api/links/{_link_token(reset.stdout)}", json={"password": new}
        ).is_success
        assert client.post("/api/session", json=login).status_code == 401
        assert client.post("/api/session", json={**login, "password": new}).status_code == 200
    unknown = samsyn("user", "reset-password", "nobody@x.se", "--db", db)
    assert unknown.returncode == 2 and "no account" in unknown.stderr
    retention = samsyn("retention", "--days", "30", "--db", db)
    assert retention.returncode == 0 and "renamed 0 participants" in retention.stdout
