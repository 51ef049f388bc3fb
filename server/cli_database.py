"""The operator's commands on the database file itself: `samsyn restore` and `samsyn delete`.

Both refuse while a `samsyn serve` holds the file: a restore would swap the file under
the server's open connections, and a board deleted beside a server that has it loaded
would be written back by it. A refusal raises `DatabaseFileError`, shown as
"samsyn: <message>" with exit code 2, as the other offline tools.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from server.app import room_config
from server.services.erasure import delete_board
from server.settings import Settings
from server.store import SqliteStore
from server.store.integrity import DatabaseFileError, check_database, unserved
from server.sync.rooms import Rooms


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def _copy(source: Path, target: Path) -> None:
    """SQLite's backup API from `source` into the new file `target` (one consistent file)."""
    src = _read_only(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def cmd_restore(args: argparse.Namespace, db: Path) -> int:
    """Check the backup, then swap it in for `db` in one rename; the old file is kept."""
    backup: Path = args.source
    if not backup.is_file():
        raise DatabaseFileError(f"expected a backup file at {backup}, found none")
    if db.exists() and backup.resolve() == db.resolve():
        raise DatabaseFileError(f"expected a backup other than the database itself, got {backup}")
    try:
        check_database(backup)
    except DatabaseFileError as exc:
        raise DatabaseFileError(f"the backup is not usable: {exc}") from None
    db.parent.mkdir(parents=True, exist_ok=True)
    with unserved(db, "restoring a backup over it"):
        fd, tmp_name = tempfile.mkstemp(prefix=f".{db.name}.restore.", dir=db.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _copy(backup, tmp)
            kept = _set_aside(db)
            # One rename: the database is the old file or the backup, never half of each.
            tmp.replace(db)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseFileError(f"cannot restore {backup} over {db}: {exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
    conn = _read_only(db)
    try:
        boards = conn.execute("SELECT count(*) FROM boards").fetchone()[0]
    finally:
        conn.close()
    print(f"restored {db} from {backup} ({boards} boards)")
    if kept is not None:
        print(f"the replaced database is kept as {kept}; delete it once you no longer need it")
    return 0


def _set_aside(db: Path) -> Path | None:
    """Move the current database's -wal and -shm away (SQLite would replay that WAL into
    the restored file) and hard-link the file itself to a dated name; None if no file."""
    if not db.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = db.with_name(f"{db.name}.replaced-{stamp}")
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        wal.replace(kept.with_name(kept.name + "-wal"))
    db.with_name(db.name + "-shm").unlink(missing_ok=True)
    os.link(db, kept)
    return kept


async def _delete(db: Path, board_id: str) -> tuple[str, dict[str, int]] | None:
    async with SqliteStore(db) as store, Rooms(store, room_config(Settings())) as rooms:
        board = await store.get_board(board_id)
        if board is None:
            return None
        counts = await store.board_footprint(board_id)
        await delete_board(store, rooms, board)
        return board.title, counts


def cmd_delete(args: argparse.Namespace, db: Path) -> int:
    """Delete a board for good and say what went."""
    with unserved(db, "deleting a board (or delete it in the board's panel)"):
        found = asyncio.run(_delete(db, args.board))
    if found is None:
        raise DatabaseFileError(f"no board {args.board!r} in {db} (`samsyn boards` lists them)")
    title, counts = found
    print(f"deleted board {args.board} ({title}) from {db}:")
    for kind, count in counts.items():
        print(f"  {kind}: {count}")
    print("the file was vacuumed: the text is gone from its bytes; backups made before keep it")
    return 0


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    db_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    restore = commands.add_parser(
        "restore", help="replace the database by a backup (checked first; the server stopped)"
    )
    restore.add_argument(
        "--from", dest="source", type=Path, required=True, help="backup file (`samsyn backup`)"
    )
    db_option(restore)
    restore.set_defaults(db_handler=cmd_restore, db_replaced=True)

    delete = commands.add_parser(
        "delete", help="delete a board for good: its docs, drafts, checkpoints, votes, names"
    )
    delete.add_argument("board", help="board id (`samsyn boards` lists them)")
    db_option(delete)
    delete.set_defaults(db_handler=cmd_delete)
