"""The `samsyn` command: serve, and the offline tools export, import, boards, backup,
restore and delete.

The offline tools open the store directly, through the `Store` interface: the SQLite
file (no server needed, and safe while one runs: WAL lets readers in, and writes wait
for the server's commits), or PostgreSQL when `--db` is a postgresql:// URL or
SAMSYN_DATABASE_URL is set (the processes serving it pick up what the tools write
from the log). They exit with 2 and a one-line message on stderr when the input is
wrong, and so does every command on a database file that is missing, empty, not
SQLite, truncated or damaged: never a traceback, never a new empty database in its place.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from boards.export import FORMATS, render
from boards.export.outline import DEFAULT_TZ
from server.app import create_app
from server.cli_accounts import AccountCliError, add_commands
from server.cli_database import add_commands as add_database_commands
from server.errors import SamsynError, Unavailable
from server.services.access import rekey_facilitator
from server.services.docs import board_view, import_board, stored_doc
from server.settings import Settings, SettingsError
from server.storage import offline_store
from server.store import is_postgres_url
from server.store.integrity import (
    RESTORE_HINT,
    DatabaseFileError,
    check_database,
    inspect_file,
    is_damage,
    quick_check,
)


class CliError(Exception):
    """Bad input to a command; printed as "samsyn: <message>" with exit code 2."""


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env().with_overrides(
            host=args.host, port=args.port, redis_url=args.redis
        )
        if args.db is not None:
            # --db takes a file or a postgresql:// URL (which a Path would mangle).
            if args.db.startswith(("postgresql://", "postgres://")):
                settings = settings.with_overrides(database_url=args.db)
            else:
                settings = settings.with_overrides(db=Path(args.db), database_url="")
        settings.validate()
    except SettingsError as exc:
        print(f"samsyn: {exc}", file=sys.stderr)
        return 2
    if not settings.database_url:
        # Only the default path is made on first start unasked: a path that was given
        # and is not there is more likely a typo than a wish for a new, empty server.
        explicit = args.db is not None or "SAMSYN_DB" in os.environ
        _check_before_serving(
            settings.db, create=args.create or not explicit, quick=settings.check_db_on_start
        )
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        **uvicorn_options(settings),
    )
    server = uvicorn.Server(config)
    _tune_gc()
    server.run()
    # The lifespan failed (uvicorn logged why): the exit code uvicorn's own CLI uses.
    return 0 if server.started else 3


def _tune_gc() -> None:
    """Collect garbage less often than CPython's default, for a server with thousands of
    live objects per board and socket.

    The default runs a young collection every 700 allocations, and each older one
    traverses every object that survived: with 1,000 sockets open that took about a
    fifth of the CPU of their joins (bench (h), py-spy). Everything imported at start is
    frozen out of the collections, and a young collection waits for 10,000 allocations:
    (h) went from 300 to 265 µs of CPU per delivery and from 0.9 to 0.7 ms per join,
    for about 1 MB more memory (cycles live a little longer before they are freed)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _check_before_serving(path: Path, *, create: bool, quick: bool) -> None:
    if not path.exists():
        if not create:
            raise CliError(
                f"expected a Samsyn database at {path}, found no file"
                " (pass --create to start a new one there)"
            )
        print(f"samsyn: no database at {path}; creating a new one", file=sys.stderr)
        return
    try:
        inspect_file(path)
        if quick:
            quick_check(path)
    except DatabaseFileError as exc:
        raise CliError(str(exc)) from None


class _HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline for a request's headers.

    uvicorn arms its keep-alive timeout only after a response, so a connection that
    sends nothing, or headers a byte at a time, is held for as long as the client likes
    (800 of them were held 25 s). Here the headers must be complete within
    `timeout_keep_alive` of the connection (SAMSYN_HTTP_KEEPALIVE_S).
    """

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._header_deadline = self.loop.call_later(self.timeout_keep_alive, self._too_slow)

    def on_headers_complete(self) -> None:
        self._cancel_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _cancel_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's limits for `samsyn serve` (and the tests' in-process servers)."""
    return {
        # Frames up to twice our limit (or a whole sync step 2) reach the room, which
        # closes with a reason; bigger ones are cut off by the websocket layer, also 1009.
        "ws_max_size": max(2 * settings.max_message_bytes, settings.max_sync_bytes + 16),
        "ws_per_message_deflate": False,
        # The sans-I/O protocol, named rather than "auto": big frames are written to its
        # transport in fragments from shared bytes (server/sync/fragments.py).
        "ws": "websockets-sansio",
        "timeout_keep_alive": settings.http_keepalive_s,
        "http": _HttpProtocol,
        # SIGTERM: connections still open after this are cancelled, then the lifespan
        # saves every board; a client that never reads cannot hold the exit up.
        "timeout_graceful_shutdown": settings.shutdown_grace_s,
        "lifespan": "on",
        "loop": settings.event_loop,
    }


