"""The README documents every CLI command and every route."""

from __future__ import annotations

import re

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from server.app import create_app
from server.cli import build_parser
from server.settings import Settings
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _paths(routes: list[BaseRoute]) -> list[str]:
    paths = []
    for route in routes:
        if isinstance(route, (Route, WebSocketRoute)):
            paths.append(route.path)
        elif isinstance(route, Mount):
            paths.append(route.path + "/")
    return paths


def test_every_route_is_in_the_readme() -> None:
    app = create_app(Settings())
    documented = set(re.findall(r"(/[^\s`?…,]*)", README))
    missing = [
        p
        for p in _paths(app.routes)
        if p.replace("{board_id}", "{id}").replace("{checkpoint_id}", "{cid}") not in documented
    ]
    assert not missing, f"routes missing from README.md: {missing}"


def test_every_cli_command_is_in_the_readme() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"`samsyn {name}" not in README]
    assert not missing, f"CLI commands missing from README.md: {missing}"


def test_every_setting_is_in_the_readme() -> None:
    names = [f"SAMSYN_{f.upper()}" for f in Settings.__dataclass_fields__]
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing, f"settings missing from README.md: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    assert "make run" in first_block.group(1) and "make test" in first_block.group(1)
