"""One frozen Settings object, read once from SAMSYN_* environment variables and CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the text names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    db: Path = Path("data/samsyn.db")
    # Largest websocket frame accepted; bigger frames close that socket with 1009.
    max_message_bytes: int = 2 * 1024 * 1024
    # Frames waiting for one slow client before it is closed with 1013.
    send_queue_frames: int = 1024
    # Updates arriving within this window are merged into one broadcast.
    flush_ms: float = 2.0
    # Awareness (cursors, who is typing) is relayed at most this often per room.
    awareness_flush_ms: float = 40.0
    # A room with no connections is flushed and unloaded after this many seconds.
    unload_grace_s: float = 30.0
    # The update log of one doc is folded into a snapshot past this many rows.
    compact_after_updates: int = 500
    # Messages per second a socket may send on average, and the burst it may save up.
    rate_per_s: float = 200.0
    rate_burst: int = 1000
    # SQLite `synchronous` in WAL mode: NORMAL survives a process crash, FULL a power cut.
    sqlite_synchronous: str = "NORMAL"
    # Extra origins allowed to open websockets with a cookie (the page's own origin always is).
    allowed_origins: tuple[str, ...] = ()
    # Mark cookies Secure; turn on behind HTTPS.
    secure_cookies: bool = False
    log_level: str = "info"
    # Anyone may create a board without an account (the embedded default); off, only
    # signed-in facilitators may, and their boards belong to their organisation.
    open_board_creation: bool = True
    # Participants' names become "Deltagare N" this many days after they joined; 0 keeps
    # them. The server applies it at start and every hour; `samsyn retention` on demand.
    retention_days: int = 0

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given fields replaced, skipping values that are None."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read SAMSYN_<FIELD> variables; fail loudly on a value of the wrong type."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = f"SAMSYN_{field.name.upper()}"
            if name in env:
                values[field.name] = _parse(name, env[name], field.default)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        checks = [
            (1 <= self.port <= 65535, "port", "a port between 1 and 65535"),
            (self.max_message_bytes >= 1024, "max_message_bytes", "at least 1024"),
            (self.send_queue_frames >= 1, "send_queue_frames", "at least 1"),
            (self.flush_ms >= 0, "flush_ms", "zero or more"),
            (self.awareness_flush_ms >= 0, "awareness_flush_ms", "zero or more"),
            (self.unload_grace_s >= 0, "unload_grace_s", "zero or more"),
            (self.compact_after_updates >= 1, "compact_after_updates", "at least 1"),
            (self.rate_per_s > 0, "rate_per_s", "more than zero"),
            (self.rate_burst >= 1, "rate_burst", "at least 1"),
            (self.retention_days >= 0, "retention_days", "zero (keep names) or more"),
            (
                self.sqlite_synchronous in ("NORMAL", "FULL"),
                "sqlite_synchronous",
                "NORMAL or FULL",
            ),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise SettingsError(
                    f"SAMSYN_{name.upper()} must be {expected}, got {getattr(self, name)!r}"
                )


def _parse(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return raw
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not valid: {exc}") from None
