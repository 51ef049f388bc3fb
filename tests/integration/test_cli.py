"""The `samsyn` console script, run as a user would, against a temporary database."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import docx
import httpx
import pytest

from tests.support import ROOT
from tests.support.servers import ServerProcess
from tests.support.tools import SAMSYN

DEMO = ROOT / "docs" / "malbild-demo.json"


def samsyn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SAMSYN), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def import_demo(db: Path) -> tuple[str, str, str]:
    done = samsyn("import", str(DEMO), "--db", str(db))
    assert done.returncode == 0, done.stderr
    found = dict(re.findall(r"^([a-z ]+):\s+(\S+)$", done.stdout, re.M))
    assert re.fullmatch(rf"/b/{found['board']}\?key=[\w-]{{20,}}", found["facilitator"])
    return found["board"], found["join code"], found["facilitator"]


def test_import_then_boards_then_export(tmp_path: Path) -> None:
    db = tmp_path / "samsyn.db"
    board_id, join_code, _ = import_demo(db)
    listing = samsyn("boards", "--db", str(db))
    assert listing.returncode == 0, listing.stderr
    header, row = listing.stdout.splitlines()
    assert header == "id\tcreated\tjoin code\ttitle"
    columns = row.split("\t")
    assert columns[0] == board_id and columns[2] == join_code
    assert columns[3] == "Stadsbiblioteket Norrköping, dag 1–2"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", columns[1])

    out = tmp_path / "again.json"
    done = samsyn("export", board_id, "--format", "json", "-o", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    original, again = json.loads(DEMO.read_text()), json.loads(out.read_text())
    # As over HTTP: the same board apart from the export time, the old board's checkpoints
    # and the participants, who are now counted by the authors of the notes.
    authors = len({n["author"] for n in original["notes"]})
    assert again == {
        **original,
        "exported": again["exported"],
        "checkpoints": [],
        "participants": authors,
        "counts": {**original["counts"], "participants": authors},
    }


def test_export_formats_and_stdout(tmp_path: Path) -> None:
    db = tmp_path / "samsyn.db"
    board_id, _, _ = import_demo(db)
    out = tmp_path / "malbild.docx"
    done = samsyn("export", board_id, "-o", str(out), "--db", str(db))  # format from suffix
    assert done.returncode == 0, done.stderr
    document = docx.Document(io.BytesIO(out.read_bytes()))
    first = document.paragraphs[0]
    assert first.style is not None and first.style.name == "Title"
    assert first.text == "Målbild 0.5 — Stadsbiblioteket Norrköping, dag 1–2"

    md = samsyn("export", board_id, "--format", "md", "-o", "-", "--db", str(db))
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Målbild 0.5 — Stadsbiblioteket Norrköping, dag 1–2\n")
    assert md.stdout.index("Biblioteket som demokratins vardagsrum") < md.stdout.index(
        "Barn och unga först"
    )


def test_db_defaults_to_samsyn_db(tmp_path: Path) -> None:
    db = tmp_path / "from-env.db"
    board_id, _, _ = import_demo(db)
    listing = samsyn("boards", env={"SAMSYN_DB": str(db)})
    assert listing.returncode == 0 and board_id in listing.stdout


def test_backup_while_the_server_runs(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    server = ServerProcess(db).start()
    try:
        created = httpx.post(f"{server.url}/api/boards", json={"title": "Under drift"}, timeout=10)
        assert created.status_code == 201
        backup = tmp_path / "backup.db"
        done = samsyn("backup", "-o", str(backup), "--db", str(db))
        assert done.returncode == 0, done.stderr
        # The server keeps serving while and after the backup runs.
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        titles = [r[0] for r in conn.execute("SELECT title FROM boards")]
    assert titles == ["Under drift"]
    listing = samsyn("boards", "--db", str(backup))
    assert created.json()["id"] in listing.stdout
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".backup.db.")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "nope", "--format", "md"], "samsyn: no board 'nope' in"),
        (["export", "nope"], "samsyn: expected --format one of md, html, docx"),
        (["import", "{tmp}/missing.json"], "samsyn: cannot read {tmp}/missing.json"),
        (["import", "{tmp}/bad.json"], "samsyn: expected {tmp}/bad.json to be a Samsyn JSON"),
        (["import", "{tmp}/wrong.json"], "samsyn: meta.language: expected sv or en, got 'de'"),
        (["backup", "-o", "{tmp}/no/dir.db"], "samsyn: cannot write {tmp}/no/dir.db"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    db = tmp_path / "samsyn.db"
    import_demo(db)
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "wrong.json").write_text(
        '{"format": "samsyn-board", "version": 1, "meta": {"language": "de"}}', encoding="utf-8"
    )
    done = samsyn(*[a.format(tmp=tmp_path) for a in args], "--db", str(db))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith(message.format(tmp=tmp_path)), done.stderr


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    for args in (["boards"], ["export", "x", "--format", "md"], ["backup", "-o", "b.db"]):
        done = samsyn(*args, "--db", str(db))
        assert done.returncode == 2
        expected = f"samsyn: expected a Samsyn database at {db}, found no file (see --db)\n"
        assert done.stderr == expected
    assert not db.exists()


def test_help_lists_every_command() -> None:
    done = samsyn("--help")
    assert done.returncode == 0
    for command in ("serve", "export", "import", "boards", "backup"):
        assert command in done.stdout
