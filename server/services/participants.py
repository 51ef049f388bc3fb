"""The facilitator's list of who takes part, and removing one of them.

Removing a participant voids their token (the store keeps the row, so their notes keep
an author and the export a name) and marks them removed in the session doc, so every
facilitator's list drops them at once. Their notes on the board stay; so do their votes
and any drafts not yet revealed. The web layer closes their open sockets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from pycrdt import Map

from boards.schema import notes_map, now_ms
from server.errors import Conflict, NotFound
from server.services.session import Session, session_doc_name
from server.store import BoardRecord, ParticipantRecord, Store
from server.sync.rooms import Rooms

# What a removed participant is told: the API's detail and the sockets' close reason.
REMOVED_DETAIL = "the facilitator removed you from this board"


@dataclass(frozen=True, slots=True)
class Removal:
    participant: ParticipantRecord
    notes_kept: int

    def as_json(self) -> dict[str, Any]:
        return {
            "removed": self.participant.id,
            "name": self.participant.name,
            "notes_kept": self.notes_kept,
            "detail": (
                f"{self.participant.name} can no longer open this board; "
                f"{_notes_phrase(self.notes_kept)} on it"
            ),
        }


def _notes_phrase(count: int) -> str:
    if count == 0:
        return "they have no notes"
    return "their note stays" if count == 1 else f"their {count} notes stay"


async def roster(store: Store, rooms: Rooms, board: BoardRecord) -> list[dict[str, Any]]:
    """Everyone taking part, in the order they joined: id, name, online, notes, joined."""
    people = [p for p in await store.list_participants(board.id) if p.removed is None]
    async with rooms.use(session_doc_name(board.id)) as session_room:
        presence = Session(session_room).get("participants")
    notes = await _notes_by_author(rooms, board)
    return [
        {
            "id": p.id,
            "name": p.name,
            "online": bool((presence.get(p.id) or {}).get("online")),
            "notes": notes[p.id],
            "joined": p.created,
        }
        for p in people
    ]


async def remove(store: Store, rooms: Rooms, board: BoardRecord, participant_id: str) -> Removal:
    """Void the participant's token and mark them removed; their notes stay."""
    found = next(
        (p for p in await store.list_participants(board.id) if p.id == participant_id), None
    )
    if found is None:
        raise NotFound("participant_not_found", f"no participant {participant_id!r} on this board")
    at = now_ms()
    if found.removed is not None or not await store.remove_participant(board.id, found.id, at):
        raise Conflict("already_removed", f"{found.name} was removed from this board already")
    async with rooms.use(session_doc_name(board.id)) as session_room:
        Session(session_room).mark_removed(found.id, at)
        await session_room.durable()
    notes = await _notes_by_author(rooms, board)
    return Removal(found, notes[found.id])


async def _notes_by_author(rooms: Rooms, board: BoardRecord) -> Counter[str]:
    async with rooms.use(board.id) as content:
        return Counter(
            str(note.get("author_id"))
            for note in notes_map(content.doc).values()
            if isinstance(note, Map) and note.get("author_id")
        )
