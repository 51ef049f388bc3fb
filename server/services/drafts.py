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
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeGuard

from pycrdt import Doc, Map, Text

from boards import schema
from boards.converge import replace_text
from boards.layout import SECTION_HEADER, Rect, cluster_size, pack_below, section_at
from boards.schema import now_ms
from server.services.session import DRAFTS_INFIX, Session, drafts_doc_name, session_doc_name
from server.store import BoardRecord, Store
from server.sync.room import Room
from server.sync.rooms import Rooms

# The owner name of the facilitator's own drafts doc (server/web/sockets.py).
_FACILITATOR_DRAFTS = "facilitator"


def _notes(doc: Doc[Any]) -> Map[Any]:
    return schema.notes_map(doc)


@dataclass(frozen=True)
class Skipped:
    """An entry the reveal left alone, told to the facilitator: whose, which, why."""

    owner: str  # a participant id, or "board"
    entry: str
    reason: str


def _unrevealed(
    doc: Doc[Any], skipped: list[Skipped] | None = None, owner: str = ""
) -> list[tuple[str, Map[Any]]]:
    """The drafts not yet revealed, in the order they were written; entries that are not
    a note (a participant's client may write anything) go to `skipped` instead."""
    items: list[tuple[str, Map[Any]]] = []
    for nid, note in _notes(doc).items():
        if not isinstance(note, Map):
            if skipped is not None:
                skipped.append(Skipped(owner, nid, "draft is not a note map"))
            continue
        if note.get("revealed"):
            continue
        created = note.get("created")
        if created is not None and not _is_number(created):
            if skipped is not None:
                skipped.append(Skipped(owner, nid, "draft's created is not a number"))
            continue
        items.append((nid, note))
    items.sort(key=lambda item: (_created(item[1]), item[0]))
    return items


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

    async def reveal(self, board: BoardRecord) -> dict[str, Any]:
        """Move every participant's unrevealed drafts onto the board: each into the section
        it was written for (else the one the facilitator has up), in a compact grid below
        what is already there. Malformed entries are skipped and listed in `skipped`."""
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
            moved, skipped = self._move(content, drafts)
            session = Session(session_room)
            for pid, name, room in drafts:
                session.set_drafts(pid, name, len(_unrevealed(room.doc)))
            await content.durable()
        return {
            "revealed": moved,
            "skipped": [{"owner": s.owner, "entry": s.entry, "reason": s.reason} for s in skipped],
        }

    def _move(
        self, content: Room, drafts: list[tuple[str, str, Room]]
    ) -> tuple[int, list[Skipped]]:
        skipped: list[Skipped] = []
        batches: list[tuple[str, str, Room, list[tuple[str, Map[Any]]]]] = []
        for pid, name, room in drafts:
            items = _unrevealed(room.doc, skipped, pid)
            if items:
                batches.append((pid, name, room, items))
        if not batches:
            return 0, skipped
        board = _BoardSpace.read(content.doc, skipped)
        question = self._question(content.name)
        home = (
            question
            if question in board.rects
            else board.default_section(self._follow_point(content.name))
        )
        board_notes = _notes(content.doc)
        # Group by target section, in the order people wrote (created, then id), so
        # each section's grid reads like the room's brainstorm.
        wanted: dict[str | None, list[tuple[str, str, str, Map[Any]]]] = {}
        for pid, name, _, items in batches:
            for nid, note in items:
                if nid in board_notes:
                    continue  # revealed before, by a reveal that was interrupted
                target = note.get("section")
                sid = target if isinstance(target, str) and target in board.rects else home
                wanted.setdefault(sid, []).append((pid, name, nid, note))
        copies: list[tuple[str, dict[str, Any], str]] = []
        for sid, entries in wanted.items():
            entries.sort(key=lambda e: (_created(e[3]), e[2]))
            slots = board.slots(sid, len(entries))
            for (pid, name, nid, note), (x, y) in zip(entries, slots, strict=True):
                color = note.get("color")
                author = note.get("author")
                fields: dict[str, Any] = {
                    "x": x,
                    "y": y,
                    "section": sid,
                    "cluster": None,
                    # A participant's notes carry the name they joined with, never what
                    # their client wrote; the facilitator's drafts keep theirs.
                    "author": author
                    if pid == _FACILITATOR_DRAFTS and isinstance(author, str) and author
                    else name,
                    "author_id": pid,
                    "created": _created(note) or now_ms(),
                    "color": color
                    if isinstance(color, str) and color
                    else schema.DEFAULT_NOTE_COLOR,
                }
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
        return len(copies), skipped

    def _question(self, board_id: str) -> str | None:
        """The question the facilitator has put up, if any (session `board.question`)."""
        room = self._rooms.get(session_doc_name(board_id))
        if room is None:
            return None
        question = Session(room).get("board").get("question")
        return question if isinstance(question, str) else None

    def _follow_point(self, board_id: str) -> tuple[float, float] | None:
        """The board point the facilitator shows everyone (follow me), if they do."""
        room = self._rooms.get(session_doc_name(board_id))
        if room is None:
            return None
        follow = Session(room).get("follow")
        x, y = follow.get("x"), follow.get("y")
        if follow.get("active") and _is_number(x) and _is_number(y):
            return float(x), float(y)
        return None


