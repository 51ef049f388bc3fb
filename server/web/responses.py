"""Answers shared by several routes: a new board as JSON, the board cookies."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.services.principals import Role
from server.services.registry import NewBoard
from server.settings import Settings
from server.web.auth import cookie_name

COOKIE_MAX_AGE = 60 * 60 * 24 * 30


def board_urls(request: Request, new: NewBoard) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    board = new.record
    return {
        "board": f"{base}/b/{board.id}",
        "join": f"{base}/j/{board.join_code}",
        "wall": f"{base}/b/{board.id}/wall?key={new.wall_key}",
        "facilitator": f"{base}/b/{board.id}?key={new.facilitator_key}",
    }


def board_created(request: Request, new: NewBoard) -> dict[str, Any]:
    """The 201 body of every route that makes a board (create, import, fork, continue)."""
    board = new.record
    return {
        "id": board.id,
        "title": board.title,
        "facilitator_key": new.facilitator_key,
        "join_code": board.join_code,
        "urls": board_urls(request, new),
    }


def set_board_cookie(
    response: Response, settings: Settings, board_id: str, secret: str, role: Role
) -> None:
    """The cookie of `role` on the board; each role has its own, none replaces another."""
    response.set_cookie(
        cookie_name(role, board_id),
        secret,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
