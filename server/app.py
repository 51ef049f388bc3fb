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

from boards.guard import Quotas
from server.logs import redact_uvicorn_logs
from server.services.docs import upgrade_board_doc
from server.services.drafts import Drafts
from server.services.erasure import retention_loop
from server.services.export_workers import ExportWorkers
from server.services.facilitation import resync_participants
from server.services.guard import Guards
from server.services.mail import Mailer
from server.services.participants import REMOVED_DETAIL
from server.services.plan_board import PlanBoards
from server.services.presence import Presence
from server.services.session import SESSION_SUFFIX, Session, is_board_doc_name
from server.settings import Settings
from server.storage import open_storage
from server.sync.room import Room, RoomConfig
from server.sync.rooms import Rooms
from server.web import (
    access,
    accounts,
    boards,
    exports,
    facilitation,
    health,
    imports,
    journeys,
    pages,
    participants,
    sockets,
    vision,
    vision_round,
)
from server.web.csrf import CrossSiteGuard
from server.web.deps import Services
from server.web.errors import HANDLERS
from server.web.headers import SecurityHeaders
from server.web.live import LiveSockets
from server.web.ratelimit import Limits

log = logging.getLogger(__name__)


def _on_load(room: Room, hooks: list[Callable[[Room], None]]) -> None:
    # Hooks first: the relay must see the defaults' commit to tell the other processes.
    for hook in hooks:
        hook(room)
    if room.name.endswith(SESSION_SUFFIX):
        Session(room).ensure_defaults()
    elif is_board_doc_name(room.name):
        upgrade_board_doc(room)


def _resync_on_remote_session(rooms: Rooms, live: LiveSockets) -> Callable[[Room], None]:
    """A load hook: when another process changes a board's session (an unlock, a new
    phase), let the content socket edits held back here merge, as the route does there;
    a participant it removed loses the sockets they hold open here too."""

    def resync(session_room: Room) -> None:
        board_id = session_room.name.removesuffix(SESSION_SUFFIX)
        resync_participants(rooms, board_id)
        for participant_id in Session(session_room).get("removed"):
            live.close_participant(board_id, participant_id, REMOVED_DETAIL)

    def attach(room: Room) -> None:
        if room.name.endswith(SESSION_SUFFIX):
            room.after_remote = resync

    return attach


def room_config(settings: Settings) -> RoomConfig:
    """The sync layer's knobs, from the settings it never reads itself."""
    return RoomConfig(
        flush_ms=settings.flush_ms,
        flush_max_ms=settings.flush_max_ms,
        awareness_ms=settings.awareness_flush_ms,
        compact_after=settings.compact_after_updates,
        unload_grace_s=settings.unload_grace_s,
        max_message_bytes=settings.max_message_bytes,
        send_queue_frames=settings.send_queue_frames,
        rate_per_s=settings.rate_per_s,
        rate_burst=settings.rate_burst,
        send_queue_bytes=settings.send_queue_bytes,
        send_timeout_s=settings.send_timeout_s,
        max_sync_bytes=settings.max_sync_bytes,
        max_doc_bytes=settings.max_doc_bytes,
        awareness_ids_per_socket=settings.awareness_ids_per_socket,
        awareness_state_bytes=settings.awareness_state_bytes,
        keepalive_s=settings.keepalive_s,
        sockets_per_address=settings.sockets_per_address,
        sockets_per_credential=settings.sockets_per_credential,
    )


def create_app(settings: Settings | None = None) -> Starlette:
    """The whole service; `settings` default to the SAMSYN_* environment."""
    settings = settings or Settings.from_env()
    redact_uvicorn_logs()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hooks: list[Callable[[Room], None]] = []
        async with (
            open_storage(settings) as (store, doc_log, relay),
            Rooms(
                doc_log,
                room_config(settings),
                on_load=lambda room: _on_load(room, hooks),
                on_unload=relay.detach if relay is not None else None,
                freshen=relay.freshen if relay is not None else None,
                exclusive=relay.exclusive if relay is not None else None,
            ) as rooms,
            # Closed before the store: pending mail jobs still read it.
            Mailer(
                settings.smtp_url, settings.mail_from, settings.public_url, settings.smtp_timeout_s
            ) as mailer,
            ExportWorkers(settings.export_workers, settings.export_timeout_s) as export_workers,
        ):
            live = LiveSockets()
            if relay is not None:
                hooks += [relay.attach, _resync_on_remote_session(rooms, live)]
            app.state.relay = relay
            drafts = Drafts(rooms, store)
            hooks.append(drafts.attach)
            hooks.append(PlanBoards(rooms, store).attach)
            app.state.services = Services(
                settings=settings,
                store=store,
                rooms=rooms,
                drafts=drafts,
                guards=Guards(
                    Quotas(
                        per_participant=settings.notes_per_participant,
                        per_board=settings.notes_per_board,
                    )
                ),
                presence=Presence(),
                limits=Limits.from_settings(settings),
                live=live,
                mailer=mailer,
                exports=export_workers,
            )
            # Kept for operators' scripts and tests that reach into a running app.
            app.state.store = store
            app.state.rooms = rooms
            log.info(
                "samsyn: serving with %s%s",
                "PostgreSQL" if settings.database_url else f"database {settings.db}",
                " and Redis" if settings.redis_url else "",
            )
            retention = (
                asyncio.create_task(retention_loop(store, rooms, settings.retention_days))
                if settings.retention_days
                else None
            )
            lag_probe = asyncio.create_task(app.state.services.loop_lag.run())
            yield
            lag_probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await lag_probe
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
            *access.routes,
            *participants.routes,
            *vision_round.routes,
            *vision.routes,
            *sockets.routes,
            Mount("/static/dist", StaticFiles(directory=dist), name="dist"),
        ],
        middleware=[
            Middleware(sockets.ServerSend),
            Middleware(SecurityHeaders),
            Middleware(CrossSiteGuard, allowed_origins=settings.allowed_origins),
            Middleware(GZipMiddleware, minimum_size=1024),
        ],
        exception_handlers=dict(HANDLERS),
        lifespan=lifespan,
    )
    return app
