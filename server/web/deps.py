"""What a route needs before it starts: the app's services (typed), the board, the caller
and the body. Every route opens with one of these instead of reading `app.state`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection, Request

from server.errors import (
    InvalidInput,
    NotAllowed,
    NotFound,
    TooLarge,
    Unauthenticated,
    WrongMediaType,
)
from server.services.accounts import member_principal
from server.services.drafts import Drafts
from server.services.export_workers import ExportWorkers
from server.services.guard import Guards
from server.services.mail import Mailer
from server.services.participants import REMOVED_DETAIL
from server.services.presence import Presence
from server.services.principals import Principal, first_valid, removed_among
from server.settings import Settings
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms
from server.web.account_cookie import account_token
from server.web.auth import credentials
from server.web.joingate import JoinGate
from server.web.live import LiveSockets
from server.web.looplag import LoopLag
from server.web.ratelimit import Limits, WindowLimiter

# Request bodies of the JSON API are small; refuse anything larger before parsing.
MAX_JSON_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the lifespan opens, in one typed object on `app.state.services`."""

    settings: Settings
    store: Store
    rooms: Rooms
    drafts: Drafts
    guards: Guards
    presence: Presence
    limits: Limits
    live: LiveSockets
    mailer: Mailer
    exports: ExportWorkers
    # Wrong passwords per account and per address (a dictionary attack on one account,
    # or one address trying many accounts).
    login_limiter: WindowLimiter = field(
        default_factory=lambda: WindowLimiter(limit=5, window_s=300.0)
    )
    # Forgotten-password links asked for, per address and per e-mail: every request
    # counts, whether the address has an account or not, so the limit tells nothing.
    resets_per_address: WindowLimiter = field(
        default_factory=lambda: WindowLimiter(limit=20, window_s=3600.0)
    )
    resets_per_email: WindowLimiter = field(
        default_factory=lambda: WindowLimiter(limit=3, window_s=3600.0)
    )
    # How late the event loop runs timers (the lifespan runs it), for /metrics.
    loop_lag: LoopLag = field(default_factory=LoopLag)
    # Sockets take turns between their upgrade and their room's greeting.
    join_gate: JoinGate = field(default_factory=JoinGate)


def services(conn: HTTPConnection) -> Services:
    """The app's services, for an HTTP request or a websocket."""
    found = conn.app.state.services
    assert isinstance(found, Services), f"expected Services on app.state, got {found!r}"
    return found


@dataclass(frozen=True, slots=True)
class BoardCall:
    """A request on one board by a known caller."""

    services: Services
    board: BoardRecord
    principal: Principal


async def board_of(conn: HTTPConnection) -> BoardRecord:
    """The board of the `{board_id}` path parameter; 404 if there is none."""
    board_id = conn.path_params["board_id"]
    board = await services(conn).store.get_board(board_id)
    if board is None:
        raise NotFound("board_not_found", f"no board {board_id!r}")
    return board


async def caller_on(
    conn: HTTPConnection, board: BoardRecord, secrets: Sequence[str]
) -> tuple[Principal, str] | None:
    """The caller on `board` and the secret that proved it: a signed-in member of the
    board's org is its facilitator (secret ""); otherwise the first valid key, token or
    cookie decides (pages, API, sockets and exports)."""
    store = services(conn).store
    member = await member_principal(store, board, account_token(conn))
    if member is not None:
        return member, ""
    return await first_valid(store, board, secrets)


async def principal_on(
    request: Request, board: BoardRecord, *, facilitator: bool = False, owner: bool = False
) -> tuple[Principal, str]:
    """The caller on `board` and the secret it proved itself with ("" for a signed-in
    member): 401 without valid credentials, 403 if not the facilitator (or
    co-facilitator, unless `owner`)."""
    secrets = credentials(request.headers, request.query_params, request.cookies, board.id)
    found = await caller_on(request, board, secrets)
    if found is None:
        if await removed_among(services(request).store, board, secrets):
            raise NotAllowed("participant_removed", REMOVED_DETAIL)
        detail = "unknown credentials" if secrets else "a token or facilitator key is required"
        raise Unauthenticated("unauthorized", detail)
    principal = found[0]
    if owner and not principal.is_owner:
        raise NotAllowed("forbidden", "only the facilitator may do this, not a co-facilitator")
    if facilitator and not principal.is_facilitator:
        raise NotAllowed("forbidden", "only the facilitator may do this")
    return found


async def board_call(request: Request, *, facilitator: bool = False) -> BoardCall:
    """The board (404) and its caller (401, or 403 when the facilitator is required)."""
    board = await board_of(request)
    principal, _ = await principal_on(request, board, facilitator=facilitator)
    return BoardCall(services(request), board, principal)


def require_json(request: Request) -> None:
    """415 unless the body is declared JSON: a form or a `text/plain` body is what a
    foreign page can send without asking, so the API never reads one."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise WrongMediaType(
            "unsupported_media_type",
            f"expected Content-Type application/json, got {media_type or 'none'!r}",
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("too_large", f"expected at most {limit} bytes, got {declared}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("too_large", f"expected at most {limit} bytes, got more")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes, what: str) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise InvalidInput("invalid_json", f"expected {what} as JSON: {exc}") from None


def json_object(data: object) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("invalid_json", f"expected a JSON object, got {type(data).__name__}")
    return data


async def json_body(request: Request) -> dict[str, Any]:
    """A small JSON object body (the API's requests)."""
    require_json(request)
    body = await request.body()
    if len(body) > MAX_JSON_BYTES:
        raise TooLarge("too_large", f"request body over {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(body or b"null")
    except ValueError as exc:
        raise InvalidInput("invalid_json", f"expected a JSON object: {exc}") from None
    return json_object(data)
