"""Access links of a board for its facilitators: their own link to open it on another
PC, the wall link (and its QR code), and the revocable co-facilitator link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.services import access
from server.services.principals import Role
from server.web.deps import board_of, principal_on, services
from server.web.pages import qr_svg

# The answers carry keys: never kept by a cache, the browser's own included.
_NO_STORE = {"Cache-Control": "no-store"}


def _link(request: Request, path: str, key: str) -> str:
    return f"{str(request.base_url).rstrip('/')}{path}?key={key}"


async def get_access(request: Request) -> Response:
    """GET /api/boards/{board_id}/access (facilitator or co-facilitator)."""
    board = await board_of(request)
    principal, secret = await principal_on(request, board, facilitator=True)
    store = services(request).store
    wall = await access.wall_key(store, board)
    org_id = await store.board_org(board.id)
    org = await store.get_org(org_id) if org_id is not None else None
    return JSONResponse(
        {
            "role": principal.role.value,
            "link": _link(request, f"/b/{board.id}", secret),
            "wall": _link(request, f"/b/{board.id}/wall", wall),
            "cofacilitator": {"active": board.cofacilitator_key_hash is not None},
            "may_manage": principal.is_owner,
            # The facilitator proper may also delete the board for good.
            "may_delete": principal.is_owner,
            "org": {"id": org.id, "name": org.name} if org is not None else None,
        },
        headers=_NO_STORE,
    )


async def post_cofacilitator(request: Request) -> Response:
    """POST /api/boards/{board_id}/cofacilitator (facilitator): a new link, the old revoked."""
    board = await board_of(request)
    await principal_on(request, board, owner=True)
    key = await access.issue_cofacilitator(services(request).store, board)
    services(request).live.close(
        board.id, Role.COFACILITATOR, "the co-facilitator link was replaced"
    )
    return JSONResponse(
        {"link": _link(request, f"/b/{board.id}", key), "active": True},
        status_code=201,
        headers=_NO_STORE,
    )


async def post_join_code(request: Request) -> Response:
    """POST /api/boards/{board_id}/join-code (facilitators): a new join code."""
    board = await board_of(request)
    await principal_on(request, board, facilitator=True)
    app = services(request)
    code = await access.renew_join_code(app.store, app.rooms, board)
    base = str(request.base_url).rstrip("/")
    return JSONResponse({"join_code": code, "join_url": f"{base}/j/{code}"}, headers=_NO_STORE)


async def revoke_cofacilitator(request: Request) -> Response:
    """POST /api/boards/{board_id}/cofacilitator/revoke (facilitator)."""
    board = await board_of(request)
    await principal_on(request, board, owner=True)
    await access.revoke_cofacilitator(services(request).store, board)
    services(request).live.close(
        board.id, Role.COFACILITATOR, "the co-facilitator link was revoked"
    )
    return JSONResponse({"active": False})


async def wall_qr(request: Request) -> Response:
    """GET /b/{board_id}/wall-qr.svg (facilitators): the wall link, for a phone to carry."""
    board = await board_of(request)
    await principal_on(request, board, facilitator=True)
    wall = await access.wall_key(services(request).store, board)
    svg = qr_svg(_link(request, f"/b/{board.id}/wall", wall))
    return Response(svg, media_type="image/svg+xml", headers=_NO_STORE)


_BOARD = "/api/boards/{board_id}"
routes = [
    Route(f"{_BOARD}/access", get_access),
    Route(f"{_BOARD}/cofacilitator", post_cofacilitator, methods=["POST"]),
    Route(f"{_BOARD}/cofacilitator/revoke", revoke_cofacilitator, methods=["POST"]),
    Route(f"{_BOARD}/join-code", post_join_code, methods=["POST"]),
    Route("/b/{board_id}/wall-qr.svg", wall_qr),
]
