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
    # Vision statements and ranks survive the round trip as they are.
    assert [c["statement"] for c in again["clusters"]][:3] == [
        c["statement"] for c in original["clusters"][:3]
    ]
    assert all(c["statement"] for c in again["clusters"][:3])
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
    for command in ("serve", "export", "import", "boards", "backup", "restore", "delete"):
        assert command in done.stdout


# -- damaged, missing and restored databases ------------------------------------------------


def _damage(db: Path, kind: str) -> None:
    """Spoil a good database as a disk, a copy or a careless operator would."""
    if kind == "empty":
        db.write_bytes(b"")
    elif kind == "not sqlite":
        db.write_text("id,title\n1,Workshop\n", encoding="utf-8")
    elif kind == "truncated":
        db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    elif kind == "overwritten":
        # 8 KB of noise over two pages in the middle of the file.
        with db.open("r+b") as file:
            file.seek(db.stat().st_size // 2 // 4096 * 4096)
            file.write(os.urandom(8192))


@pytest.mark.parametrize(
    ("kind", "fault"),
    [
        ("empty", "is empty (0 bytes), not a Samsyn database"),
        ("not sqlite", "is not a SQLite database"),
        ("truncated", "is truncated"),
        ("overwritten", "is damaged"),
    ],
)
def test_a_damaged_database_is_refused_with_one_line_and_exit_2(
    tmp_path: Path, kind: str, fault: str
) -> None:
    db = tmp_path / "samsyn.db"
    import_demo(db)
    _damage(db, kind)
    spoiled = db.read_bytes()
    for args in (["serve", "--port", "1"], ["boards"], ["export", "x", "--format", "md"]):
        done = samsyn(*args, "--db", str(db))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith(f"samsyn: {db} {fault}"), (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        if kind != "not sqlite":
            assert "samsyn restore --from BACKUP" in done.stderr
        assert done.stdout == ""
    # Nothing was written into it: no empty start over the operator's data.
    assert db.read_bytes() == spoiled


def test_serve_makes_a_missing_database_only_when_asked(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    done = samsyn("serve", "--port", "1", "--db", str(db))
    assert done.returncode == 2
    assert done.stderr == (
        f"samsyn: expected a Samsyn database at {db}, found no file"
        " (pass --create to start a new one there)\n"
    )
    assert not db.exists()
    server = ServerProcess(db).start()  # with --create
    try:
        assert httpx.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        server.stop()
    assert "creating a new one" in server.log.read_text()
    assert samsyn("boards", "--db", str(db)).stdout == "id\tcreated\tjoin code\ttitle\n"


def _titles(db: Path) -> list[str]:
    listing = samsyn("boards", "--db", str(db))
    assert listing.returncode == 0, listing.stderr
    return [row.split("\t")[3] for row in listing.stdout.splitlines()[1:]]


def test_backup_then_restore_over_a_damaged_database(tmp_path: Path) -> None:
    db = tmp_path / "samsyn.db"
    board_id, _, _ = import_demo(db)
    backup = tmp_path / "nightly.db"
    done = samsyn("backup", "-o", str(backup), "--db", str(db))
    assert done.returncode == 0, done.stderr
    # After the backup: a board that the restore will take back, then damage.
    created = samsyn("import", str(DEMO), "--db", str(db))
    assert created.returncode == 0 and len(_titles(db)) == 2
    _damage(db, "overwritten")
    assert samsyn("boards", "--db", str(db)).returncode == 2

    done = samsyn("restore", "--from", str(backup), "--db", str(db))
    assert done.returncode == 0, done.stderr
    kept = re.search(r"kept as (\S+);", done.stdout)
    assert done.stdout.startswith(f"restored {db} from {backup} (1 boards)\n") and kept
    assert _titles(db) == ["Stadsbiblioteket Norrköping, dag 1–2"]
    assert board_id in samsyn("boards", "--db", str(db)).stdout
    exported = samsyn("export", board_id, "--format", "md", "-o", "-", "--db", str(db))
    assert exported.stdout.startswith("# Målbild 0.5 — Stadsbiblioteket Norrköping, dag 1–2\n")
    # The replaced file is kept, as it was, for whoever wants to look into it.
    assert samsyn("boards", "--db", kept.group(1)).returncode == 2
    assert not [p for p in tmp_path.iterdir() if ".restore." in p.name]

    # The restored server starts and serves the board.
    server = ServerProcess(db, args=["--db", str(db)]).start()
    try:
        assert httpx.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}
        page = httpx.get(f"{server.url}/b/{board_id}/export.md", timeout=10)
        assert page.status_code == 401  # there, and closed to strangers
    finally:
        server.stop()


def test_restore_refuses_a_bad_backup_and_a_served_database(tmp_path: Path) -> None:
    db = tmp_path / "samsyn.db"
    import_demo(db)
    original = db.read_bytes()
    bad = tmp_path / "bad-backup.db"
    bad.write_bytes(original[: len(original) // 2])
    done = samsyn("restore", "--from", str(bad), "--db", str(db))
    assert done.returncode == 2
    assert done.stderr.startswith(f"samsyn: the backup is not usable: {bad} is truncated")
    missing = samsyn("restore", "--from", str(tmp_path / "none.db"), "--db", str(db))
    assert missing.returncode == 2 and "found none" in missing.stderr
    assert db.read_bytes() == original

    good = tmp_path / "good-backup.db"
    assert samsyn("backup", "-o", str(good), "--db", str(db)).returncode == 0
    server = ServerProcess(db).start()
    try:
        done = samsyn("restore", "--from", str(good), "--db", str(db))
        assert done.returncode == 2
        assert done.stderr == (
            f"samsyn: {db} is in use by a running `samsyn serve`:"
            " stop it before restoring a backup over it\n"
        )
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        server.stop()


def test_delete_removes_a_board_and_its_names_for_good(tmp_path: Path) -> None:
    db = tmp_path / "samsyn.db"
    kept_id, _, _ = import_demo(db)
    server = ServerProcess(db).start()
    try:
        board = httpx.post(f"{server.url}/api/boards", json={"title": "Gallring"}, timeout=10)
        assert board.status_code == 201
        gone = board.json()
        joined = httpx.post(
            f"{server.url}/api/boards/{gone['id']}/participants",
            json={"name": "Ingegerd Zetterqvist", "join_code": gone["join_code"]},
            timeout=10,
        )
        assert joined.status_code == 201
        refused = samsyn("delete", gone["id"], "--db", str(db))
        assert refused.returncode == 2 and "in use by a running `samsyn serve`" in refused.stderr
    finally:
        server.stop()
    done = samsyn("delete", gone["id"], "--db", str(db))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"deleted board {gone['id']} (Gallring) from {db}:"
    assert "  participants (names): 1" in lines and "  checkpoints: 0" in lines
    assert [t for t in _titles(db)] == ["Stadsbiblioteket Norrköping, dag 1–2"]
    assert kept_id in samsyn("boards", "--db", str(db)).stdout
    # Vacuumed: the name is in none of the file's bytes, nor its WAL.
    for path in tmp_path.iterdir():
        if path.name.startswith("samsyn.db"):
            assert b"Zetterqvist" not in path.read_bytes(), path
    again = samsyn("delete", gone["id"], "--db", str(db))
    assert again.returncode == 2 and "no board" in again.stderr