# -- offline tools ------------------------------------------------------------------------


def _db_path(
    args: argparse.Namespace, *, must_exist: bool = True, check: bool = True
) -> Path | str:
    """The database of an offline tool: --db (a file or a postgresql:// URL), else
    SAMSYN_DATABASE_URL, else SAMSYN_DB (data/samsyn.db)."""
    given: str | None = args.db
    if given is not None and is_postgres_url(given):
        return given
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise CliError(str(exc)) from None
    if given is None and settings.database_url:
        return settings.database_url
    path = Path(given) if given is not None else settings.db
    if must_exist and not path.is_file():
        raise CliError(f"expected a Samsyn database at {path}, found no file (see --db)")
    if check and path.exists():
        try:
            # Every page, as `serve` does at start (57 MB: 0.06 s cached, 1.4 s cold):
            # a damaged file is named before a command half-reads it or writes into it.
            check_database(path)
        except DatabaseFileError as exc:
            raise CliError(str(exc)) from None
    return path


def _where(target: Path | str) -> str:
    # Never the URL itself: it may hold a password.
    return "the PostgreSQL database" if isinstance(target, str) else str(target)


async def _export(path: Path | str, board_id: str, fmt: str, authors: bool) -> tuple[bytes, str]:
    async with offline_store(path) as store:
        record = await store.get_board(board_id)
        if record is None:
            raise CliError(f"no board {board_id!r} in {_where(path)} (`samsyn boards` lists them)")
        doc = await stored_doc(store, record.id)
        board = await board_view(store, record, doc)
    rendered = render(board, fmt, authors=authors)
    return rendered.content, rendered.filename


def _cmd_export(args: argparse.Namespace) -> int:
    fmt = args.format
    if fmt is None and args.output is not None and args.output != "-":
        fmt = Path(args.output).suffix.lstrip(".").lower() or None
    if fmt not in FORMATS:
        raise CliError(f"expected --format one of {', '.join(FORMATS)}, got {fmt!r}")
    content, filename = asyncio.run(_export(_db_path(args), args.board, fmt, args.authors))
    if args.output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output or filename)
    try:
        target.write_bytes(content)
    except OSError as exc:
        raise CliError(f"cannot write {target}: {exc.strerror}") from None
    print(f"wrote {target} ({len(content)} bytes)", file=sys.stderr)
    return 0


async def _import(path: Path | str, data: object) -> tuple[str, str, str]:
    async with offline_store(path) as store:
        try:
            new = await import_board(store, data)
        except SamsynError as exc:
            raise CliError(exc.detail) from None
    return new.record.id, new.record.join_code, new.facilitator_key


def _cmd_import(args: argparse.Namespace) -> int:
    source: Path = args.file
    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {source}: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(f"expected {source} to be a Samsyn JSON export: {exc}") from None
    board_id, join_code, key = asyncio.run(_import(_db_path(args, must_exist=False), data))
    print(f"board:       {board_id}")
    print(f"join code:   {join_code}")
    print(f"facilitator: /b/{board_id}?key={key}")
    return 0


async def _list(path: Path | str) -> list[tuple[str, str, str, str]]:
    async with offline_store(path) as store:
        records = await store.list_boards()
    return [
        (
            r.id,
            datetime.fromtimestamp(r.created / 1000, DEFAULT_TZ).strftime("%Y-%m-%d %H:%M"),
            r.join_code,
            r.title,
        )
        for r in records
    ]


def _cmd_boards(args: argparse.Namespace) -> int:
    rows = asyncio.run(_list(_db_path(args)))
    print("id\tcreated\tjoin code\ttitle")
    for row in rows:
        print("\t".join(row))
    return 0


async def _rekey(path: Path | str, board_id: str) -> str:
    async with offline_store(path) as store:
        try:
            return await rekey_facilitator(store, board_id)
        except SamsynError:
            raise CliError(
                f"no board {board_id!r} in {_where(path)} (`samsyn boards` lists them)"
            ) from None


