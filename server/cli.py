"""The `samsyn` command."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import uvicorn

from server.app import create_app
from server.settings import Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings.from_env().with_overrides(host=args.host, port=args.port, db=args.db)
        settings.validate()
    except SettingsError as exc:
        print(f"samsyn: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Frames up to twice our limit reach the room, which closes with a reason;
        # bigger ones are cut off by the websocket layer itself, also with 1009.
        ws_max_size=2 * settings.max_message_bytes,
        ws_per_message_deflate=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samsyn", description="Samsyn workshop board server")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the web app and the sync endpoint")
    serve.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument("--db", type=Path, help="SQLite database file (default data/samsyn.db)")
    serve.set_defaults(handler=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
