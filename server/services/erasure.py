"""Personal data: deleting a board or a journey for good, and the retention period after
which participants' names become "Deltagare N" ("Participant N" on English boards).

Deleting closes the board's live rooms (so nothing writes after the delete), removes
every row of it in one transaction, then VACUUMs: the text leaves the file's bytes, not
only the tables. Renaming rewrites the names in the docs and folds each doc's log into
one snapshot, so the old names are not kept in the update history either.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pycrdt import Doc, Map

from boards import schema
from server.errors import NotAllowed
from server.services.principals import Principal
from server.services.session import drafts_doc_name, session_doc_name
from server.store import BoardRecord, JourneyRecord, Store
from server.sync.protocol import CloseCode
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)
RETENTION_EVERY_S = 3600.0
_DAY_MS = 24 * 60 * 60 * 1000
_PLACEHOLDER = {"sv": "Deltagare {n}", "en": "Participant {n}"}


async def _doc_names(store: Store, board_id: str) -> list[str]:
    owners = [p.id for p in await store.list_participants(board_id)] + ["facilitator"]
    return [board_id, session_doc_name(board_id)] + [drafts_doc_name(board_id, o) for o in owners]


async def delete_board(
    store: Store, rooms: Rooms, board: BoardRecord, *, vacuum: bool = True
) -> None:
    """Close the board's rooms (clients get 4404 and stop), delete it, reclaim the space."""
    for name in await _doc_names(store, board.id):
        room = rooms.get(name)
        if room is not None:
            # Close flushes what is pending first; the delete below runs after it (FIFO).
            await room.close(code=CloseCode.NOT_FOUND, reason="the board was deleted")
    await store.delete_board(board.id)
    if vacuum:
        await store.reclaim_space()


async def delete_board_as(
    principal: Principal, store: Store, rooms: Rooms, board: BoardRecord
) -> None:
    """`delete_board`, by the facilitator proper (the key's holder or a member of the
    owning organisation): a co-facilitator runs the workshop but cannot erase it."""
    if not principal.is_owner:
        raise NotAllowed(
            "forbidden", "only the board's facilitator may delete it for good, not a co-facilitator"
        )
    await delete_board(store, rooms, board)


async def delete_journey(store: Store, rooms: Rooms, journey: JourneyRecord) -> int:
    """Every board of the journey, then the journey; returns how many boards went."""
    links = await store.journey_boards(journey.id)
    for link in links:
        board = await store.get_board(link.board_id)
        if board is not None:
            await delete_board(store, rooms, board, vacuum=False)
    await store.delete_journey(journey.id)
    await store.reclaim_space()
    return len(links)


def _rename_content(doc: Doc[Any], by_id: dict[str, str], by_name: dict[str, str]) -> None:
    notes = schema.notes_map(doc)
    with doc.transaction():
        for nid in list(notes.keys()):
            note = notes[nid]
            author = note.get("author")
            new = by_id.get(str(note.get("author_id", ""))) or by_name.get(str(author))
            if author and new and author != new:
                note["author"] = new


def _rename_session(doc: Doc[Any], by_id: dict[str, str]) -> None:
    with doc.transaction():
        for root in ("participants", "drafts"):
            entries = doc.get(root, type=Map)
            for pid, value in list(entries.items()):
                if pid in by_id and isinstance(value, Map):
                    entries[pid] = Map({**(value.to_py() or {}), "name": by_id[pid]})


async def _rewrite(store: Store, rooms: Rooms, name: str, change: Any, *args: Any) -> None:
    async with rooms.use(name) as room:
        room.mutate(lambda doc: change(doc, *args))
        await room.durable()
        # The whole state, after every appended update: the log with the old names goes.
        await store.compact(name, room.doc.get_update())


async def apply_retention(store: Store, rooms: Rooms, days: int, now_ms: int) -> int:
    """Rename every participant who joined more than `days` days ago; returns how many."""
    found = await store.participants_before(now_ms - days * _DAY_MS)
    boards = sorted({board_id for board_id, _, _ in found})
    renamed = 0
    for board_id in boards:
        board = await store.get_board(board_id)
        if board is None:
            continue
        order = [p.id for p in await store.list_participants(board_id)]
        words = _PLACEHOLDER.get(board.language, _PLACEHOLDER["sv"])
        old = {pid: n for b, pid, n in found if b == board_id}
        by_id = {pid: words.format(n=order.index(pid) + 1) for pid in old}
        by_name = {old[pid]: new for pid, new in by_id.items()}
        await store.rename_participants(by_id)
        await _rewrite(store, rooms, board_id, _rename_content, by_id, by_name)
        await _rewrite(store, rooms, session_doc_name(board_id), _rename_session, by_id)
        for pid in by_id:
            drafts = drafts_doc_name(board_id, pid)
            await _rewrite(store, rooms, drafts, _rename_content, by_id, by_name)
        renamed += len(by_id)
    if renamed:
        await store.reclaim_space()
    return renamed


async def retention_loop(store: Store, rooms: Rooms, days: int) -> None:
    """Apply the retention period now and then every hour, for as long as the app runs."""
    while True:
        try:
            renamed = await apply_retention(store, rooms, days, schema.now_ms())
        except Exception:
            log.exception("retention: renaming participants failed; retried in an hour")
        else:
            if renamed:
                log.info("retention: %d participants' names replaced", renamed)
        await asyncio.sleep(RETENTION_EVERY_S)
