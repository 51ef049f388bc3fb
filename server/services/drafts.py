"""Private drafts during a silent brainstorm, and their reveal onto the board.

Each participant writes into their own drafts doc (`{board}/drafts/{participant}`),
laid out like the content doc's `notes`. Only that participant's socket can open it;
the session doc shows everyone how many drafts each person has, never the text.

`reveal` copies every unrevealed draft onto the board under the same id, then marks it
revealed in the drafts doc. Both happen without an await in between, so no update can
slip in; running it twice copies nothing twice. Keystrokes already on their way when
the reveal ran land in the draft and are mirrored onto the board copy, as long as
nobody has edited that copy on the board since.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, Text

from boards import schema
from boards.facilitation import Area, reveal_layout
from boards.schema import now_ms
from server.services.session import DRAFTS_INFIX, Session, drafts_doc_name, session_doc_name
from server.store import BoardRecord, Store
from server.sync.room import Room
from server.sync.rooms import Rooms

# Note fields copied from a draft to the board; anything else a client added stays private.
_COPIED = ("x", "y", "color", "author", "created")


def _notes(doc: Doc[Any]) -> Map[Any]:
    return schema.notes_map(doc)


def _unrevealed(doc: Doc[Any]) -> list[tuple[str, Map[Any]]]:
    items = [(nid, note) for nid, note in _notes(doc).items() if not note.get("revealed")]
    items.sort(key=lambda item: (float(item[1].get("created") or 0), item[0]))
    return items


def replace_text(text: Text, new: str) -> None:
    """Turn `text` into `new` by one delete and one insert around their common ends."""
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    if len(old) - end > start:
        del text[start : len(old) - end]
    if len(new) - end > start:
        text.insert(start, new[start : len(new) - end])


class Drafts:
    """Draft counting, reveal and mirroring for every board of this process."""

    def __init__(self, rooms: Rooms, store: Store) -> None:
        self._rooms = rooms
        self._store = store
        self._names: dict[str, str] = {}
        # note id -> the text it had on the board when it was revealed or last mirrored.
        self._mirrored: dict[str, str] = {}

    def attach(self, room: Room) -> None:
        """Hook a freshly loaded drafts room (called by Rooms on load)."""
        if DRAFTS_INFIX in room.name:
            room.on_change = self._changed

    def participant_joined(self, room: Room, participant_id: str, name: str) -> None:
        self._names[room.name] = name
        self._publish_count(room, participant_id)

    def _publish_count(self, room: Room, participant_id: str | None = None) -> None:
        board_id, _, pid = room.name.partition(DRAFTS_INFIX)
        session_room = self._rooms.get(session_doc_name(board_id))
        if session_room is None:
            return
        count = len(_unrevealed(room.doc))
        Session(session_room).set_drafts(
            participant_id or pid, self._names.get(room.name, ""), count
        )

    def _changed(self, room: Room) -> None:
        self._publish_count(room)
        self._mirror(room)

    def _mirror(self, room: Room) -> None:
        board_id = room.name.partition(DRAFTS_INFIX)[0]
        content = self._rooms.get(board_id)
        if content is None:
            return
        board_notes = _notes(content.doc)
        edits: list[tuple[str, str]] = []
        for nid, note in _notes(room.doc).items():
            if not note.get("revealed") or nid not in self._mirrored or nid not in board_notes:
                continue
            draft_text = str(note.get("text") or "")
            board_text = str(board_notes[nid]["text"])
            if draft_text != board_text and board_text == self._mirrored[nid]:
                edits.append((nid, draft_text))
        if not edits:
            return

        def write(doc: Doc[Any]) -> None:
            notes = _notes(doc)
            for nid, text in edits:
                replace_text(notes[nid]["text"], text)
                self._mirrored[nid] = text

        content.mutate(write)

    async def reveal(self, board: BoardRecord) -> dict[str, int]:
        """Move every participant's unrevealed drafts onto the board, laid out by author."""
        participants = await self._store.list_participants(board.id)
        async with contextlib.AsyncExitStack() as stack:
            content = await stack.enter_async_context(self._rooms.use(board.id))
            session_room = await stack.enter_async_context(
                self._rooms.use(session_doc_name(board.id))
            )
            drafts: list[tuple[str, str, Room]] = []
            for participant in participants:
                room = await stack.enter_async_context(
                    self._rooms.use(drafts_doc_name(board.id, participant.id))
                )
                drafts.append((participant.id, participant.name, room))
            # From here on nothing awaits: the reveal is atomic for everyone else.
            moved = self._move(content, drafts)
            session = Session(session_room)
            for pid, name, room in drafts:
                session.set_drafts(pid, name, len(_unrevealed(room.doc)))
            await content.durable()
        return {"revealed": moved}

    def _move(self, content: Room, drafts: list[tuple[str, str, Room]]) -> int:
        batches = [(pid, name, room, _unrevealed(room.doc)) for pid, name, room in drafts]
        batches = [batch for batch in batches if batch[3]]
        if not batches:
            return 0
        board_notes = _notes(content.doc)
        sections = schema.sections_map(content.doc)
        # Each draft goes to the question it was written under (its `section`); one
        # without a known section goes to the first question, as before.
        groups: dict[str | None, list[tuple[str, str, list[tuple[str, Map[Any]]]]]] = {}
        for pid, name, _, items in batches:
            by_section: dict[str | None, list[tuple[str, Map[Any]]]] = {}
            for nid, note in items:
                wanted = note.get("section")
                key = wanted if isinstance(wanted, str) and wanted in sections else None
                by_section.setdefault(key, []).append((nid, note))
            for key, notes in by_section.items():
                groups.setdefault(key, []).append((pid, name, notes))
        copies: list[tuple[str, dict[str, Any], str]] = []
        for wanted, authors in groups.items():
            area, section_id, start_y = self._brainstorm_area(content.doc, wanted)
            layout = reveal_layout(
                [(pid, len(notes)) for pid, _, notes in authors],
                area,
                note_w=schema.NOTE_W,
                note_h=schema.NOTE_H,
                start_y=start_y,
            )
            for pid, name, notes in authors:
                for (nid, note), (x, y) in zip(notes, layout[pid], strict=True):
                    if nid in board_notes:
                        continue  # revealed before, by a reveal that was interrupted
                    fields: dict[str, Any] = {key: note.get(key) for key in _COPIED}
                    fields.update(x=x, y=y, section=section_id, cluster=None)
                    fields["author"] = fields.get("author") or name
                    fields["author_id"] = pid
                    fields["created"] = fields.get("created") or now_ms()
                    fields["color"] = fields.get("color") or schema.DEFAULT_NOTE_COLOR
                    copies.append((nid, fields, str(note.get("text") or "")))

        def add(doc: Doc[Any]) -> None:
            notes = _notes(doc)
            for nid, fields, text in copies:
                notes[nid] = Map({**fields, "text": Text(text)})
                self._mirrored[nid] = text

        if copies:
            content.mutate(add)
        for _, _, room, items in batches:
            ids = [nid for nid, _ in items]
            room.mutate(_mark_revealed(ids))
        return len(copies)

    @staticmethod
    def _brainstorm_area(
        doc: Doc[Any], wanted: str | None = None
    ) -> tuple[Area, str | None, float | None]:
        """Section `wanted`, else the first section of the template, else free space right
        of everything."""
        sections = sorted(
            schema.sections_map(doc).items(), key=lambda item: float(item[1].get("order") or 0)
        )
        notes = list(_notes(doc).values())
        chosen = [item for item in sections if item[0] == wanted] or sections[:1]
        if chosen:
            sid, section = chosen[0]
            area = Area(float(section["x"]), float(section["y"]), float(section["w"]))
            inside = [float(n["y"]) for n in notes if n.get("section") == sid]
            start = max(inside) + schema.NOTE_H + 48 if inside else None
            return area, sid, start
        right = max((float(n.get("x") or 0) for n in notes), default=-schema.NOTE_W)
        area = Area(right + schema.NOTE_W + 96, 0.0, 12 * (schema.NOTE_W + 16))
        return area, None, 0.0


def _mark_revealed(ids: list[str]) -> Callable[[Doc[Any]], None]:
    def write(doc: Doc[Any]) -> None:
        notes = _notes(doc)
        for nid in ids:
            notes[nid]["revealed"] = True

    return write
