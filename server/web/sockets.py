"""The websocket routes: check origin and credentials, pick the write policy, hand the
socket to the sync layer (`Rooms.serve`) until it closes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from starlette.routing import WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketState

from server.errors import Damaged, Unavailable
from server.services.guard import Author
from server.services.participants import REMOVED_DETAIL
from server.services.principals import Principal, Role, removed_among
from server.services.session import Session, drafts_doc_name, session_doc_name
from server.store import BoardRecord
from server.sync.protocol import CloseCode, close_reason
from server.sync.review import WriteGuard
from server.sync.room import Room
from server.sync.rooms import Rooms
from server.web.auth import credentials, origin_allowed
from server.web.deps import caller_on, services

log = logging.getLogger(__name__)


async def _refuse(websocket: WebSocket, code: CloseCode, reason: str) -> None:
    # Accept first: a close before accept becomes an HTTP 403 and the code is lost.
    await websocket.accept()
    await websocket.close(code, close_reason(reason))


async def _admit(websocket: WebSocket) -> tuple[BoardRecord, Principal] | None:
    """The board and the caller, or None after closing with the fitting code."""
    app = services(websocket)
    board_id = websocket.path_params["board_id"]
    origin = websocket.headers.get("origin")
    if not origin_allowed(
        origin, websocket.url.scheme, websocket.headers, app.settings.allowed_origins
    ):
        await _refuse(websocket, CloseCode.FORBIDDEN, "cross-origin websocket refused")
        return None
    board = await app.store.get_board(board_id)
    if board is None:
        await _refuse(websocket, CloseCode.NOT_FOUND, f"no board {board_id!r}")
        return None
    secrets = credentials(websocket.headers, websocket.query_params, websocket.cookies, board_id)
    found = await caller_on(websocket, board, secrets)
    principal = found[0] if found else None
    if principal is None:
        if await removed_among(app.store, board, secrets):
            await _refuse(websocket, CloseCode.REMOVED, REMOVED_DETAIL)
            return None
        reason = "a token or facilitator key is required" if not secrets else "unknown credentials"
        await _refuse(websocket, CloseCode.UNAUTHORIZED, reason)
        return None
    return board, principal


async def _serve(
    websocket: WebSocket,
    send: Send,
    doc_name: str,
    principal: Principal,
    *,
    can_write: Callable[[], bool],
    guard: Callable[[Room], WriteGuard] | None = None,
    on_join: Callable[[Room], None] | None = None,
) -> None:
    app = services(websocket)
    rooms = app.rooms
    who = principal.participant_id or principal.role.value
    address = websocket.client.host if websocket.client is not None else ""
    credential = f"{websocket.path_params['board_id']}:{who}"
    with rooms.claim(address, credential) as refused:
        if refused is not None:
            await _refuse(websocket, CloseCode.TRY_AGAIN_LATER, refused)
            return
        await websocket.accept()
        conn = rooms.connection(
            websocket,
            f"{doc_name}:{who}",
            can_write=can_write,
            raw_send=send,
        )
        conn.sender = sender_of(principal)

        def joined(room: Room) -> None:
            # Greeted: the next socket may come through the gate (SocketApp).
            websocket.scope[_THROUGH_GATE]()
            # The room is loaded now: the guard may keep per-board state beside it.
            if guard is not None:
                conn.guard = guard(room)
            if on_join is not None:
                on_join(room)

        with app.live.holding(principal.board_id, principal.role, conn, principal.participant_id):
            # Removed after `_admit` read the token but before this socket was held: the
            # session doc says so already (the removal marks it before closing sockets).
            if _removed_meanwhile(app.rooms, principal):
                await websocket.close(CloseCode.REMOVED, close_reason(REMOVED_DETAIL))
                return
            # In a task of its own: every frame the socket brings wakes the receive
            # loop, and here that would resume the dozen middleware coroutines this
            # handler runs inside, one after the other, each time. Cancelling this
            # handler (shutdown) cancels the task and waits for it.
            await asyncio.create_task(
                rooms.serve(conn, doc_name, on_join=joined), name=f"socket {conn.label}"
            )


def _removed_meanwhile(rooms: Rooms, principal: Principal) -> bool:
    if principal.participant_id is None:
        return False
    session_room = rooms.get(session_doc_name(principal.board_id))
    return session_room is not None and principal.participant_id in Session(session_room).get(
        "removed"
    )


async def board_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}`: the board's content doc. Read-only for the wall, for
    `?view=wall`, and for participants while the phase or a lock says so."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    app = services(websocket)
    wall_view = websocket.query_params.get("view") == "wall"
    async with app.rooms.use(session_doc_name(board.id)) as session_room:
        session = Session(session_room)
        guard: Callable[[Room], WriteGuard] | None = None
        if wall_view or principal.role is Role.WALL:
            can_write: Callable[[], bool] = _never
        elif principal.is_facilitator:
            can_write = _always
        else:
            can_write = session.participants_may_write
            # Every change a participant makes is checked against the phase's rules.
            author = Author(principal.participant_id or "", principal.name)
            guard = lambda room: app.guards.content(  # noqa: E731
                room, author, session.participant_rules, session.formulera_theme
            )
        with app.presence.present(session, principal):
            await _serve(
                websocket,
                send,
                board.id,
                principal,
                can_write=can_write,
                guard=guard,
            )


async def session_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}/session`: facilitation state, written only by the server."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    await _serve(websocket, send, session_doc_name(board.id), principal, can_write=_never)


async def drafts_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}/drafts`: the caller's own private notes; nobody else's. Read-only
    for participants whenever the board is for them (locked, closed, the vote)."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    if principal.role is Role.WALL:
        await _refuse(websocket, CloseCode.FORBIDDEN, "the wall has no drafts")
        return
    owner = principal.participant_id or "facilitator"
    name = principal.name or "facilitator"
    app = services(websocket)
    async with app.rooms.use(session_doc_name(board.id)) as session_room:
        # A participant's drafts follow the board's rule: what they type there reaches
        # the board at the reveal (and after it, at once), so a lock or a closed board
        # holds it back here too, refused like the board socket refuses.
        can_write = (
            _always if principal.is_facilitator else Session(session_room).participants_may_write
        )
        await _serve(
            websocket,
            send,
            drafts_doc_name(board.id, owner),
            principal,
            can_write=can_write,
            guard=None if principal.is_facilitator else lambda room: app.guards.drafts(),
            on_join=lambda room: app.drafts.participant_joined(room, owner, name),
        )


class SocketApp:
    """A websocket route as a plain ASGI app, so the handler holds the raw `send`:
    broadcasts call it directly, past the per-message checks of Starlette's WebSocket."""

    def __init__(self, handler: Callable[[WebSocket, Send], Awaitable[None]]) -> None:
        self._handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get(_SERVER_SEND, send)
        websocket = WebSocket(scope, receive, send)
        # Admission and the greeting take turns (server/web/joingate.py); the slot is
        # given back once the room has greeted the socket, or when the handler ends.
        async with services(websocket).join_gate.entering() as through:
            scope[_THROUGH_GATE] = through
            try:
                await self._handler(websocket, raw)
            except Unavailable as exc:
                # The board's rows could not be read (a damaged page) or the disk failed:
                # a named close, not the 1006 of a dropped connection; the store logged it.
                await _close_failed(websocket, exc)


