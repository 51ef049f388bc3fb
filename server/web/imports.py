"""Boards made from data: import of a JSON export, bulk notes, the next board of the journey."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.services.docs import import_board
from server.services.journey import add_bulk_notes, continue_board
from server.services.vision import adopt
from server.web.deps import (
    board_call,
    json_body,
    json_object,
    parse_json,
    read_body,
    require_json,
    services,
)
from server.web.gates import require_create_token, spend_board_quota
from server.web.responses import board_created

# 500 notes of 2000 characters each, as JSON, with room for escapes.
MAX_BULK_BYTES = 2 * 1024 * 1024


async def post_import(request: Request) -> Response:
    """POST /api/boards/import: a JSON export becomes a new board."""
    require_json(request)
    require_create_token(request)
    spend_board_quota(request, imported=True)
    body = await read_body(request, services(request).settings.max_import_bytes)
    new = await import_board(services(request).store, parse_json(body, "a Samsyn JSON export"))
    return JSONResponse(board_created(request, new), status_code=201)


async def post_bulk_notes(request: Request) -> Response:
    """POST /api/boards/{board_id}/notes/bulk: lines or a CSV become notes in a section."""
    call = await board_call(request, facilitator=True)
    require_json(request)
    data = json_object(parse_json(await read_body(request, MAX_BULK_BYTES), "an object"))
    ids = await add_bulk_notes(call.services.rooms, call.board, data)
    return JSONResponse({"created": len(ids), "ids": ids}, status_code=201)


async def post_continue(request: Request) -> Response:
    """POST /api/boards/{board_id}/continue: the staff's deepening board, or a plain copy."""
    call = await board_call(request, facilitator=True)
    data = await json_body(request)
    spend_board_quota(request)
    new = await continue_board(call.services.store, call.services.rooms, call.board, data)
    # The next board of the journey carries on the same målbild.
    await adopt(call.services.store, call.board.id, new.record.id)
    return JSONResponse(board_created(request, new), status_code=201)


routes = [
    Route("/api/boards/import", post_import, methods=["POST"]),
    Route("/api/boards/{board_id}/notes/bulk", post_bulk_notes, methods=["POST"]),
    Route("/api/boards/{board_id}/continue", post_continue, methods=["POST"]),
]
