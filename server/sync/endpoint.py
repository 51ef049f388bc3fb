"""The websocket route: authenticate, attach to the room, pump frames until close."""

from __future__ import annotations

import logging

from starlette.websockets import WebSocket, WebSocketDisconnect

from server.auth import Principal, Role, authenticate, credential, origin_allowed
from server.settings import Settings
from server.store import Store
from server.sync.connection import Connection
from server.sync.protocol import CloseCode, ProtocolError, close_reason
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)


async def _refuse(websocket: WebSocket, code: CloseCode, reason: str) -> None:
    # Accept first: a close before accept becomes an HTTP 403 and the code is lost.
    await websocket.accept()
    await websocket.close(code, close_reason(reason))


async def board_socket(websocket: WebSocket) -> None:
    """`/ws/{board_id}`: the board's content doc, spoken as y-websocket."""
    settings: Settings = websocket.app.state.settings
    store: Store = websocket.app.state.store
    rooms: Rooms = websocket.app.state.rooms
    board_id = websocket.path_params["board_id"]

    if not origin_allowed(websocket.headers, settings.allowed_origins):
        await _refuse(websocket, CloseCode.FORBIDDEN, "cross-origin websocket refused")
        return
    board = await store.get_board(board_id)
    if board is None:
        await _refuse(websocket, CloseCode.NOT_FOUND, f"no board {board_id!r}")
        return
    secret = credential(websocket.headers, websocket.query_params, websocket.cookies, board_id)
    principal = await authenticate(store, board, secret)
    if principal is None:
        reason = "a token or facilitator key is required" if not secret else "unknown credentials"
        await _refuse(websocket, CloseCode.UNAUTHORIZED, reason)
        return
    await serve_doc(websocket, rooms, settings, board_id, principal, read_only=False)


async def serve_doc(
    websocket: WebSocket,
    rooms: Rooms,
    settings: Settings,
    doc_name: str,
    principal: Principal,
    *,
    read_only: bool,
) -> None:
    """Attach an authenticated socket to `doc_name`'s room and relay until it closes."""
    await websocket.accept()
    who = principal.participant_id or principal.role.value
    conn = Connection(
        websocket,
        label=f"{doc_name}:{who}",
        read_only=read_only or principal.role is Role.WALL,
        queue_frames=settings.send_queue_frames,
        rate_per_s=settings.rate_per_s,
        rate_burst=settings.rate_burst,
    )
    conn.start()
    room = await rooms.acquire(doc_name)
    try:
        room.join(conn)
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
