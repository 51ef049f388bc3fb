"""The pycrdt-websocket peer: its WebsocketServer behind uvicorn, rooms in memory only.

Runs in bench/.peers-venv (see peers.py), never in Samsyn's venv, so the pycrdt that
pycrdt-websocket wants cannot clash with Samsyn's pin. Started as
`.peers-venv/bin/python -m uvicorn --app-dir bench pycrdt_peer:app`; the room is the
websocket path, as with y-websocket-server. GET on any path answers 200 for the bench's
readiness check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pycrdt.websocket import ASGIServer, WebsocketServer

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# auto_clean_rooms: a room with no clients is dropped, as y-websocket-server does.
_server = WebsocketServer(rooms_ready=True, auto_clean_rooms=True)
_websockets = ASGIServer(_server)


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The ASGI entry point: lifespan runs the WebsocketServer, HTTP says it is up."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
    else:
        await _websockets(scope, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    # ASGIServer answers the lifespan without starting the WebsocketServer, which must run
    # (its task group) for as long as the app does: hold it open between the two events.
    await receive()  # lifespan.startup
    async with _server:
        await send({"type": "lifespan.startup.complete"})
        await receive()  # lifespan.shutdown
    await send({"type": "lifespan.shutdown.complete"})
