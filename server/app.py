"""create_app(settings) -> Starlette: routes, middleware and the lifespan that owns state."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server import api, pages
from server.errors import ApiError, api_error_handler
from server.settings import Settings
from server.store import Store
from server.sync.endpoint import board_socket
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    """The whole service; `settings` default to the SAMSYN_* environment."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = Store(settings.db, synchronous=settings.sqlite_synchronous)
        async with store, Rooms(store, settings) as rooms:
            app.state.store = store
            app.state.rooms = rooms
            log.info("samsyn: serving with database %s", settings.db)
            yield
        log.info("samsyn: every room flushed, database closed")

    dist = pages.STATIC_DIR / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    app = Starlette(
        routes=[
            *api.routes,
            *pages.routes,
            WebSocketRoute("/ws/{board_id}", board_socket),
            Mount("/static/dist", StaticFiles(directory=dist), name="dist"),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=1024)],
        exception_handlers={ApiError: api_error_handler},
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
