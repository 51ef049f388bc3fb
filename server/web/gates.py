"""Gates before what anyone may try without credentials: making boards, typing join codes."""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from server.errors import TooManyAttempts, Unauthenticated
from server.services.principals import new_secret
from server.web.deps import services

# A random id per browser, so that one person's wrong join codes hold back only them.
CLIENT_COOKIE = "samsyn_client"


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


def browser_id(request: Request) -> str:
    """The browser's id: its cookie, or the one `issue_browser_id` gave this request."""
    return request.cookies.get(CLIENT_COOKIE, "")[:64] or getattr(request.state, "browser", "")


def issue_browser_id(request: Request) -> None:
    """A browser on its first join page gets its id now, so its first typo counts too."""
    if not browser_id(request):
        request.state.browser = new_secret()


def remember_browser(request: Request, response: Response) -> None:
    """Hand the browser the id this request issued, if any."""
    issued = getattr(request.state, "browser", "")
    if issued and not request.cookies.get(CLIENT_COOKIE):
        response.set_cookie(
            CLIENT_COOKIE,
            issued,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="lax",
            secure=services(request).settings.secure_cookies,
        )


def require_create_token(request: Request, form_token: object = None) -> None:
    """401 unless the operator's token (if one is set) comes as a Bearer header or field."""
    expected = services(request).settings.create_token
    if not expected:
        return
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    given = value.strip() if scheme.lower() == "bearer" else ""
    if not given and isinstance(form_token, str):
        given = form_token.strip()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        detail = "making a board on this server needs the operator's token (SAMSYN_CREATE_TOKEN)"
        raise Unauthenticated("create_token_required", detail)


def spend_board_quota(request: Request, *, imported: bool = False) -> None:
    """Count one new board (and import) from this address; 429 once past the limits."""
    limits = services(request).limits
    address = client_address(request)
    waits = [limits.boards.retry_after(address), limits.boards_total.retry_after("*")]
    if imported:
        waits.append(limits.imports.retry_after(address))
    wait = max(waits)
    if wait:
        raise TooManyAttempts(
            "too_many_boards", f"too many new boards from here; retry in {wait} s", wait
        )
    limits.boards.record(address)
    limits.boards_total.record("*")
    if imported:
        limits.imports.record(address)


def admit_join(request: Request, board_id: str | None) -> None:
    """429 while this browser or address has typed too many wrong codes, unless the code
    (of `board_id`, None when it matched no board) has already worked from here."""
    joins = services(request).limits.joins
    address = client_address(request)
    if board_id is not None and joins.known(address, board_id):
        return
    wait = joins.retry_after(address, browser_id(request))
    if wait:
        raise TooManyAttempts(
            "too_many_attempts", f"too many wrong join codes; retry in {wait} s", wait
        )


def join_failed(request: Request) -> None:
    services(request).limits.joins.failed(client_address(request), browser_id(request))


def code_worked(request: Request, board_id: str) -> None:
    services(request).limits.joins.joined(client_address(request), board_id)
