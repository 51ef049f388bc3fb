"""create_app(settings) -> Starlette: routes, middleware and the lifespan that owns state.

This is the one place that knows every layer: it opens the store and the rooms, wires
the services to them and hands the routes one typed `Services` object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from server.logs import redact_uvicorn_logs
from server.services.drafts import Drafts
from server.services.erasure import retention_loop
from server.services.presence import Presence
from server.services.session import SESSION_SUFFIX, Session
from server.settings import Settings
from server.store import SqliteStore
from server.sync.room import Room, RoomConfig
from server.sync.rooms import Rooms
from server.web import (
    accounts,
    boards,
    exports,
    facilitation,
    health,
    imports,
    journeys,
    pages,
    sockets,
)
from server.web.deps import Services
from server.web.errors import HANDLERS
from server.web.headers import SecurityHeaders
from server.web.ratelimit import FailureLimiter

log = logging.getLogger(__name__)


def _on_load(room: Room, hooks: list[Callable[[Room], None]]) -> None:
    if room.name.endswith(SESSION_SUFFIX):
        Session(room).ensure_defaults()
    for hook in hooks:
        hook(room)


def room_config(settings: Settings) -> RoomConfig:
    """The sync layer's knobs, from the settings it never reads itself."""
    return RoomConfig(
        flush_ms=settings.flush_ms,
        awareness_ms=settings.awareness_flush_ms,
        compact_after=settings.compact_after_updates,
        unload_grace_s=settings.unload_grace_s,
        max_message_bytes=settings.max_message_bytes,
        send_queue_frames=settings.send_queue_frames,
        rate_per_s=settings.rate_per_s,
        rate_burst=settings.rate_burst,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """The whole service; `settings` default to the SAMSYN_* environment."""
    settings = settings or Settings.from_env()
    redact_uvicorn_logs()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = SqliteStore(settings.db, synchronous=settings.sqlite_synchronous)
        hooks: list[Callable[[Room], None]] = []
        config = room_config(settings)
        async with store, Rooms(store, config, on_load=lambda r: _on_load(r, hooks)) as rooms:
            drafts = Drafts(rooms, store)
            hooks.append(drafts.attach)
            app.state.services = Services(
                settings=settings,
                store=store,
                rooms=rooms,
                drafts=drafts,
                presence=Presence(),
                join_limiter=FailureLimiter(),
            )
            # Kept for operators' scripts and tests that reach into a running app.
            app.state.store = store
            app.state.rooms = rooms
            log.info("samsyn: serving with database %s", settings.db)
            retention = (
                asyncio.create_task(retention_loop(store, rooms, settings.retention_days))
                if settings.retention_days
                else None
            )
            yield
            if retention is not None:
                retention.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await retention
        log.info("samsyn: every room flushed, database closed")

    dist = pages.STATIC_DIR / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    app = Starlette(
        routes=[
            *health.routes,
            *boards.routes,
            *exports.routes,
            *imports.routes,
            *pages.routes,
            *accounts.routes,
            *journeys.routes,
            *facilitation.routes,
            *sockets.routes,
            Mount("/static/dist", StaticFiles(directory=dist), name="dist"),
        ],
        middleware=[Middleware(SecurityHeaders), Middleware(GZipMiddleware, minimum_size=1024)],
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    return app
