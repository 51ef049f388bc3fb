"""Named checkpoints of a board: saved states that can be viewed, forked and restored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.converge import Converged, restoring_update
from server.errors import InvalidInput, NotFound
from server.services import changes
from server.services.registry import NewBoard, create_board
from server.services.session import session_doc_name
from server.store import BoardRecord, CheckpointRecord, Store
from server.sync.rooms import Rooms

MAX_NAME = 120
# The name of the checkpoint a restore takes first, in the board's language.
_BEFORE_RESTORE = {"sv": "Före återställning till {name}", "en": "Before restoring to {name}"}


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("invalid_field", "name must be a non-empty string")
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise InvalidInput("invalid_field", f"name must be at most {MAX_NAME} characters")
    return name


async def _save(
    store: Store, board: BoardRecord, name: str, content_state: bytes, session_state: bytes
) -> CheckpointRecord:
    record = CheckpointRecord(schema.new_id(), board.id, name, schema.now_ms())
    await store.create_checkpoint(record, content_state, session_state)
    return record


async def take(rooms: Rooms, store: Store, board: BoardRecord, name: object) -> CheckpointRecord:
    """Save the board's content and session as they are now, everything on disk first."""
    clean = _name(name)
    async with rooms.use(board.id) as content, rooms.use(session_doc_name(board.id)) as session:
        content_state = content.doc.get_update()
        session_state = session.doc.get_update()
        await content.durable()
        await session.durable()
    return await _save(store, board, clean, content_state, session_state)


def as_json(record: CheckpointRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "at": record.at}


async def states(store: Store, board: BoardRecord, checkpoint_id: str) -> tuple[bytes, bytes]:
    found = await store.checkpoint_states(board.id, checkpoint_id)
    if found is None:
        raise NotFound("checkpoint_not_found", f"no checkpoint {checkpoint_id!r}")
    return found


async def fork(
    store: Store, board: BoardRecord, checkpoint_id: str, title: object | None
) -> NewBoard:
    """A new board whose content starts as the checkpoint's; its own facilitator key."""
    content, _ = await states(store, board, checkpoint_id)
    checkpoint = next(c for c in await store.list_checkpoints(board.id) if c.id == checkpoint_id)
    new_title = title if title is not None else f"{board.title} ({checkpoint.name})"

    def build(doc: Doc[Any]) -> None:
        doc.apply_update(content)
        meta = schema.meta_map(doc)
        with doc.transaction():
            meta["title"] = " ".join(str(new_title).split())
            meta["created"] = schema.now_ms()

    return await create_board(store, new_title, board.template, board.language, build=build)


@dataclass(frozen=True)
class Restored:
    """A restore done: the checkpoint, the one taken just before it, what changed."""

    checkpoint: CheckpointRecord
    before: CheckpointRecord
    changes: Converged

    def as_json(self) -> dict[str, Any]:
        roots = self.changes.roots
        return {
            "checkpoint": as_json(self.checkpoint),
            "before": as_json(self.before),
            "title_changed": self.changes.meta_changed,
            **{
                kind: {name: getattr(tally, kind) for name, tally in roots.items()}
                for kind in ("restored", "removed", "changed")
            },
        }


def _before_name(board: BoardRecord, checkpoint: CheckpointRecord) -> str:
    words = _BEFORE_RESTORE.get(board.language, _BEFORE_RESTORE["sv"])
    name = words.format(name=checkpoint.name)
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


async def restore(
    rooms: Rooms, store: Store, board: BoardRecord, checkpoint_id: str, *, sender: str
) -> Restored:
    """Turn the live board's content back into the checkpoint's, as one new update.

    The update goes through the room like any server-side edit: it is logged (under
    `sender`, marked as a restore, in the change history), broadcast to everyone
    connected, and on disk before this returns. The board keeps its id and join code.
    First the current state is saved as a checkpoint of its own, so a restore can be
    undone by restoring that one.

    Only the content doc is rolled back. The session doc (phase, timer, voting, lock,
    follow, who is here) says how the workshop runs now, not what it produced: rolling
    it back would reopen a brainstorm or a vote behind the facilitator's back. Votes
    stay too: they are participants' own budgets, kept in the store, and a vote on a
    note the restore removes counts for nothing, as after any deletion. Drafts are
    private to their writers and were never part of a checkpoint.
    """
    wanted_state, _ = await states(store, board, checkpoint_id)
    checkpoint = next(c for c in await store.list_checkpoints(board.id) if c.id == checkpoint_id)
    logged_as = changes.restore_sender(sender, checkpoint_id)
    async with rooms.use(board.id) as content, rooms.use(session_doc_name(board.id)) as session:
        # Nothing awaits between reading the state and the restore: the "before"
        # checkpoint holds exactly what the restore replaces, with no edit slipping in
        # between that would be rolled back and kept nowhere.
        before_content = content.doc.get_update()
        before_session = session.doc.get_update()
        update, changed = restoring_update(before_content, wanted_state)
        content.mutate(lambda doc: doc.apply_update(update), sender=logged_as)
        await content.durable()
        await session.durable()
    # Saved after the restore, not before: saving first would leave a gap (an await) in
    # which edits reach the board that the restore then rolls back and no checkpoint
    # holds. The writer commits this right after the restore; should the process die in
    # that moment, the restore stands and the old state is only in the update log.
    before = await _save(
        store, board, _before_name(board, checkpoint), before_content, before_session
    )
    return Restored(checkpoint, before, changed)
