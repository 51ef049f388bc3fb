"""Named checkpoints of a board: saved states that can be viewed and forked."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from boards import schema
from server.errors import InvalidInput, NotFound
from server.services.registry import NewBoard, create_board
from server.services.session import session_doc_name
from server.store import BoardRecord, CheckpointRecord, Store
from server.sync.rooms import Rooms

MAX_NAME = 120


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("invalid_field", "name must be a non-empty string")
    name = " ".join(value.split())
    if len(name) > MAX_NAME:
        raise InvalidInput("invalid_field", f"name must be at most {MAX_NAME} characters")
    return name


async def take(rooms: Rooms, store: Store, board: BoardRecord, name: object) -> CheckpointRecord:
    """Save the board's content and session as they are now, everything on disk first."""
    clean = _name(name)
    async with rooms.use(board.id) as content, rooms.use(session_doc_name(board.id)) as session:
        content_state = content.doc.get_update()
        session_state = session.doc.get_update()
        await content.durable()
        await session.durable()
    record = CheckpointRecord(schema.new_id(), board.id, clean, schema.now_ms())
    await store.create_checkpoint(record, content_state, session_state)
    return record


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