class _BoardSpace:
    """The board's sections and what already lies in each, read defensively: a malformed
    entry (a participant may write anything while the brainstorm runs) is skipped and
    reported, never allowed to stop the reveal."""

    def __init__(self, rects: dict[str, Rect], order: list[str], occupied: list[Rect]) -> None:
        self.rects = rects
        self.order = order
        self.occupied = occupied

    @classmethod
    def read(cls, doc: Doc[Any], skipped: list[Skipped]) -> _BoardSpace:
        found: list[tuple[float, str, Rect]] = []
        for sid, section in schema.sections_map(doc).items():
            box = _rect(section, ("x", "y", "w", "h"))
            order = section.get("order", 0) if isinstance(section, Map) else None
            if box is None or not _is_number(order):
                skipped.append(Skipped("board", sid, "section without a numeric x, y, w, h, order"))
                continue
            found.append((float(order), sid, box))
        found.sort(key=lambda item: (item[0], item[1]))
        occupied: list[Rect] = []
        for nid, note in _notes(doc).items():
            box = _rect(note, ("x", "y"), (schema.NOTE_W, schema.NOTE_H))
            if box is None:
                skipped.append(
                    Skipped("board", nid, "note without a numeric x, y (left out of the layout)")
                )
            else:
                occupied.append(box)
        for cid, cluster in schema.clusters_map(doc).items():
            count = sum(
                1 for n in _notes(doc).values() if isinstance(n, Map) and n.get("cluster") == cid
            )
            size = cluster_size(count, note_w=schema.NOTE_W, note_h=schema.NOTE_H)
            box = _rect(cluster, ("x", "y"), size)
            if box is not None:
                occupied.append(box)
        return cls({sid: box for _, sid, box in found}, [sid for _, sid, _ in found], occupied)

    def default_section(self, point: tuple[float, float] | None) -> str | None:
        """The section the facilitator has up (follow me), else the first one."""
        if point is not None:
            hit = section_at([(sid, self.rects[sid]) for sid in self.order], *point)
            if hit is not None:
                return hit
        return self.order[0] if self.order else None

    def slots(self, sid: str | None, count: int) -> list[tuple[float, float]]:
        if sid is not None:
            area = self.rects[sid]
        else:
            # No sections: a band right of everything on the board.
            right = max((r.right for r in self.occupied), default=0.0)
            area = Rect(right + 96, -SECTION_HEADER, 8 * (schema.NOTE_W + 16), 0)
        slots = pack_below(area, self.occupied, count, note_w=schema.NOTE_W, note_h=schema.NOTE_H)
        self.occupied.extend(Rect(x, y, schema.NOTE_W, schema.NOTE_H) for x, y in slots)
        return slots


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _rect(
    entry: object, keys: tuple[str, ...], size: tuple[float, float] | None = None
) -> Rect | None:
    """The entry's box, or None when it is not a map of finite numbers."""
    if not isinstance(entry, Map):
        return None
    numbers: list[float] = []
    for key in keys:
        value = entry.get(key)
        if not _is_number(value):
            return None
        numbers.append(float(value))
    w, h = size if size is not None else (numbers[2], numbers[3])
    return Rect(numbers[0], numbers[1], w, h)


def _created(note: Map[Any]) -> float:
    value = note.get("created")
    return float(value) if _is_number(value) else 0.0


def _mark_revealed(ids: list[str]) -> Callable[[Doc[Any]], None]:
    def write(doc: Doc[Any]) -> None:
        notes = _notes(doc)
        for nid in ids:
            notes[nid]["revealed"] = True

    return write
