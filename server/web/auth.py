"""Credentials on the wire: where a request carries its secret, cookies, origin checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, QueryParams


def cookie_name(board_id: str) -> str:
    return f"samsyn_{board_id}"


def wall_cookie_name(board_id: str) -> str:
    return f"samsyn_wall_{board_id}"


def credential(headers: Headers, query: QueryParams, cookies: dict[str, str], board_id: str) -> str:
    """The caller's secret from the Authorization header, `?token=` or the board's cookies."""
    authorization = headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = query.get("token")
    if token:
        return token
    return cookies.get(cookie_name(board_id)) or cookies.get(wall_cookie_name(board_id), "")


def origin_allowed(headers: Headers, allowed: tuple[str, ...]) -> bool:
    """Refuse cross-site websocket handshakes that would ride on the board cookie."""
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser: it authenticates with a header or ?token=
    if origin in allowed:
        return True
    host = headers.get("host", "")
    return urlsplit(origin).netloc == host
