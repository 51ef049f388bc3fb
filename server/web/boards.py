"""JSON routes that make boards and participants."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.errors import NotAllowed, TooManyAttempts
from server.services.principals import normalize_join_code
from server.services.registry import create_board, create_participant
from server.web.deps import board_of, json_body, services
from server.web.ownership import creation_org, own
from server.web.responses import board_created, set_board_cookie


async def post_board(request: Request) -> Response:
    data = await json_body(request)
    org = await creation_org(request, data.get("org"))
    new = await create_board(
        services(request).store, data.get("title"), data.get("template"), data.get("language")
    )
    await own(request, new.record.id, org)
    return JSONResponse(board_created(request, new), status_code=201)


async def post_participant(request: Request) -> Response:
    app = services(request)
    board = await board_of(request)
    data = await json_body(request)
    client = request.client.host if request.client else "unknown"
    wait = app.join_limiter.retry_after(client)
    if wait:
        raise TooManyAttempts("too_many_attempts", f"too many wrong join codes; retry in {wait} s")
    code = data.get("join_code")
    if not isinstance(code, str) or normalize_join_code(code) != board.join_code:
        app.join_limiter.failed(client)
        raise NotAllowed("wrong_join_code", "the join code does not match this board")
    new = await create_participant(app.store, board, data.get("name"))
    response = JSONResponse(
        {"participant_id": new.record.id, "token": new.token, "name": new.record.name},
        status_code=201,
    )
    set_board_cookie(response, app.settings, board.id, new.token)
    return response


routes = [
    Route("/api/boards", post_board, methods=["POST"]),
    Route("/api/boards/{board_id}/participants", post_participant, methods=["POST"]),
]
