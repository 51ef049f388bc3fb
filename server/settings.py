"""One frozen Settings object, read once from SAMSYN_* environment variables and CLI flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


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
    # Updates arriving within this window are merged into one broadcast; a room whose
    # broadcasts take long (many sockets) waits longer, at most flush_max_ms (or
    # flush_ms, if that is more).
    flush_ms: float = 2.0
    flush_max_ms: float = 25.0
    # Awareness (cursors, who is typing) is relayed at most this often per room.
    awareness_flush_ms: float = 40.0
    # A room with no connections is flushed and unloaded after this many seconds.
    unload_grace_s: float = 30.0
    # The update log of one doc is folded into a snapshot past this many rows.
    compact_after_updates: int = 500
    # Messages per second a socket may send on average, and the burst it may save up.
    rate_per_s: float = 200.0
    rate_burst: int = 1000
    # Bytes queued for one slow client before it is closed with 1013.
    send_queue_bytes: int = 16 * 1024 * 1024
    # A client that reads nothing for this long is dropped (its frames freed).
    send_timeout_s: float = 20.0
    # Largest sync step 2 (an offline client's pending edits) answering the server's step 1.
    max_sync_bytes: int = 64 * 1024 * 1024
    # Largest encoded board (or session, drafts) doc; bigger updates close with 1009.
    max_doc_bytes: int = 64 * 1024 * 1024
    # Notes one participant may have on a board (and in their drafts), and a board in all;
    # past them a participant's new notes are refused with a message (0: no limit). The
    # facilitator is not held to them.
    notes_per_participant: int = 500
    notes_per_board: int = 5000
    # Awareness (presence) ids one socket may announce, and the largest state of each.
    awareness_ids_per_socket: int = 4
    awareness_state_bytes: int = 8 * 1024
    # A socket sent nothing for this long gets a keepalive (an empty awareness update).
    keepalive_s: float = 15.0
    # Open websockets per client address and per credential; more close with 1013.
    sockets_per_address: int = 512
    sockets_per_credential: int = 24
    # HTTP: seconds an idle connection is held (before its first request's headers are
    # complete, and between requests), and seconds SIGTERM waits for
    # open connections before it cancels them and saves every board.
    http_keepalive_s: float = 5.0
    # uvicorn's event loop: "asyncio" or "uvloop". Chosen by measurement: uvloop's libuv
    # accepts one connection per turn of the loop, so after a restart /healthz waits
    # behind a thousand reconnecting clients (144-421 ms here, quiet); asyncio's loop
    # accepts up to 100 a turn (158-167 ms), and spends no more CPU per delivered update
    # in the bench's fan-out scenarios (a, b). bench/RELIABILITY.md has the figures.
    event_loop: str = "asyncio"
    shutdown_grace_s: float = 3.0
    # `samsyn serve` runs SQLite's `PRAGMA quick_check` on the file before it starts and
    # refuses a damaged one; it reads every page (57 MB: 0.06 s cached, up to 1.4 s cold).
    check_db_on_start: bool = True
    # SQLite `synchronous` in WAL mode: NORMAL survives a process crash, FULL a power cut.
    sqlite_synchronous: str = "NORMAL"
    # Extra origins allowed to open websockets with a cookie (the page's own origin always is).
    allowed_origins: tuple[str, ...] = ()
    # Mark cookies Secure; turn on behind HTTPS.
    secure_cookies: bool = False
    # What anyone may do without credentials. With `create_token` set, making a board (API,
    # home page, import) needs that operator token. Boards one address may make per hour
    # (create, import, fork, continue), and all addresses together; imports per address
    # per hour and the largest one; wrong join codes one browser, and one address (a whole
    # room on a library's Wi-Fi), may type within the window.
    create_token: str = ""
    boards_per_hour: int = 30
    boards_per_hour_total: int = 300
    imports_per_hour: int = 10
    max_import_bytes: int = 20 * 1024 * 1024
    join_failures_per_client: int = 10
    join_failures_per_address: int = 100
    join_failure_window_s: float = 600.0
    log_level: str = "info"
    # `/metrics` answers only `Authorization: Bearer <metrics_token>`; empty: 404.
    metrics_token: str = ""
    # Several processes (README "Running several processes"): a postgresql:// URL makes
    # PostgreSQL the log of record instead of the SQLite file `db`; a redis:// URL relays
    # updates and presence between the processes (it needs the PostgreSQL URL).
    database_url: str = ""
    redis_url: str = ""
    # Connections to PostgreSQL per process.
    pg_pool_size: int = 8
    # How often a process compares its loaded docs with the log (the safety net of Redis).
    cluster_poll_s: float = 1.0
    # Entries kept in each doc's Redis stream (approximately).
    redis_stream_maxlen: int = 1000
    # Presence relayed from another process disappears when not renewed for this long
    # (Yjs clients renew every 15 s and drop silent peers after 30 s).
    awareness_timeout_s: float = 30.0
    # Anyone may create a board without an account (the embedded default); off, only
    # signed-in facilitators may, and their boards belong to their organisation.
    open_board_creation: bool = True
    # Participants' names become "Deltagare N" this many days after they joined; 0 keeps
    # them. The server applies it at start and every hour; `samsyn retention` on demand.
    retention_days: int = 0
    # Mail (off by default: the operator's CLI prints links to hand over). An SMTP server
    # as smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (TLS from the
    # start) or smtp://host:25 (a local relay, plain) sends owners' invites and
    # forgotten-password links; `mail_from` is their sender. `public_url` is the server's
    # address as people reach it (https://samsyn.bib.se): links in mails are made from it,
    # never from a request's Host header, which whoever asks for a reset could forge.
    smtp_url: str = ""
    mail_from: str = ""
    public_url: str = ""
    # Seconds one SMTP conversation may take before the mail counts as not sent.
    smtp_timeout_s: float = 10.0
    # Exports (`/b/{id}/export.{fmt}`) are built in this many worker processes, off the
    # event loop; one taking longer than `export_timeout_s` is stopped with a 503.
    export_workers: int = 2
    export_timeout_s: float = 60.0

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
            (self.flush_max_ms >= 0, "flush_max_ms", "zero or more"),
            (self.awareness_flush_ms >= 0, "awareness_flush_ms", "zero or more"),
            (self.unload_grace_s >= 0, "unload_grace_s", "zero or more"),
            (self.compact_after_updates >= 1, "compact_after_updates", "at least 1"),
            (self.rate_per_s > 0, "rate_per_s", "more than zero"),
            (self.rate_burst >= 1, "rate_burst", "at least 1"),
            (self.boards_per_hour >= 1, "boards_per_hour", "at least 1"),
            (self.boards_per_hour_total >= 1, "boards_per_hour_total", "at least 1"),
            (self.imports_per_hour >= 1, "imports_per_hour", "at least 1"),
            (self.max_import_bytes >= 1024, "max_import_bytes", "at least 1024"),
            (self.join_failures_per_client >= 1, "join_failures_per_client", "at least 1"),
            (self.join_failures_per_address >= 1, "join_failures_per_address", "at least 1"),
            (self.join_failure_window_s > 0, "join_failure_window_s", "more than zero"),
            (self.send_queue_bytes >= 1024, "send_queue_bytes", "at least 1024"),
            (self.send_timeout_s > 0, "send_timeout_s", "more than zero"),
            (
                self.max_sync_bytes >= self.max_message_bytes,
                "max_sync_bytes",
                "at least SAMSYN_MAX_MESSAGE_BYTES",
            ),
            (self.max_doc_bytes >= 1024, "max_doc_bytes", "at least 1024"),
            (self.notes_per_participant >= 0, "notes_per_participant", "zero (any) or more"),
            (self.notes_per_board >= 0, "notes_per_board", "zero (any) or more"),
            (self.awareness_ids_per_socket >= 1, "awareness_ids_per_socket", "at least 1"),
            (self.awareness_state_bytes >= 64, "awareness_state_bytes", "at least 64"),
            (self.keepalive_s > 0, "keepalive_s", "more than zero"),
            (self.sockets_per_address >= 1, "sockets_per_address", "at least 1"),
            (self.sockets_per_credential >= 1, "sockets_per_credential", "at least 1"),
            (self.http_keepalive_s > 0, "http_keepalive_s", "more than zero"),
            (self.shutdown_grace_s >= 0, "shutdown_grace_s", "zero or more"),
            (self.retention_days >= 0, "retention_days", "zero (keep names) or more"),
            (self.event_loop in ("uvloop", "asyncio"), "event_loop", "uvloop or asyncio"),
            (
                self.sqlite_synchronous in ("NORMAL", "FULL"),
                "sqlite_synchronous",
                "NORMAL or FULL",
            ),
            (
                not self.database_url or _is_url(self.database_url, "postgresql", "postgres"),
                "database_url",
                "empty or a postgresql:// URL",
            ),
            (
                not self.redis_url or _is_url(self.redis_url, "redis", "rediss", "unix"),
                "redis_url",
                "empty or a redis:// URL",
            ),
            (
                not self.redis_url or bool(self.database_url),
                "redis_url",
                "used with a PostgreSQL database (SQLite serves one process only)",
            ),
            (not _is_url(str(self.db), "postgresql:", "postgres:"), "db", "a file path"),
            (
                all(_is_origin(o) for o in self.allowed_origins),
                "allowed_origins",
                "origins as scheme://host[:port] (http or https, no path)",
            ),
            (self.pg_pool_size >= 2, "pg_pool_size", "at least 2"),
            (self.cluster_poll_s > 0, "cluster_poll_s", "more than zero"),
            (self.redis_stream_maxlen >= 10, "redis_stream_maxlen", "at least 10"),
            (self.awareness_timeout_s > 0, "awareness_timeout_s", "more than zero"),
            (
                not self.smtp_url or smtp_problem(self.smtp_url) is None,
                "smtp_url",
                f"empty or smtp://[user:pass@]host[:port] or smtps://… "
                f"({smtp_problem(self.smtp_url)})",
            ),
            (
                not self.smtp_url or _is_address(self.mail_from),
                "mail_from",
                "an e-mail address (the sender of mails) when SAMSYN_SMTP_URL is set",
            ),
            (
                not self.public_url or _is_origin(self.public_url.rstrip("/")),
                "public_url",
                "empty or the server's address as http(s)://host[:port], no path",
            ),
            (
                not self.smtp_url or bool(self.public_url),
                "public_url",
                "set when SAMSYN_SMTP_URL is (mailed links are made from it)",
            ),
            (self.smtp_timeout_s > 0, "smtp_timeout_s", "more than zero"),
            (1 <= self.export_workers <= 64, "export_workers", "between 1 and 64"),
            (self.export_timeout_s > 0, "export_timeout_s", "more than zero"),
        ]
        for ok, name, expected in checks:
            if not ok:
                got = getattr(self, name)
                if name == "smtp_url":
                    got = _without_password(got)
                raise SettingsError(f"SAMSYN_{name.upper()} must be {expected}, got {got!r}")


def _is_url(value: str, *schemes: str) -> bool:
    """`value` starts with one of `schemes` and a colon (a Path keeps one slash of //)."""
    return value.split(":", 1)[0] in {scheme.rstrip(":") for scheme in schemes} and ":" in value


def smtp_problem(value: str) -> str | None:
    """What is wrong with an SMTP URL, or None when it can be used."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("smtp", "smtps"):
        return f"the scheme must be smtp or smtps, not {parts.scheme or 'missing'!r}"
    try:
        port = parts.port
    except ValueError:
        return "the port must be a number between 1 and 65535"
    if not parts.hostname:
        return "a host is missing"
    if port == 0:
        return "the port must be a number between 1 and 65535"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return "nothing may follow host[:port]"
    if parts.username is not None and parts.password is None:
        return "a user needs a password (user:pass@host)"
    return None


def _without_password(url: str) -> str:
    """The URL with its password (if any) replaced, for error messages and logs."""
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.partition("://")[2]:
        return url
    scheme, _, userinfo = head.partition("://")
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{tail}"


def _is_address(value: str) -> bool:
    local, at, domain = value.strip().rpartition("<")[2].rstrip(">").partition("@")
    return bool(local) and bool(at) and "." in domain and " " not in domain


def _is_origin(value: str) -> bool:
    """An origin as browsers send it: http(s)://host[:port], nothing after it."""
    scheme, sep, rest = value.partition("://")
    return scheme.lower() in ("http", "https") and bool(sep) and bool(rest) and "/" not in rest


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
