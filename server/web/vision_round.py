"""The målbild on every board: the writing round, part edits, and the library's logo."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from boards.vision_logo import MAX_LOGO_BYTES
from server.errors import TooLarge, WrongMediaType
from server.services import vision, vision_logo, vision_round
from server.web.deps import board_call, json_body, read_body

_LOGO_TYPES = ("image/png", "image/jpeg")


async def get_round(request: Request) -> Response:
    """GET /api/boards/{id}/vision/round: which parts this board's participants may write."""
    call = await board_call(request)
    return JSONResponse(await vision_round.round_state(call.services.rooms, call.board))


async def post_round(request: Request) -> Response:
    """POST /api/boards/{id}/vision/round `{"open": bool, "parts": [part, ...]}`."""
    call = await board_call(request, facilitator=True)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    body = await json_body(request)
    state = await vision_round.set_round(store, call.services.rooms, call.board, record, body)
    return JSONResponse(state)


async def put_part(request: Request) -> Response:
    """PUT /api/boards/{id}/vision/part `{"part", "item"?, "base", "text"}`.

    403 when the part is not open to the caller, 409 `part_changed` with `current` (the
    part's text now) when someone saved it since `base`.
    """
    call = await board_call(request)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    body = await json_body(request)
    try:
        await vision_round.save_part(
            store, call.services.rooms, call.board, call.principal, record, body
        )
    except vision_round.PartChanged as exc:
        return JSONResponse(
            {"error": exc.code, "detail": exc.detail, "current": exc.current}, status_code=409
        )
    return JSONResponse(await vision.view(store, await vision.of_board(store, call.board.id)))


async def put_logo(request: Request) -> Response:
    """PUT /api/boards/{id}/vision/logo: the image as the body (image/png or image/jpeg)."""
    call = await board_call(request, facilitator=True)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared not in _LOGO_TYPES:
        raise WrongMediaType(
            "unsupported_media_type",
            f"expected the logo as image/png or image/jpeg, got {declared or 'none'!r}",
        )
    try:
        data = await read_body(request, MAX_LOGO_BYTES)
    except TooLarge:
        limit = MAX_LOGO_BYTES // 1024
        raise TooLarge(
            "logo_too_large", f"expected a logo of at most {limit} KiB; make the image smaller"
        ) from None
    media_type = await vision_logo.set_logo(store, record, data)
    return JSONResponse({"media_type": media_type, "bytes": len(data)}, status_code=201)


async def delete_logo(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    record = await vision.of_board(call.services.store, call.board.id)
    await vision_logo.remove_logo(call.services.store, record)
    return JSONResponse({"removed": True})


async def get_logo(request: Request) -> Response:
    """GET /b/{id}/vision/logo: the logo image (404 when there is none)."""
    call = await board_call(request)
    record = await vision.of_board(call.services.store, call.board.id)
    media_type, data = await vision_logo.require_logo(call.services.store, record)
    headers = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
    return Response(data, media_type=media_type, headers=headers)


routes = [
    Route("/api/boards/{board_id}/vision/round", get_round, methods=["GET"]),
    Route("/api/boards/{board_id}/vision/round", post_round, methods=["POST"]),
    Route("/api/boards/{board_id}/vision/part", put_part, methods=["PUT"]),
    Route("/api/boards/{board_id}/vision/logo", put_logo, methods=["PUT"]),
    Route("/api/boards/{board_id}/vision/logo", delete_logo, methods=["DELETE"]),
    Route("/b/{board_id}/vision/logo", get_logo),
]