async def _close_failed(websocket: WebSocket, exc: Unavailable) -> None:
    reason = (
        "this board's stored data is damaged; the operator must restore a backup"
        if isinstance(exc, Damaged)
        else "the database is unavailable; try again later"
    )
    log.error("%s: closing with %d, %s", websocket.url.path, CloseCode.SERVER_ERROR, exc.detail)
    if websocket.application_state is WebSocketState.CONNECTING:
        await websocket.accept()
    if websocket.application_state is WebSocketState.CONNECTED:
        await websocket.close(CloseCode.SERVER_ERROR, close_reason(reason))


# The scope key under which `ServerSend` keeps the server's own `send`.
_SERVER_SEND = "samsyn.server_send"
# The scope key of the function that gives the socket's join-gate slot back.
_THROUGH_GATE = "samsyn.through_gate"


class ServerSend:
    """Outermost ASGI middleware: keeps the server's own websocket `send` in the scope.

    Starlette's routing wraps `send` in closures; the server's own one is a method of
    uvicorn's protocol, through which the sync layer can drop a peer that does not read
    (see `server.sync.connection._transport`) and which skips a wrapper per frame.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[_SERVER_SEND] = send
        await self.app(scope, receive, send)


def sender_of(principal: Principal) -> str:
    """How the update log names who sent an update: `role:participant id:name`."""
    return f"{principal.role.value}:{principal.participant_id or ''}:{principal.name}"


def _never() -> bool:
    return False


def _always() -> bool:
    return True


routes = [
    WebSocketRoute("/ws/{board_id}", SocketApp(board_socket)),
    WebSocketRoute("/ws/{board_id}/session", SocketApp(session_socket)),
    WebSocketRoute("/ws/{board_id}/drafts", SocketApp(drafts_socket)),
]
