"""The offline tools on PostgreSQL: `SAMSYN_DATABASE_URL` (or `--db postgresql://...`) makes
import, boards and export work on the shared database, seen at once by a serving process;
backup points to pg_dump."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from tests.integration.test_cli import DEMO, samsyn
from tests.support.servers import ServerProcess

TITLE = "Stadsbiblioteket Norrköping, dag 1–2"


def test_import_boards_and_export_on_postgresql_while_a_process_serves_it(
    tmp_path: Path, pg_url: str
) -> None:
    env = {"SAMSYN_DATABASE_URL": pg_url}
    done = samsyn("import", str(DEMO), env=env)
    assert done.returncode == 0, done.stderr
    found = dict(re.findall(r"^([a-z ]+):\s+(\S+)$", done.stdout, re.M))
    board_id, key = found["board"], found["facilitator"].split("key=")[1]
    # No SQLite file was made: the board is in PostgreSQL.
    assert not (tmp_path / "samsyn.db").exists()
    listing = samsyn("boards", env=env)
    assert listing.returncode == 0, listing.stderr
    header, row = listing.stdout.splitlines()
    assert header == "id\tcreated\tjoin code\ttitle"
    assert row.split("\t")[0] == board_id and row.split("\t")[3] == TITLE
    out = tmp_path / "again.json"
    exported = samsyn("export", board_id, "-f", "json", "-o", str(out), "--db", pg_url)
    assert exported.returncode == 0, exported.stderr
    original, again = json.loads(DEMO.read_text()), json.loads(out.read_text())
    assert again["title"] == original["title"]
    assert sorted(n["text"] for n in again["notes"]) == sorted(n["text"] for n in original["notes"])
    # A process serving the same database opens the imported board with its key.
    server = ServerProcess(tmp_path / "unused.db", args=["--db", pg_url]).start()
    try:
        md = httpx.get(
            f"{server.url}/b/{board_id}/export.md",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert md.status_code == 200
        assert md.text.startswith(f"# Målbild 0.5 — {TITLE}\n")
        # And a board the server made is listed by the CLI.
        made = httpx.post(f"{server.url}/api/boards", json={"title": "Från servern"}, timeout=30)
        assert made.status_code == 201
    finally:
        server.stop()
    titles = [line.split("\t")[3] for line in samsyn("boards", env=env).stdout.splitlines()[1:]]
    assert sorted(titles) == sorted([TITLE, "Från servern"])
    unknown = samsyn("export", "no-such-board", "-f", "md", env=env)
    assert (
        unknown.returncode == 2 and "no board 'no-such-board' in the PostgreSQL" in unknown.stderr
    )
    # The URL (which may hold a password) is never printed.
    assert pg_url not in unknown.stderr


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path, pg_url: str) -> None:
    target = tmp_path / "backup.db"
    done = samsyn("backup", "-o", str(target), env={"SAMSYN_DATABASE_URL": pg_url})
    assert done.returncode == 2
    assert "pg_dump" in done.stderr and pg_url not in done.stderr
    assert not target.exists()
