"""The plain records the store hands out and takes in, shared by every backend."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


class StoreClosedError(RuntimeError):
    """The store was used before it was opened or after it was closed."""


class DuplicateKeyError(sqlite3.IntegrityError):
    """A row with that key exists (PostgreSQL's unique violation, as SQLite's error).

    It is a `sqlite3.IntegrityError` so that callers written against the first backend
    (a join code that collides is retried) work unchanged on every backend.
    """


class VoteRefusedError(Exception):
    """A vote that the budget does not allow; `code` is the API error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class BoardRecord:
    id: str
    title: str
    template: str
    language: str
    join_code: str
    facilitator_key_hash: bytes
    created: int
    wall_key_hash: bytes | None = None
    anonymous: bool = False
    wall_key: str | None = None  # None on boards made before the wall link was kept
    cofacilitator_key_hash: bytes | None = None  # None: no co-facilitator link


@dataclass(frozen=True, slots=True)
class ParticipantRecord:
    id: str
    board_id: str
    name: str
    created: int
    removed: int | None = None  # when the facilitator removed them; their token is void


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    id: str
    board_id: str
    name: str
    at: int


@dataclass(frozen=True, slots=True)
class VoteResult:
    remaining: int
    mine: dict[str, int]
    total: int  # the target's tally after this vote


@dataclass(frozen=True, slots=True)
class VisionRecord:
    """A målbild document: `data` is its JSON (boards/vision.py), `rev` its edit count."""

    id: str
    board_id: str  # the board it started from
    data: str
    rev: int
    updated: int


@dataclass(frozen=True, slots=True)
class VisionVersionRecord:
    id: str
    vision_id: str
    name: str
    at: int


@dataclass(frozen=True, slots=True)
class ReactionRecord:
    """One reaction of a comment round on one statement (no account: a name at most)."""

    id: str
    vision_id: str
    statement: str
    kind: str  # agree | add | unclear
    comment: str
    name: str
    at: int


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One row of a doc's update log, as the facilitator's change list shows it."""

    position: int
    at: int  # epoch ms
    sender: str  # "role:participant id:name", empty for the server's own changes
    size: int  # bytes


@dataclass(frozen=True, slots=True)
class DocHistory:
    """What is stored of one doc: its snapshot (if any) and the log rows after it."""

    snapshot: bytes | None
    updates: list[bytes]
    # The log position the history reaches (PostgreSQL: the doc's sequence number of
    # its last row, or of the snapshot's last row; 0 for SQLite, which needs none).
    upto: int = 0

    def replayed(self) -> list[bytes]:
        """The updates to apply, in order, to rebuild the doc."""
        return ([self.snapshot] if self.snapshot is not None else []) + self.updates
