"""The målbild on every board of its journey: who may read it, the writing round, the news.

Each board linked to the målbild has a `vision` map in its session doc (server-written):
`rev` is the document's revision, bumped on every save so that every open board reloads
it, and `round` / `parts` say which parts the facilitator has opened to participants of
that board. A part edit carries the text it started from; if someone saved that part in
between, it is refused with 409 and the text now, so the editor can keep both people's
words (the client offers the merge), instead of one overwriting the other.
"""

from __future__ import annotations

import json
from typing import Any

from boards import vision as vision_doc
from boards import vision_parts
from server.errors import Conflict, InvalidInput, NotAllowed
from server.services import plan_board
from server.services.principals import Principal, Role
from server.services.session import Session, session_doc_name
from server.services.vision import data_of
from server.store import BoardRecord, Store, VisionRecord
from server.sync.rooms import Rooms

SESSION_MAP = "vision"
# A part save reads the document, changes one part and writes it at that rev; another
# part's save in between only means reading again.
_ATTEMPTS = 8


class PartChanged(Conflict):
    """Someone saved this part since the editor loaded it; `current` is its text now."""

    def __init__(self, current: str) -> None:
        super().__init__(
            "part_changed",
            "someone saved this part while you wrote; both texts are shown, merge and save again",
        )
        self.current = current


async def notify(store: Store, rooms: Rooms, record: VisionRecord, rev: int) -> None:
    """Tell every board of the målbild that it is at `rev` now (their pages reload it)."""
    for board_id in await store.vision_boards(record.id):
        async with rooms.use(session_doc_name(board_id)) as room:
            Session(room).update(SESSION_MAP, {"rev": rev})
    await plan_board.sync_boards(store, rooms, record)


async def round_state(rooms: Rooms, board: BoardRecord) -> dict[str, Any]:
    async with rooms.use(session_doc_name(board.id)) as room:
        state = Session(room).get(SESSION_MAP)
    return {"round": bool(state.get("round")), "parts": list(state.get("parts") or [])}


async def set_round(
    store: Store, rooms: Rooms, board: BoardRecord, record: VisionRecord, body: dict[str, Any]
) -> dict[str, Any]:
    """Open the chosen parts to this board's participants, or close the round."""
    is_open = body.get("open")
    if not isinstance(is_open, bool):
        raise InvalidInput("invalid_field", f"open: expected true or false, got {is_open!r}")
    parts: list[str] = []
    if is_open:
        try:
            parts = vision_parts.check_parts(data_of(record), body.get("parts"))
        except vision_doc.VisionError as exc:
            raise InvalidInput("invalid_field", str(exc)) from None
        if not parts:
            raise InvalidInput("invalid_field", "parts: open at least one part")
    async with rooms.use(session_doc_name(board.id)) as room:
        session = Session(room)
        session.update(SESSION_MAP, {"round": is_open, "parts": parts, "rev": record.rev})
        await room.durable()
    return {"round": is_open, "parts": parts}


async def _may_edit(rooms: Rooms, board: BoardRecord, principal: Principal, part: str) -> None:
    if principal.is_facilitator:
        return
    if principal.role is not Role.PARTICIPANT:
        raise NotAllowed("read_only", "the wall shows the målbild; it cannot change it")
    state = await round_state(rooms, board)
    if not state["round"]:
        raise NotAllowed(
            "round_closed", "the målbild is open for writing only when the facilitator opens it"
        )
    if part not in state["parts"]:
        raise NotAllowed(
            "part_closed",
            f"the facilitator has opened {state['parts']!r} for writing, not {part!r}",
        )


async def save_part(
    store: Store,
    rooms: Rooms,
    board: BoardRecord,
    principal: Principal,
    record: VisionRecord,
    body: dict[str, Any],
) -> int:
    """Write one part (`part`, `item`, `base`, `text`); the new rev.

    403 outside the parts this caller may write now, 409 `part_changed` (with the text
    now) when the part moved on since `base`.
    """
    part, item = body.get("part"), body.get("item")
    if not isinstance(part, str):
        raise InvalidInput("invalid_field", f"part: expected a part name, got {part!r}")
    if item is not None and not isinstance(item, str):
        raise InvalidInput("invalid_field", f"item: expected an item id or null, got {item!r}")
    await _may_edit(rooms, board, principal, part)
    for _ in range(_ATTEMPTS):
        fresh = await store.get_vision(record.id) or record
        try:
            changed = vision_parts.edit(
                data_of(fresh), part, item, body.get("base"), body.get("text")
            )
            clean = vision_doc.normalize(changed)
        except vision_parts.Stale as exc:
            raise PartChanged(exc.current) from None
        except vision_doc.VisionError as exc:
            raise InvalidInput("invalid_field", str(exc)) from None
        dumped = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
        rev = await store.update_vision(record.id, dumped, fresh.rev)
        if rev is not None:
            await notify(store, rooms, record, rev)
            return rev
    raise Conflict("busy", "the målbild is being saved by many people at once; try again")
