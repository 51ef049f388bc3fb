"""JSON routes that make boards and participants."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import NotAllowed
from server.services.principals import Role, normalize_join_code
from server.services.registry import create_board, create_participant
from server.web.deps import board_of, json_body, services
from server.web.gates import (
    admit_join,
    code_worked,
    join_failed,
    require_create_token,
    spend_board_quota,
)
from server.web.ownership import creation_org, own
from server.web.responses import board_created, set_board_cookie


async def post_board(request: Request) -> Response:
    data = await json_body(request)
    org = await creation_org(request, data.get("org"))
    require_create_token(request)
    spend_board_quota(request)
    new = await create_board(
        services(request).store, data.get("title"), data.get("template"), data.get("language")
    )
    await own(request, new.record.id, org)
    return JSONResponse(board_created(request, new), status_code=201)


async def post_participant(request: Request) -> Response:
    app = services(request)
    board = await board_of(request)
    data = await json_body(request)
    code = data.get("join_code")
    right = isinstance(code, str) and normalize_join_code(code) == board.join_code
    admit_join(request, board.id if right else None)
    if not right:
        join_failed(request)
        raise NotAllowed("wrong_join_code", "the join code does not match this board")
    code_worked(request, board.id)
    new = await create_participant(app.store, board, data.get("name"))
    response = JSONResponse(
        {"participant_id": new.record.id, "token": new.token, "name": new.record.name},
        status_code=201,
    )
    set_board_cookie(response, app.settings, board.id, new.token, Role.PARTICIPANT)
    return response


routes = [
    Route("/api/boards", post_board, methods=["POST"]),
    Route("/api/boards/{board_id}/participants", post_participant, methods=["POST"]),
]
