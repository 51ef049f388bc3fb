"""JSON routes of the facilitator (phases, timer, voting, lock, reveal, follow, checkpoints)
and of participants (votes). The session doc is written here, never by clients."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from boards.facilitation import RuleError, check_phase, timer_after, voting_after
from server import checkpoints, voting
from server.api import board_created, get_board_or_404, read_json, require_principal
from server.auth import Principal
from server.drafts import Drafts
from server.errors import ApiError
from server.session import Session, now_ms, session_doc_name
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

Handler = Callable[[Request], Awaitable[Response]]
SessionChange = Callable[[Request, BoardRecord, Session, dict[str, Any]], Awaitable[None]]


def _state(request: Request) -> tuple[Store, Rooms]:
    return request.app.state.store, request.app.state.rooms


def _facilitator_route(change: SessionChange) -> Handler:
    """A facilitator POST that changes the session doc and answers with the new state."""

    async def endpoint(request: Request) -> Response:
        store, rooms = _state(request)
        board = await get_board_or_404(store, request.path_params["board_id"])
        await require_principal(request, board, facilitator=True)
        body = await read_json(request)
        async with rooms.use(session_doc_name(board.id)) as room:
            session = Session(room)
            try:
                await change(request, board, session, body)
            except RuleError as exc:
                raise ApiError(400, exc.code, exc.detail) from None
            await room.durable()
            return JSONResponse(session.state())

    return endpoint


async def _phase(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    name = check_phase(body.get("name"))
    previous = session.phase
    session.update("phase", {"name": name, "since": now_ms()})
    # Entering the vote phase opens the ballot; leaving it closes it and shows the result.
    if name == "vote" and previous != "vote":
        session.update("voting", {"open": True})
    elif previous == "vote" and name != "vote":
        session.update("voting", {"open": False})
    await voting.publish(request.app.state.store, board, session)
    _resync(request, board)


async def _timer(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    session.update("timer", timer_after(body, session.get("timer"), now_ms()))


async def _voting(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    store: Store = request.app.state.store
    voting_state = voting_after(body, session.get("voting"))
    if body.get("reset") is True:
        await store.clear_votes(board.id)
        voting_state["round"] = int(voting_state.get("round") or 0) + 1
    session.update("voting", voting_state)
    await voting.publish(store, board, session)


async def _lock(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    content = body.get("content")
    if not isinstance(content, bool):
        raise RuleError("invalid_field", "content must be true or false")
    session.update("lock", {"content": content})
    _resync(request, board)


def _resync(request: Request, board: BoardRecord) -> None:
    """Writing may be allowed again: let held-back edits of participants merge."""
    rooms: Rooms = request.app.state.rooms
    content = rooms.get(board.id)
    if content is not None:
        content.resync_refused()


async def _follow(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    active = body.get("active")
    if not isinstance(active, bool):
        raise RuleError("invalid_field", "active must be true or false")
    view: dict[str, Any] = {"active": active}
    for key in ("x", "y", "zoom"):
        value = body.get(key, session.get("follow").get(key))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleError("invalid_field", f"{key} must be a number")
        view[key] = float(value)
    if not 0.05 <= view["zoom"] <= 10:
        raise RuleError("invalid_field", "zoom must be between 0.05 and 10")
    session.update("follow", view)


async def _settings(
    request: Request, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    values: dict[str, Any] = {}
    for key in ("anonymous", "notes_while_voting"):
        if key in body:
            if not isinstance(body[key], bool):
                raise RuleError("invalid_field", f"{key} must be true or false")
            values[key] = body[key]
    if not values:
        raise RuleError("invalid_field", "expected anonymous or notes_while_voting")
    if "anonymous" in values:
        await request.app.state.store.set_board_flags(board.id, anonymous=values["anonymous"])
    session.update("board", values)


async def reveal(request: Request) -> Response:
    store, rooms = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, board, facilitator=True)
    drafts: Drafts = request.app.state.drafts
    result = await drafts.reveal(board)
    async with rooms.use(session_doc_name(board.id)) as room:
        return JSONResponse({**result, **Session(room).state()})


async def session_state(request: Request) -> Response:
    store, rooms = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, board)
    async with rooms.use(session_doc_name(board.id)) as room:
        return JSONResponse(Session(room).state())


def _voter(principal: Principal) -> str:
    if principal.participant_id is not None:
        return principal.participant_id
    if principal.is_facilitator:
        return voting.FACILITATOR_VOTER
    raise ApiError(403, "forbidden", "the wall cannot vote")


async def post_vote(request: Request) -> Response:
    store, rooms = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    principal = await require_principal(request, board)
    body = await read_json(request)
    try:
        result = await voting.cast(rooms, store, board, _voter(principal), body)
    except RuleError as exc:
        raise ApiError(400, exc.code, exc.detail) from None
    return JSONResponse(result)


async def my_votes(request: Request) -> Response:
    store, rooms = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    principal = await require_principal(request, board)
    return JSONResponse(await voting.mine(rooms, store, board, _voter(principal)))


async def checkpoint_list(request: Request) -> Response:
    store, rooms = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    if request.method == "GET":
        await require_principal(request, board)
        return JSONResponse(
            [checkpoints.as_json(c) for c in await store.list_checkpoints(board.id)]
        )
    await require_principal(request, board, facilitator=True)
    body = await read_json(request)
    record = await checkpoints.take(rooms, store, board, body.get("name"))
    return JSONResponse(checkpoints.as_json(record), status_code=201)


async def checkpoint_fork(request: Request) -> Response:
    store, _ = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, board, facilitator=True)
    body = await read_json(request)
    new = await checkpoints.fork(
        store, board, request.path_params["checkpoint_id"], body.get("title")
    )
    return JSONResponse(board_created(request, new), status_code=201)


async def checkpoint_state(request: Request) -> Response:
    """The checkpoint's content doc as one Yjs update, for the read-only viewer."""
    store, _ = _state(request)
    board = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, board)
    content, _ = await checkpoints.states(store, board, request.path_params["checkpoint_id"])
    return Response(content, media_type="application/octet-stream")


async def server_time(request: Request) -> Response:
    """The server clock, so that timers show the same time on every screen."""
    return JSONResponse({"now": int(time.time() * 1000)})


_BOARD = "/api/boards/{board_id}"
routes = [
    Route("/api/time", server_time),
    Route(f"{_BOARD}/session", session_state),
    Route(f"{_BOARD}/phase", _facilitator_route(_phase), methods=["POST"]),
    Route(f"{_BOARD}/timer", _facilitator_route(_timer), methods=["POST"]),
    Route(f"{_BOARD}/voting", _facilitator_route(_voting), methods=["POST"]),
    Route(f"{_BOARD}/lock", _facilitator_route(_lock), methods=["POST"]),
    Route(f"{_BOARD}/follow", _facilitator_route(_follow), methods=["POST"]),
    Route(f"{_BOARD}/settings", _facilitator_route(_settings), methods=["POST"]),
    Route(f"{_BOARD}/reveal", reveal, methods=["POST"]),
    Route(f"{_BOARD}/votes", post_vote, methods=["POST"]),
    Route(f"{_BOARD}/votes/me", my_votes),
    Route(f"{_BOARD}/checkpoints", checkpoint_list, methods=["GET", "POST"]),
    Route(f"{_BOARD}/checkpoints/{{checkpoint_id}}/fork", checkpoint_fork, methods=["POST"]),
    Route(f"{_BOARD}/checkpoints/{{checkpoint_id}}/state", checkpoint_state),
]
