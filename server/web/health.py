"""Health and metrics, for the operator."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.errors import NotFound, Unauthenticated
from server.web.deps import services


async def healthz(request: Request) -> Response:
    """200 `{"status": "ok"}`; 503 `{"status": "degraded", ...}` once the store has met a
    damaged page, so a monitor sees what only one board's sockets would otherwise show."""
    damage = services(request).store.damage()
    if damage is not None:
        return JSONResponse(
            {
                "status": "degraded",
                "database": "damaged",
                "detail": f"{damage}; restore a backup with `samsyn restore --from BACKUP`",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok"})


def _check_metrics_token(request: Request) -> None:
    expected = services(request).settings.metrics_token
    if not expected:
        # Off unless the operator chose a token: the counts say how busy the server is.
        raise NotFound("not_found", "/metrics is off; set SAMSYN_METRICS_TOKEN to serve it")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        raise Unauthenticated(
            "unauthorized", "expected Authorization: Bearer <SAMSYN_METRICS_TOKEN>"
        )


async def metrics(request: Request) -> Response:
    """Prometheus text format: rooms, connections, loads and unloads of this process,
    and its event loop's lag."""
    _check_metrics_token(request)
    rooms = services(request).rooms
    lag = services(request).loop_lag.figures()
    lines = [
        "# TYPE samsyn_rooms gauge",
        f"samsyn_rooms {len(rooms)}",
        "# TYPE samsyn_connections gauge",
        f"samsyn_connections {rooms.connection_count}",
        "# TYPE samsyn_room_loads_total counter",
        f"samsyn_room_loads_total {rooms.loads}",
        "# TYPE samsyn_room_unloads_total counter",
        f"samsyn_room_unloads_total {rooms.unloads}",
        # How late a 100 ms timer fired, over the last minute: the wait every socket and
        # request shares on top of its own work.
        "# TYPE samsyn_event_loop_lag_seconds summary",
        f'samsyn_event_loop_lag_seconds{{quantile="0.5"}} {lag.p50_s:.6f}',
        f'samsyn_event_loop_lag_seconds{{quantile="0.99"}} {lag.p99_s:.6f}',
        f'samsyn_event_loop_lag_seconds{{quantile="1"}} {lag.max_s:.6f}',
        f"samsyn_event_loop_lag_seconds_count {lag.samples}",
    ]
    return PlainTextResponse("\n".join(lines) + "\n")


routes = [Route("/healthz", healthz), Route("/metrics", metrics)]