def _cmd_rekey(args: argparse.Namespace) -> int:
    key = asyncio.run(_rekey(_db_path(args), args.board))
    # The key is shown once: only its hash is stored, so print it and nothing else to stdout.
    print(f"facilitator: /b/{args.board}?key={key}")
    print(
        "the old facilitator link no longer works; sockets open with it close when they reconnect",
        file=sys.stderr,
    )
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    source = _db_path(args)
    if isinstance(source, str):
        raise CliError(
            "backup copies a SQLite file; for PostgreSQL use its own tool, e.g."
            " `pg_dump --format=custom --file=samsyn.dump <database URL>`"
            " (and pg_restore to bring it back)"
        )
    target: Path = args.output
    if target.resolve() == source.resolve():
        raise CliError(f"expected a backup file other than the database itself, got {target}")
    if not target.parent.is_dir():
        raise CliError(f"cannot write {target}: no directory {target.parent}")
    # Copy into a temporary file and rename it: an interrupted backup never looks complete.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                # The online backup API copies a consistent state while the server writes.
                src.backup(dst)
                # One self-contained file (no -wal beside it), which `restore` checks.
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        tmp.replace(target)
    except sqlite3.Error as exc:
        raise CliError(f"cannot back up {source}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    print(f"wrote {target} ({target.stat().st_size} bytes)", file=sys.stderr)
    return 0


# -- parser -------------------------------------------------------------------------------


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        help="SQLite database file or postgresql:// URL (default $SAMSYN_DATABASE_URL,"
        " else $SAMSYN_DB or data/samsyn.db)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samsyn", description="Samsyn workshop board server")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app and the sync endpoint")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--db",
        help="SQLite database file (default data/samsyn.db), or a postgresql:// URL"
        " to share the boards among several processes",
    )
    serve.add_argument(
        "--redis", help="redis:// URL relaying updates and presence between processes"
    )
    serve.add_argument(
        "--create",
        action="store_true",
        help="make a new database if the --db file does not exist (the default path always is)",
    )
    serve.set_defaults(handler=_serve)

    export = commands.add_parser("export", help="write a board's Målbild 0.5 document")
    export.add_argument("board", help="board id (`samsyn boards` lists them)")
    export.add_argument(
        "--format", "-f", choices=FORMATS, help="document format (default: from -o's suffix)"
    )
    export.add_argument(
        "-o", "--output", help="file to write, - for stdout (default: the document's name)"
    )
    export.add_argument(
        "--authors", action="store_true", help="name each note's author (never on anonymous boards)"
    )
    _db_option(export)
    export.set_defaults(handler=_cmd_export)

    import_ = commands.add_parser("import", help="make a new board from a JSON export")
    import_.add_argument("file", type=Path, help="a JSON export (export.json), - for stdin")
    _db_option(import_)
    import_.set_defaults(handler=_cmd_import)

    boards = commands.add_parser("boards", help="list the boards: id, created, join code, title")
    _db_option(boards)
    boards.set_defaults(handler=_cmd_boards)

    rekey = commands.add_parser(
        "rekey", help="issue a new facilitator key for a board (the old one stops working)"
    )
    rekey.add_argument("board", help="board id (`samsyn boards` lists them)")
    _db_option(rekey)
    rekey.set_defaults(handler=_cmd_rekey)

    backup = commands.add_parser("backup", help="copy the database safely, even while serving")
    backup.add_argument("-o", "--output", type=Path, required=True, help="backup file to write")
    _db_option(backup)
    backup.set_defaults(handler=_cmd_backup)

    add_commands(commands, _db_option)
    add_database_commands(commands, _db_option)
    return parser


def _cmd_accounts(args: argparse.Namespace) -> int:
    try:
        code: int = args.account_handler(args, _db_path(args, must_exist=False))
    except AccountCliError as exc:
        raise CliError(str(exc)) from None
    return code


def _cmd_database(args: argparse.Namespace) -> int:
    # `restore` replaces the file: it may be missing or damaged, that is why it runs.
    replaced = getattr(args, "db_replaced", False)
    path = _db_path(args, must_exist=not replaced, check=not replaced)
    if isinstance(path, str):
        raise CliError(
            f"`samsyn {args.command}` works on a SQLite file; on PostgreSQL use pg_restore,"
            " or DELETE /api/boards/{id} to delete a board for good"
        )
    code: int = args.db_handler(args, path)
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler if hasattr(args, "handler") else _cmd_accounts
    if hasattr(args, "db_handler"):
        handler = _cmd_database
    try:
        code: int = handler(args)
    except (CliError, DatabaseFileError) as exc:
        print(f"samsyn: {exc}", file=sys.stderr)
        return 2
    except (sqlite3.DatabaseError, Unavailable) as exc:
        # Damage the header did not show, met mid-command (a page overwritten).
        detail = exc.detail if isinstance(exc, Unavailable) else str(exc)
        if is_damage(exc):
            detail += f"; {RESTORE_HINT}"
        where = getattr(args, "db", None) or "the database"
        print(f"samsyn: cannot use {where}: {detail}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
