"""Health and metrics, for the operator."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.web.deps import services


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def metrics(request: Request) -> Response:
    """Prometheus text format: rooms, connections, loads and unloads of this process."""
    rooms = services(request).rooms
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


routes = [Route("/healthz", healthz), Route("/metrics", metrics)]
