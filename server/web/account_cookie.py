"""The signed-in facilitator's session cookie: one for the whole site, beside board cookies."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from server.services.accounts import SESSION_DAYS
from server.settings import Settings

ACCOUNT_COOKIE = "samsyn_account"


def account_token(conn: HTTPConnection) -> str:
    return conn.cookies.get(ACCOUNT_COOKIE, "")


def set_account_cookie(response: Response, settings: Settings, token: str) -> None:
    # Lax: a link from an e-mail opens the journey signed in; a cross-site POST carries
    # no cookie, so another site cannot act as the facilitator.
    response.set_cookie(
        ACCOUNT_COOKIE,
        token,
        max_age=SESSION_DAYS * 24 * 60 * 60,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_account_cookie(response: Response) -> None:
    response.delete_cookie(ACCOUNT_COOKIE, httponly=True, samesite="lax")
