"""Keeping and sharing access to a board: the facilitator's key, the co-facilitator's
revocable key and the wall key. Keys are stored as hashes, except the wall's (a
read-only view), so a lost facilitator key is replaced, never recovered."""

from __future__ import annotations

import sqlite3

from server.errors import NotFound
from server.services.principals import hash_secret, new_join_code, new_secret
from server.services.session import Session, session_doc_name
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

_JOIN_CODE_ATTEMPTS = 8


async def rekey_facilitator(store: Store, board_id: str) -> str:
    """A new facilitator key for the board; the old one stops working at once."""
    key = new_secret()
    if not await store.set_facilitator_key_hash(board_id, hash_secret(key)):
        raise NotFound("board_not_found", f"no board {board_id!r}")
    return key


async def issue_cofacilitator(store: Store, board: BoardRecord) -> str:
    """A new co-facilitator key; a link issued before stops working."""
    key = new_secret()
    await store.set_cofacilitator_key_hash(board.id, hash_secret(key))
    return key


async def revoke_cofacilitator(store: Store, board: BoardRecord) -> None:
    await store.set_cofacilitator_key_hash(board.id, None)


async def wall_key(store: Store, board: BoardRecord) -> str:
    """The board's wall key; boards made before it was kept get a new one (their old
    wall link stops working, which only a wall opened before the upgrade notices)."""
    if board.wall_key is not None:
        return board.wall_key
    key = new_secret()
    await store.set_wall_key(board.id, key, hash_secret(key))
    return key


async def renew_join_code(store: Store, rooms: Rooms, board: BoardRecord) -> str:
    """A new join code for the board: the old one stops letting anyone in (a code that
    was posted where it should not be, or a removed participant who would come back);
    those who joined keep their place. The session doc carries the new code, so the
    wall and the facilitators' panels show it at once."""
    for _ in range(_JOIN_CODE_ATTEMPTS):
        code = new_join_code()
        try:
            await store.set_join_code(board.id, code)
        except sqlite3.IntegrityError:
            continue  # another board has it
        async with rooms.use(session_doc_name(board.id)) as room:
            Session(room).update("board", {"join_code": code})
            await room.durable()
        return code
    raise RuntimeError("could not find a free join code")
