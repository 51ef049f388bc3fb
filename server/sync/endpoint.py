"""The websocket routes: authenticate, attach to the room, pump frames until close."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from server.auth import Principal, Role, authenticate, credential, origin_allowed
from server.drafts import Drafts
from server.session import Session, drafts_doc_name, session_doc_name
from server.settings import Settings
from server.store import BoardRecord, Store
from server.sync.connection import Connection
from server.sync.protocol import CloseCode, ProtocolError, close_reason
from server.sync.room import Room
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)


async def _refuse(websocket: WebSocket, code: CloseCode, reason: str) -> None:
    # Accept first: a close before accept becomes an HTTP 403 and the code is lost.
    await websocket.accept()
    await websocket.close(code, close_reason(reason))


async def _admit(websocket: WebSocket) -> tuple[BoardRecord, Principal] | None:
    """The board and the caller, or None after closing with the fitting code."""
    settings: Settings = websocket.app.state.settings
    store: Store = websocket.app.state.store
    board_id = websocket.path_params["board_id"]
    if not origin_allowed(websocket.headers, settings.allowed_origins):
        await _refuse(websocket, CloseCode.FORBIDDEN, "cross-origin websocket refused")
        return None
    board = await store.get_board(board_id)
    if board is None:
        await _refuse(websocket, CloseCode.NOT_FOUND, f"no board {board_id!r}")
        return None
    secret = credential(websocket.headers, websocket.query_params, websocket.cookies, board_id)
    principal = await authenticate(store, board, secret)
    if principal is None:
        reason = "a token or facilitator key is required" if not secret else "unknown credentials"
        await _refuse(websocket, CloseCode.UNAUTHORIZED, reason)
        return None
    return board, principal


async def board_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}`: the board's content doc. Read-only for the wall, for
    `?view=wall`, and for participants while the board is locked or closed."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    rooms: Rooms = websocket.app.state.rooms
    wall_view = websocket.query_params.get("view") == "wall"
    presence: Presence = websocket.app.state.presence
    async with rooms.use(session_doc_name(board.id)) as session_room:
        session = Session(session_room)
        closed_maps = None
        if wall_view or principal.role is Role.WALL:
            can_write: Callable[[], bool] = _never
        elif principal.is_facilitator:
            can_write = _always
        else:
            can_write = session.participants_may_write
            closed_maps = session.closed_to_participants
        with presence.present(session, principal):
            await serve_doc(
                websocket,
                send,
                board.id,
                principal,
                can_write=can_write,
                closed_maps=closed_maps,
            )


async def session_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}/session`: facilitation state, written only by the server."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    await serve_doc(websocket, send, session_doc_name(board.id), principal, can_write=_never)


async def drafts_socket(websocket: WebSocket, send: Send) -> None:
    """`/ws/{board_id}/drafts`: the caller's own private notes; nobody else's."""
    admitted = await _admit(websocket)
    if admitted is None:
        return
    board, principal = admitted
    if principal.role is Role.WALL:
        await _refuse(websocket, CloseCode.FORBIDDEN, "the wall has no drafts")
        return
    owner = principal.participant_id or "facilitator"
    drafts: Drafts = websocket.app.state.drafts
    rooms: Rooms = websocket.app.state.rooms
    name = principal.name or "facilitator"
    async with rooms.use(session_doc_name(board.id)):
        await serve_doc(
            websocket,
            send,
            drafts_doc_name(board.id, owner),
            principal,
            can_write=_always,
            on_join=lambda room: drafts.participant_joined(room, owner, name),
        )


class SocketApp:
    """A websocket route as a plain ASGI app, so the handler holds the raw `send`:
    broadcasts call it directly, past the per-message checks of Starlette's WebSocket."""

    def __init__(self, handler: Callable[[WebSocket, Send], Awaitable[None]]) -> None:
        self._handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._handler(WebSocket(scope, receive, send), send)


class Presence:
    """Who is on which board, in the session doc's `participants` map (not the wall)."""

    def __init__(self) -> None:
        self._sockets: Counter[tuple[str, str]] = Counter()

    @contextlib.contextmanager
    def present(self, session: Session, principal: Principal) -> Iterator[None]:
        pid = principal.participant_id
        if pid is None:
            yield
            return
        key = (principal.board_id, pid)
        self._sockets[key] += 1
        session.set_participant(pid, principal.name, True)
        try:
            yield
        finally:
            self._sockets[key] -= 1
            if self._sockets[key] <= 0:
                del self._sockets[key]
                with contextlib.suppress(RuntimeError):  # the server is shutting down
                    session.set_participant(pid, principal.name, False)


def _never() -> bool:
    return False


def _always() -> bool:
    return True


async def serve_doc(
    websocket: WebSocket,
    send: Send,
    doc_name: str,
    principal: Principal,
    *,
    can_write: Callable[[], bool],
    on_join: Callable[[Room], None] | None = None,
    closed_maps: Callable[[], tuple[str, ...]] | None = None,
) -> None:
    """Attach an authenticated socket to `doc_name`'s room and relay until it closes."""
    settings: Settings = websocket.app.state.settings
    rooms: Rooms = websocket.app.state.rooms
    await websocket.accept()
    who = principal.participant_id or principal.role.value
    conn = Connection(
        websocket,
        label=f"{doc_name}:{who}",
        can_write=can_write,
        queue_frames=settings.send_queue_frames,
        rate_per_s=settings.rate_per_s,
        rate_burst=settings.rate_burst,
        raw_send=send,
        closed_maps=closed_maps,
    )
    room = await rooms.acquire(doc_name)
    try:
        room.join(conn)
        if on_join is not None:
            on_join(room)
        while not conn.closing:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            frame = message.get("bytes")
            if frame is None:
                conn.close(CloseCode.UNSUPPORTED_DATA, "expected binary y-websocket frames")
                break
            if len(frame) > settings.max_message_bytes:
                conn.close(
                    CloseCode.TOO_BIG,
                    f"frame of {len(frame)} bytes exceeds the limit of "
                    f"{settings.max_message_bytes}",
                )
                break
            if not conn.allow_message():
                conn.close(CloseCode.POLICY, "message rate limit exceeded")
                break
            try:
                await room.receive(conn, frame)
            except ProtocolError as exc:
                log.info("%s: closing on a protocol error: %s", conn.label, exc)
                conn.close(CloseCode.POLICY, str(exc))
                break
    except WebSocketDisconnect:
        pass
    finally:
        room.leave(conn)
        rooms.release(room)
        await conn.finish()
