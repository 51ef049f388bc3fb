"""Cross-site request forgery: a browser sends the board cookies with any request to
this server, even one a page elsewhere makes, so state-changing requests must come
from this server's own pages (or an origin the operator listed)."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from server.web.auth import origin_allowed

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a browser says of a request's initiator; "none" is the user's own navigation.
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})


def refusal(scope: Scope, allowed: tuple[str, ...]) -> str | None:
    """Why this request looks forged, or None when it may go on."""
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    site = headers.get("sec-fetch-site")
    if origin == "null" and site is not None:
        # The pages' "Referrer-Policy: no-referrer" makes browsers send `Origin: null`
        # on the pages' own form posts; their Sec-Fetch-Site still tells where it came from.
        origin = None
    if origin is not None:
        if origin_allowed(origin, scope.get("scheme", "http"), headers, allowed):
            return None
        return (
            f"expected a request from this server's own pages, got one from {origin!r}"
            " (SAMSYN_ALLOWED_ORIGINS lists other origins allowed)"
        )
    if site is not None and site not in _OWN_FETCH_SITES:
        return f"expected a same-origin request, got Sec-Fetch-Site {site!r}"
    return None  # not a browser: it proves itself with a header or a token


class CrossSiteGuard:
    """Refuse POSTs (and other unsafe methods) that a foreign page made: 403 `cross_site`."""

    def __init__(self, app: ASGIApp, allowed_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in _SAFE_METHODS:
            reason = refusal(scope, self.allowed)
            if reason is not None:
                refused = JSONResponse({"error": "cross_site", "detail": reason}, status_code=403)
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
