"""The facilitator's participant list and removal (a token revoked, sockets closed)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.services import participants
from server.web.deps import board_call


async def list_participants(request: Request) -> Response:
    """GET /api/boards/{board_id}/participants (facilitator)."""
    call = await board_call(request, facilitator=True)
    app = call.services
    people = await participants.roster(app.store, app.rooms, call.board)
    return JSONResponse({"participants": people})


async def delete_participant(request: Request) -> Response:
    """DELETE /api/boards/{board_id}/participants/{participant_id} (facilitator)."""
    call = await board_call(request, facilitator=True)
    app = call.services
    removal = await participants.remove(
        app.store, app.rooms, call.board, request.path_params["participant_id"]
    )
    # Their token is void now; the sockets they hold open close at once, with why.
    closed = app.live.close_participant(
        call.board.id, removal.participant.id, participants.REMOVED_DETAIL
    )
    return JSONResponse({**removal.as_json(), "sockets_closed": closed})


_BOARD = "/api/boards/{board_id}"
routes = [
    # POST on the same path (joining) is in `server.web.boards`.
    Route(f"{_BOARD}/participants", list_participants, methods=["GET"]),
    Route(f"{_BOARD}/participants/{{participant_id}}", delete_participant, methods=["DELETE"]),
]
