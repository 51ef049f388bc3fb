"""Who changed a board: the recent rows of its content doc's update log with their
senders, for the facilitator (`GET /api/boards/{id}/changes`)."""

from __future__ import annotations

from typing import Any

from server.errors import InvalidInput
from server.store import BoardRecord, ChangeRecord, Store

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# A restore is logged as `restore/<checkpoint id>/<who>`: checkpoint ids are url-safe
# base64 and hold no "/", and <who> is the usual `role:participant id:name`.
_RESTORE = "restore/"


def restore_sender(sender: str, checkpoint_id: str) -> str:
    """How the update log names a restore to `checkpoint_id` done by `sender`."""
    return f"{_RESTORE}{checkpoint_id}/{sender}"


def check_limit(raw: str | None) -> int:
    """The `limit` query parameter: 1..MAX_LIMIT, DEFAULT_LIMIT when missing."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(
            "invalid_field", f"limit must be a whole number 1..{MAX_LIMIT}, got {raw!r}"
        )
    return int(raw)


def as_json(change: ChangeRecord) -> dict[str, Any]:
    sender, restored = change.sender, None
    if sender.startswith(_RESTORE):
        restored, _, sender = sender.removeprefix(_RESTORE).partition("/")
    role, _, rest = sender.partition(":")
    participant_id, _, name = rest.partition(":")
    return {
        "position": change.position,
        "at": change.at,
        "role": role or "server",
        "participant_id": participant_id or None,
        "name": name,
        "bytes": change.size,
        # The checkpoint this update restored the board to; null for every other change.
        "restored_checkpoint": restored,
    }


async def recent(store: Store, board: BoardRecord, limit: int) -> list[dict[str, Any]]:
    """The board's last `limit` content updates, newest first (the log keeps the rows
    since its last compaction into a snapshot)."""
    return [as_json(change) for change in await store.recent_changes(board.id, limit)]
