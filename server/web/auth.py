"""Credentials on the wire: where a request carries its secret, cookies, origin checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, QueryParams

from server.services.principals import Role

# Each role has a cookie of its own, so that joining a board (or opening its wall) in a
# browser never replaces the facilitator's cookie there, by accident or by a forged POST.
_COOKIE_PREFIX = {
    Role.FACILITATOR: "samsyn_f_",
    Role.COFACILITATOR: "samsyn_c_",
    Role.PARTICIPANT: "samsyn_p_",
    Role.WALL: "samsyn_wall_",
}
# Before the cookies were split, facilitator and participant shared this one: still read,
# so nobody loses a board on upgrade, never written.
_LEGACY_PREFIX = "samsyn_"
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_WS_SCHEMES = {"ws": "http", "wss": "https"}


def cookie_name(role: Role, board_id: str) -> str:
    return f"{_COOKIE_PREFIX[role]}{board_id}"


def cookie_secrets(cookies: dict[str, str], board_id: str) -> list[str]:
    """The board's cookie secrets, the strongest role's first."""
    names = [
        cookie_name(Role.FACILITATOR, board_id),
        cookie_name(Role.COFACILITATOR, board_id),
        f"{_LEGACY_PREFIX}{board_id}",
        cookie_name(Role.PARTICIPANT, board_id),
        cookie_name(Role.WALL, board_id),
    ]
    return [cookies[name] for name in names if cookies.get(name)]


def facilitator_cookies(cookies: dict[str, str], limit: int) -> list[tuple[str, str]]:
    """(board id, secret) of the cookies that may be a facilitator's, at most `limit`."""
    prefixes = (_COOKIE_PREFIX[Role.FACILITATOR], _COOKIE_PREFIX[Role.COFACILITATOR])
    others = (_COOKIE_PREFIX[Role.PARTICIPANT], _COOKIE_PREFIX[Role.WALL])
    found: list[tuple[str, str]] = []
    for name, secret in cookies.items():
        if name.startswith(prefixes):
            found.append((name[len(prefixes[0]) :], secret))
        elif name.startswith(_LEGACY_PREFIX) and not name.startswith(others):
            found.append((name[len(_LEGACY_PREFIX) :], secret))
    return found[:limit]


def credentials(
    headers: Headers, query: QueryParams, cookies: dict[str, str], board_id: str
) -> list[str]:
    """The caller's secrets: the Authorization header or `?token=` alone, else its cookies."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return [value.strip()]
    token = query.get("token")
    if token:
        return [token]
    return cookie_secrets(cookies, board_id)


def _origin_key(scheme: str, netloc: str) -> tuple[str, str]:
    """(scheme, host:port) with the default port spelled out, lower-case."""
    scheme = _WS_SCHEMES.get(scheme.lower(), scheme.lower())
    host, _, port = netloc.lower().rpartition(":")
    if not host or "]" in port:  # no port, or an IPv6 literal without one
        host, port = netloc.lower(), ""
    return scheme, f"{host}:{port or _DEFAULT_PORTS.get(scheme, '')}"


def own_origin(scheme: str, headers: Headers) -> tuple[str, str]:
    return _origin_key(scheme, headers.get("host", ""))


def origin_allowed(
    origin: str | None, scheme: str, headers: Headers, allowed: tuple[str, ...]
) -> bool:
    """Is `origin` this server's own (scheme, host and port) or one the operator listed?

    No Origin header means no browser page sent this (a browser always sends it on
    websockets and POSTs): such a client proves itself with a header or `?token=`.
    """
    if origin is None:
        return True
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return False  # "null" (sandboxed frames, file pages) or garbage
    key = _origin_key(parts.scheme, parts.netloc)
    if key == own_origin(scheme, headers):
        return True
    return any(key == _origin_key(urlsplit(a).scheme, urlsplit(a).netloc) for a in allowed)
