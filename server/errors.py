"""The errors of the service, by kind; the web layer maps each kind to one HTTP status.

Services and routes raise these (never an HTTP type); `server/web/errors.py` turns
them, and the board rules' `RuleError`, into `{"error": code, "detail": text}`.
`code` is stable for programs, `detail` says what was expected and what arrived.
"""

from __future__ import annotations


class SamsynError(Exception):
    """A request the service refuses; subclasses say why."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class InvalidInput(SamsynError):
    """The request is malformed or a field has a value the rules do not allow."""


class Unauthenticated(SamsynError):
    """No credentials, or unknown ones."""


class NotAllowed(SamsynError):
    """The caller is known but may not do this."""


class NotFound(SamsynError):
    """The board, checkpoint, target or format asked for does not exist."""


class Erased(NotFound):
    """The doc belongs to a board that was deleted for good: nothing more is written."""


class Conflict(SamsynError):
    """The request is valid but the board's state refuses it now (voting closed...)."""


class TooLarge(SamsynError):
    """The request body is over its limit."""


class WrongMediaType(SamsynError):
    """The request body is not of the type the route reads (JSON)."""


class TooManyAttempts(SamsynError):
    """Too many failures (or boards) from this client; it must wait `retry_after` s."""

    def __init__(self, code: str, detail: str, retry_after: int) -> None:
        super().__init__(code, detail)
        self.retry_after = retry_after


class Unavailable(SamsynError):
    """The database cannot save now (a full disk, an I/O error); nothing was acknowledged."""


class Damaged(Unavailable):
    """The database file is corrupt where this request read or wrote (a page overwritten):
    the operator must restore a backup; other boards may still work."""
