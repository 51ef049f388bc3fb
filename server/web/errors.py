"""The one exception handler: domain errors become JSON `{"error", "detail"}` responses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from boards.facilitation import RuleError
from server.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    SamsynError,
    TooLarge,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
    WrongMediaType,
)

STATUS: dict[type[SamsynError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    WrongMediaType: 415,
    TooManyAttempts: 429,
    Unavailable: 503,
}


async def error_response(request: Request, exc: Exception) -> Response:
    """Registered for SamsynError and RuleError (a board rule refused a request: 400)."""
    assert isinstance(exc, SamsynError | RuleError)
    status = next((s for kind, s in STATUS.items() if isinstance(exc, kind)), 400)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
    return JSONResponse(
        {"error": exc.code, "detail": exc.detail}, status_code=status, headers=headers
    )


HANDLERS = {SamsynError: error_response, RuleError: error_response}
