"""Logging that never writes a secret: tokens and keys are cut out of logged URLs."""

from __future__ import annotations

import logging
import re

_SECRET_PARAM = re.compile(r"((?:token|key)=)[^&\s\"']+", re.IGNORECASE)


class RedactSecrets(logging.Filter):
    """uvicorn logs each websocket's path with its query string, `?token=` included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _SECRET_PARAM.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _SECRET_PARAM.sub(r"\1[redacted]", record.msg)
        return True


def redact_uvicorn_logs() -> None:
    """Install the filter on uvicorn's loggers (idempotent)."""
    for name in ("uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
