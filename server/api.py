"""JSON routes: boards, participants, health and metrics."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.auth import Principal, authenticate, cookie_name, credential, normalize_join_code
from server.errors import ApiError
from server.ratelimit import FailureLimiter
from server.registry import NewBoard, create_board, create_participant
from server.settings import Settings
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

# Request bodies of the JSON API are small; refuse anything larger before parsing.
MAX_JSON_BYTES = 64 * 1024
COOKIE_MAX_AGE = 60 * 60 * 24 * 30


async def read_json(request: Request) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"request body over {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"expected a JSON object: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", f"expected a JSON object, got {type(data).__name__}")
    return data


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
    board = new.record
    return {
        "id": board.id,
        "title": board.title,
        "facilitator_key": new.facilitator_key,
        "join_code": board.join_code,
        "urls": board_urls(request, new),
    }


def set_board_cookie(
    response: Response, settings: Settings, board_id: str, secret: str, *, name: str | None = None
) -> None:
    response.set_cookie(
        name or cookie_name(board_id),
        secret,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


async def get_board_or_404(store: Store, board_id: str) -> BoardRecord:
    board = await store.get_board(board_id)
    if board is None:
        raise ApiError(404, "board_not_found", f"no board {board_id!r}")
    return board


async def require_principal(
    request: Request, board: BoardRecord, *, facilitator: bool = False
) -> Principal:
    """The caller on `board`: 401 without valid credentials, 403 if not the facilitator."""
    store: Store = request.app.state.store
    secret = credential(request.headers, request.query_params, request.cookies, board.id)
    principal = await authenticate(store, board, secret)
    if principal is None:
        detail = "unknown credentials" if secret else "a token or facilitator key is required"
        raise ApiError(401, "unauthorized", detail)
    if facilitator and not principal.is_facilitator:
        raise ApiError(403, "forbidden", "only the facilitator may do this")
    return principal


async def post_board(request: Request) -> Response:
    data = await read_json(request)
    new = await create_board(
        request.app.state.store, data.get("title"), data.get("template"), data.get("language")
    )
    return JSONResponse(board_created(request, new), status_code=201)


async def post_participant(request: Request) -> Response:
    store: Store = request.app.state.store
    board = await get_board_or_404(store, request.path_params["board_id"])
    data = await read_json(request)
    limiter: FailureLimiter = request.app.state.join_limiter
    client = request.client.host if request.client else "unknown"
    wait = limiter.retry_after(client)
    if wait:
        raise ApiError(429, "too_many_attempts", f"too many wrong join codes; retry in {wait} s")
    code = data.get("join_code")
    if not isinstance(code, str) or normalize_join_code(code) != board.join_code:
        limiter.failed(client)
        raise ApiError(403, "wrong_join_code", "the join code does not match this board")
    new = await create_participant(store, board, data.get("name"))
    response = JSONResponse(
        {"participant_id": new.record.id, "token": new.token, "name": new.record.name},
        status_code=201,
    )
    set_board_cookie(response, request.app.state.settings, board.id, new.token)
    return response


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    """Prometheus text format: rooms, connections, loads and unloads of this process."""
    rooms: Rooms = request.app.state.rooms
    lines = [
        "# TYPE samsyn_rooms gauge",
        f"samsyn_rooms {len(rooms)}",
        "# TYPE samsyn_connections gauge",
        f"samsyn_connections {rooms.connection_count}",
        "# TYPE samsyn_room_loads_total counter",
        f"samsyn_room_loads_total {rooms.loads}",
        "# TYPE samsyn_room_unloads_total counter",
        f"samsyn_room_unloads_total {rooms.unloads}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


routes = [
    Route("/healthz", healthz),
    Route("/metrics", metrics),
    Route("/api/boards", post_board, methods=["POST"]),
    Route("/api/boards/{board_id}/participants", post_participant, methods=["POST"]),
]
