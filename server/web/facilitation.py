"""JSON routes of the facilitator (phases, timer, voting, lock, follow, settings, the
formulera round and its settling, reveal, checkpoints) and of participants (votes, the
session state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from boards.schema import now_ms
from server.services import changes, checkpoints, facilitation, formulera, voting
from server.web.deps import board_call, json_body
from server.web.gates import spend_board_quota
from server.web.ownership import inherit
from server.web.responses import board_created
from server.web.sockets import sender_of

Handler = Callable[[Request], Awaitable[Response]]


def _facilitator_route(change: facilitation.Change) -> Handler:
    """A facilitator POST that changes the session doc and answers with the new state."""

    async def endpoint(request: Request) -> Response:
        call = await board_call(request, facilitator=True)
        body = await json_body(request)
        app = call.services
        return JSONResponse(
            await facilitation.apply(change, app.store, app.rooms, call.board, body)
        )

    return endpoint


async def reveal(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    result = await call.services.drafts.reveal(call.board)
    return JSONResponse({**result, **await facilitation.state(call.services.rooms, call.board)})


async def formulera_settle(request: Request) -> Response:
    """The facilitator settles a theme's wording: the chosen proposal becomes its statement."""
    call = await board_call(request, facilitator=True)
    body = await json_body(request)
    settled = await formulera.settle(
        call.services.rooms, call.board, body, sender=sender_of(call.principal)
    )
    return JSONResponse(settled)


async def session_state(request: Request) -> Response:
    call = await board_call(request)
    return JSONResponse(await facilitation.state(call.services.rooms, call.board))


async def post_vote(request: Request) -> Response:
    call = await board_call(request)
    body = await json_body(request)
    app = call.services
    voter = voting.voter_of(call.principal)
    return JSONResponse(await voting.cast(app.rooms, app.store, call.board, voter, body))


async def my_votes(request: Request) -> Response:
    call = await board_call(request)
    app = call.services
    voter = voting.voter_of(call.principal)
    return JSONResponse(await voting.mine(app.rooms, app.store, call.board, voter))


async def vote_status(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    app = call.services
    return JSONResponse(await voting.status(app.rooms, app.store, call.board))


async def recent_changes(request: Request) -> Response:
    """Who changed the board lately: time, sender and size of each update, newest first."""
    call = await board_call(request, facilitator=True)
    limit = changes.check_limit(request.query_params.get("limit"))
    found = await changes.recent(call.services.store, call.board, limit)
    return JSONResponse({"changes": found})


async def checkpoint_list(request: Request) -> Response:
    call = await board_call(request, facilitator=request.method == "POST")
    app = call.services
    if request.method == "GET":
        records = await app.store.list_checkpoints(call.board.id)
        return JSONResponse([checkpoints.as_json(c) for c in records])
    body = await json_body(request)
    record = await checkpoints.take(app.rooms, app.store, call.board, body.get("name"))
    return JSONResponse(checkpoints.as_json(record), status_code=201)


async def checkpoint_fork(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    body = await json_body(request)
    spend_board_quota(request)
    new = await checkpoints.fork(
        call.services.store, call.board, request.path_params["checkpoint_id"], body.get("title")
    )
    await inherit(request, call.board.id, new.record.id)
    return JSONResponse(board_created(request, new), status_code=201)


async def checkpoint_restore(request: Request) -> Response:
    """Turn the live board back into the checkpoint, saving the current state first."""
    call = await board_call(request, facilitator=True)
    app = call.services
    restored = await checkpoints.restore(
        app.rooms,
        app.store,
        call.board,
        request.path_params["checkpoint_id"],
        sender=sender_of(call.principal),
    )
    return JSONResponse(restored.as_json())


async def checkpoint_state(request: Request) -> Response:
    """The checkpoint's content doc as one Yjs update, for the read-only viewer."""
    call = await board_call(request)
    checkpoint_id = request.path_params["checkpoint_id"]
    content, _ = await checkpoints.states(call.services.store, call.board, checkpoint_id)
    return Response(content, media_type="application/octet-stream")


async def server_time(request: Request) -> Response:
    """The server clock, so that timers show the same time on every screen."""
    return JSONResponse({"now": now_ms()})


_BOARD = "/api/boards/{board_id}"
routes = [
    Route("/api/time", server_time),
    Route(f"{_BOARD}/session", session_state),
    *(
        Route(f"{_BOARD}/{name}", _facilitator_route(change), methods=["POST"])
        for name, change in facilitation.CHANGES.items()
    ),
    Route(f"{_BOARD}/formulera/settle", formulera_settle, methods=["POST"]),
    Route(f"{_BOARD}/reveal", reveal, methods=["POST"]),
    Route(f"{_BOARD}/votes", post_vote, methods=["POST"]),
    Route(f"{_BOARD}/votes/me", my_votes),
    Route(f"{_BOARD}/votes/status", vote_status),
    Route(f"{_BOARD}/changes", recent_changes),
    Route(f"{_BOARD}/checkpoints", checkpoint_list, methods=["GET", "POST"]),
    Route(f"{_BOARD}/checkpoints/{{checkpoint_id}}/fork", checkpoint_fork, methods=["POST"]),
    Route(f"{_BOARD}/checkpoints/{{checkpoint_id}}/state", checkpoint_state),
    Route(f"{_BOARD}/checkpoints/{{checkpoint_id}}/restore", checkpoint_restore, methods=["POST"]),
]
