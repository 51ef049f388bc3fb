"""The plan (step 10) on a board: the målbild's actions as cards in status sections.

A plan board has sections marked `plan: planned|ongoing|done` (the malbild-plan template
has them, `POST /api/boards/{id}/plan` adds them to any board of a målbild). Each action
of the målbild is a note there with `action: <action id>`, its title as the note's text
and `owner`, `due` and `statement` (the statement's text, shown on the card) as fields.

Both ways are kept in step by the server:

- after every save of the målbild (`vision_round.notify`) `sync_boards` writes the cards
  of every plan board of the målbild through `Room.mutate`, so it is logged and sent;
- a change on the board (a card moved to another status section, its text, owner or due
  edited, a card deleted, a facilitator's new note in a status section) is written back
  into the målbild at its rev, then announced like any save; what the målbild cannot take
  (a date that is not one, a card dropped outside the status sections, a status section
  deleted) is put right. Only what changed on the board since the server last wrote or
  read the card is written back (a per-room baseline), so a save of the målbild page
  that has not reached the board yet is never undone by a stale card.

Who may move or edit a card is the guard's business: a card is nobody's note (no
`author_id`), so a participant moves it only where the phase lets them move others'
notes, and edits it only where they may edit others'.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, Map, Text

from boards import schema
from boards.converge import replace_text
from boards.layout import Rect, pack_below
from boards.vision import STATUSES, VisionError, normalize
from server.errors import InvalidInput
from server.services.session import Session, is_board_doc_name, session_doc_name
from server.services.vision import data_of, of_board
from server.store import BoardRecord, Store, VisionRecord
from server.sync.room import Room
from server.sync.rooms import Rooms

log = logging.getLogger(__name__)

PLAN_FIELD = "plan"  # on a section: the status its cards have
ACTION_FIELD = "action"  # on a note: the action it shows
CARD_COLOR = "#d9f2e6"
# The session map whose `rev` tells the boards' pages to reload the målbild
# (`services/vision_round.py` SESSION_MAP).
_SESSION_VISION = "vision"
# Board changes arriving within this window are written back as one save.
_SETTLE_S = 0.15
_ATTEMPTS = 8
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TITLES = {
    "planned": {"sv": "Planerad", "en": "Planned"},
    "ongoing": {"sv": "Pågår", "en": "Ongoing"},
    "done": {"sv": "Klar", "en": "Done"},
}
_PROMPTS = {
    "planned": {
        "sv": "Åtgärd – ansvarig – datum – vilket påstående den tjänar.",
        "en": "Action – owner – date – the statement it serves.",
    },
    "ongoing": {
        "sv": "Flytta hit åtgärder som har börjat.",
        "en": "Move actions here once they have started.",
    },
    "done": {
        "sv": "Flytta hit åtgärder som är genomförda.",
        "en": "Move actions here once they are done.",
    },
}
_FIELDS = ("title", "owner", "due", "status")

# What the server last wrote onto, or read from, each card of a loaded board:
# room -> action id -> {title, owner, due, status}.
_baselines: weakref.WeakKeyDictionary[Room, dict[str, dict[str, str]]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Card:
    note_id: str
    title: str
    owner: str | None  # None: not text (a client wrote something else)
    due: str | None  # None: not a date YYYY-MM-DD nor empty
    status: str | None  # None: lying outside every status section

    @property
    def stray(self) -> bool:
        """Something on the card the målbild cannot take: the server puts it right."""
        return self.owner is None or self.due is None or self.status is None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def plan_sections(doc: Doc[Any]) -> dict[str, str]:
    """status -> id of the (first, by order) section of that status."""
    found: list[tuple[float, str, str]] = []
    for sid, section in schema.sections_map(doc).items():
        if not isinstance(section, Map):
            continue
        status = section.get(PLAN_FIELD)
        order = section.get("order")
        if status in STATUSES:
            rank = float(order) if isinstance(order, int | float) else 0.0
            found.append((rank, sid, str(status)))
    out: dict[str, str] = {}
    for _, sid, status in sorted(found):
        out.setdefault(status, sid)
    return out


def _status_of_section(doc: Doc[Any]) -> dict[str, str]:
    sections = schema.sections_map(doc)
    return {
        sid: str(s.get(PLAN_FIELD))
        for sid, s in sections.items()
        if isinstance(s, Map) and s.get(PLAN_FIELD) in STATUSES
    }


def read_cards(doc: Doc[Any]) -> tuple[dict[str, Card], list[tuple[str, str, str]]]:
    """(action id -> card, [(note id, text, status)] of facilitators' new notes lying in
    a status section). A participant's note (`author_id`) never becomes an action."""
    statuses = _status_of_section(doc)
    cards: dict[str, Card] = {}
    new: list[tuple[str, str, str]] = []
    for nid, note in schema.notes_map(doc).items():
        if not isinstance(note, Map):
            continue
        text = note.get("text")
        title = str(text) if isinstance(text, Text) else _str(text)
        status = statuses.get(_str(note.get("section")))
        aid = note.get(ACTION_FIELD)
        if isinstance(aid, str) and aid:
            if aid not in cards:
                owner, due = note.get("owner"), note.get("due")
                cards[aid] = Card(
                    nid,
                    title,
                    owner if isinstance(owner, str) else None,
                    due if isinstance(due, str) and (due == "" or _DATE.match(due)) else None,
                    status,
                )
        elif status is not None and not note.get("author_id") and title.strip():
            new.append((nid, title, status))
    return cards, new


def _occupied(doc: Doc[Any]) -> list[Rect]:
    boxes = []
    for note in schema.notes_map(doc).values():
        if isinstance(note, Map):
            x, y = note.get("x"), note.get("y")
            if isinstance(x, int | float) and isinstance(y, int | float):
                boxes.append(Rect(float(x), float(y), schema.NOTE_W, schema.NOTE_H))
    return boxes


def _section_rect(doc: Doc[Any], sid: str) -> Rect:
    s = schema.sections_map(doc)[sid]
    return Rect(float(s["x"]), float(s["y"]), float(s["w"]), float(s["h"]))


def write_cards(doc: Doc[Any], data: dict[str, Any], baseline: dict[str, dict[str, str]]) -> bool:
    """Make the board's cards say what the målbild's actions say; True if anything
    changed. Runs inside one transaction (`Room.mutate`)."""
    sections = plan_sections(doc)
    if not sections:
        return False
    changed = False
    if len(sections) < len(STATUSES):
        # A status section was deleted: it comes back, so no card changes its status.
        language = schema.meta_map(doc).get("language")
        _add_sections(doc, language if isinstance(language, str) else "sv")
        sections = plan_sections(doc)
        changed = True
    statements = {s["id"]: s["text"] or s["theme"] for s in data.get("statements", [])}
    cards, _ = read_cards(doc)
    notes = schema.notes_map(doc)
    occupied = _occupied(doc)
    wanted = {a["id"] for a in data["actions"]}
    for action in data["actions"]:
        aid, status = action["id"], action["status"]
        sid = sections[status]
        statement = statements.get(action["statement"] or "", "")
        card = cards.get(aid)
        if card is None:
            (x, y), *_ = pack_below(
                _section_rect(doc, sid),
                occupied,
                1,
                note_w=schema.NOTE_W,
                note_h=schema.NOTE_H,
            )
            occupied.append(Rect(x, y, schema.NOTE_W, schema.NOTE_H))
            notes[schema.new_id()] = Map(
                {
                    "text": Text(action["title"]),
                    "x": x,
                    "y": y,
                    "color": CARD_COLOR,
                    "author": "",
                    "cluster": None,
                    "section": sid,
                    "created": schema.now_ms(),
                    ACTION_FIELD: aid,
                    "owner": action["owner"],
                    "due": action["due"],
                    "statement": statement,
                }
            )
            changed = True
        else:
            note = notes[card.note_id]
            if card.title != action["title"]:
                text = note.get("text")
                if isinstance(text, Text):
                    replace_text(text, action["title"])
                else:
                    note["text"] = Text(action["title"])
                changed = True
            for field, value in (
                ("owner", action["owner"]),
                ("due", action["due"]),
                ("statement", statement),
            ):
                if note.get(field) != value:
                    note[field] = value
                    changed = True
            if card.status != status:
                (x, y), *_ = pack_below(
                    _section_rect(doc, sid),
                    occupied,
                    1,
                    note_w=schema.NOTE_W,
                    note_h=schema.NOTE_H,
                )
                occupied.append(Rect(x, y, schema.NOTE_W, schema.NOTE_H))
                note["x"], note["y"], note["section"], note["cluster"] = x, y, sid, None
                changed = True
        baseline[aid] = {field: action[field] for field in _FIELDS}
    for aid, card in cards.items():
        if aid not in wanted:
            del notes[card.note_id]
            baseline.pop(aid, None)
            changed = True
    return changed


def _baseline(room: Room) -> dict[str, dict[str, str]]:
    found = _baselines.get(room)
    if found is None:
        cards, _ = read_cards(room.doc)
        found = {
            aid: {
                "title": c.title,
                "owner": c.owner or "",
                "due": c.due or "",
                "status": c.status or "",
            }
            for aid, c in cards.items()
        }
        _baselines[room] = found
    return found


def _apply(room: Room, data: dict[str, Any]) -> None:
    baseline = _baseline(room)
    if _differs(room.doc, data):
        room.mutate(lambda doc: write_cards(doc, data, baseline))
        return
    # Already in step: the målbild's values are what the cards show.
    baseline.clear()
    baseline.update({a["id"]: {f: a[f] for f in _FIELDS} for a in data["actions"]})


def _differs(doc: Doc[Any], data: dict[str, Any]) -> bool:
    """Would `write_cards` change anything?"""
    sections = plan_sections(doc)
    if not sections:
        return False
    if len(sections) < len(STATUSES):
        return True
    statements = {s["id"]: s["text"] or s["theme"] for s in data.get("statements", [])}
    cards, _ = read_cards(doc)
    notes = schema.notes_map(doc)
    if set(cards) != {a["id"] for a in data["actions"]}:
        return True
    for action in data["actions"]:
        card = cards[action["id"]]
        note = notes[card.note_id]
        if (card.title, card.owner, card.due, card.status) != (
            action["title"],
            action["owner"],
            action["due"],
            action["status"],
        ):
            return True
        if note.get("statement") != statements.get(action["statement"] or "", ""):
            return True
    return False


async def sync_boards(store: Store, rooms: Rooms, record: VisionRecord) -> None:
    """Write the målbild's actions onto every plan board of it."""
    fresh = await store.get_vision(record.id) or record
    data = data_of(fresh)
    for board_id in await store.vision_boards(record.id):
        async with rooms.use(board_id) as room:
            if plan_sections(room.doc):
                _apply(room, data)


def _add_sections(doc: Doc[Any], language: str) -> None:
    sections = schema.sections_map(doc)
    have = plan_sections(doc)
    orders = [s.get("order") for s in sections.values() if isinstance(s, Map)]
    count = len(orders)
    top = max((float(o) for o in orders if isinstance(o, int | float)), default=-1.0)
    for status in STATUSES:
        if status in have:
            continue
        x, y, w, h = schema.section_position(count)
        count += 1
        top += 1
        sid = schema.add_section(
            doc,
            title=_TITLES[status].get(language, _TITLES[status]["sv"]),
            prompt=_PROMPTS[status].get(language, _PROMPTS[status]["sv"]),
            x=x,
            y=y,
            w=w,
            h=h,
            order=int(top),
        )
        sections[sid][PLAN_FIELD] = status


def _remove(doc: Doc[Any]) -> None:
    notes = schema.notes_map(doc)
    for nid in [n for n, note in notes.items() if isinstance(note, Map) and note.get(ACTION_FIELD)]:
        del notes[nid]
    sections = schema.sections_map(doc)
    for sid in list(_status_of_section(doc)):
        del sections[sid]


async def show(
    store: Store, rooms: Rooms, board: BoardRecord, body: dict[str, Any]
) -> dict[str, Any]:
    """`{"show": true}` gives the board the three status sections and the cards;
    `{"show": false}` takes both away (the plan stays in the målbild)."""
    wanted = body.get("show")
    if not isinstance(wanted, bool):
        raise InvalidInput("invalid_field", f"show: expected true or false, got {wanted!r}")
    record = await of_board(store, board.id)
    async with rooms.use(board.id) as room:
        if wanted:
            if len(plan_sections(room.doc)) < len(STATUSES):
                room.mutate(lambda doc: _add_sections(doc, board.language))
            _apply(room, data_of(await store.get_vision(record.id) or record))
        elif plan_sections(room.doc):
            room.mutate(_remove)
            _baselines.pop(room, None)
        await room.durable()
        cards, _ = read_cards(room.doc)
        sections = plan_sections(room.doc)
    return {"show": wanted, "sections": sections, "cards": len(cards)}


@dataclass
class Edits:
    """What the board changed of the plan since the server last wrote it (`board_edits`)."""

    changed: bool = False
    # (note id, new action id) of each facilitator's note that became an action.
    made: list[tuple[str, str]] = field(default_factory=list)
    # The baseline entries to set once the målbild is saved.
    seen: dict[str, dict[str, str]] = field(default_factory=dict)
    # Actions whose card was deleted on the board.
    removed: list[str] = field(default_factory=list)
    # Some card holds what the målbild cannot take: the server puts it right.
    stray: bool = False


def board_edits(doc: Doc[Any], baseline: dict[str, dict[str, str]], data: dict[str, Any]) -> Edits:
    """Apply to `data` what changed on the board since `baseline`."""
    cards, new = read_cards(doc)
    edits = Edits(stray=any(card.stray for card in cards.values()))
    kept = []
    for action in data["actions"]:
        card = cards.get(action["id"])
        base = baseline.get(action["id"])
        if base is None:
            kept.append(action)  # never on this board yet: the next sync brings it
            continue
        if card is None:
            # Only a facilitator deletes a card (it is nobody's note): the action goes.
            edits.removed.append(action["id"])
            edits.changed = True
            continue
        kept.append(action)
        now = {
            "title": card.title[:500],
            "owner": base["owner"] if card.owner is None else card.owner[:200],
            "due": base["due"] if card.due is None else card.due,
            "status": card.status or base["status"],
        }
        for name in _FIELDS:
            if now[name] != base[name] and now[name] != action[name]:
                action[name] = now[name]
                edits.changed = True
        edits.seen[action["id"]] = {f: action[f] for f in _FIELDS}
    data["actions"] = kept
    for nid, title, status in new:
        aid = schema.new_id()
        data["actions"].append(
            {
                "id": aid,
                "title": title[:500],
                "owner": _str(schema.notes_map(doc)[nid].get("owner"))[:200],
                "due": "",
                "status": status,
                "statement": None,
            }
        )
        edits.made.append((nid, aid))
        edits.changed = True
    return edits


class PlanBoards:
    """Writes what changes on plan boards back into their målbild."""

    def __init__(self, rooms: Rooms, store: Store) -> None:
        self._rooms = rooms
        self._store = store
        self._pending: dict[str, asyncio.Task[None]] = {}
        # Every write-back running, so that none is collected before it ends.
        self._running: set[asyncio.Task[None]] = set()

    def attach(self, room: Room) -> None:
        """Hook a freshly loaded content room (called by Rooms on load)."""
        if not is_board_doc_name(room.name) or room.on_change is not None:
            return
        room.on_change = self._changed
        if plan_sections(room.doc):
            _baseline(room)

    def _changed(self, room: Room) -> None:
        if room.name in self._pending or not plan_sections(room.doc):
            return
        task = asyncio.get_running_loop().create_task(self._settle(room.name))
        self._pending[room.name] = task
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _settle(self, board_id: str) -> None:
        try:
            await asyncio.sleep(_SETTLE_S)
        finally:
            self._pending.pop(board_id, None)
        try:
            await self.write_back(board_id)
        except Exception:
            log.exception("plan board %s: writing the board's changes back failed", board_id)

    async def write_back(self, board_id: str) -> int | None:
        """Save the board's plan edits into the målbild; the new rev, None if none."""
        record = await self._store.vision_of_board(board_id)
        if record is None:
            return None
        async with self._rooms.use(board_id) as room:
            for _ in range(_ATTEMPTS):
                fresh = await self._store.get_vision(record.id) or record
                data = data_of(fresh)
                edits = board_edits(room.doc, _baseline(room), data)
                if not edits.changed:
                    if edits.stray:
                        _apply(room, data_of(fresh))
                    return None
                try:
                    clean = normalize(data)
                except VisionError:
                    log.warning("plan board %s: its plan does not fit the målbild", board_id)
                    return None
                dumped = json.dumps(clean, ensure_ascii=False, separators=(",", ":"))
                rev = await self._store.update_vision(fresh.id, dumped, fresh.rev)
                if rev is None:
                    continue
                baseline = _baseline(room)
                baseline.update(edits.seen)
                for aid in edits.removed:
                    baseline.pop(aid, None)
                made = edits.made
                for _, aid in made:
                    action = next(a for a in clean["actions"] if a["id"] == aid)
                    baseline[aid] = {f: action[f] for f in _FIELDS}

                def mark(doc: Doc[Any], made: list[tuple[str, str]] = made) -> None:
                    notes = schema.notes_map(doc)
                    for nid, aid in made:
                        if nid in notes:
                            notes[nid][ACTION_FIELD] = aid
                            notes[nid]["color"] = CARD_COLOR
                            for name in ("owner", "due", "statement"):
                                if not isinstance(notes[nid].get(name), str):
                                    notes[nid][name] = ""

                if made:
                    room.mutate(mark)
                break
            else:
                return None
        await self._announce(fresh, rev)
        return rev

    async def _announce(self, record: VisionRecord, rev: int) -> None:
        for board_id in await self._store.vision_boards(record.id):
            async with self._rooms.use(session_doc_name(board_id)) as session_room:
                Session(session_room).update(_SESSION_VISION, {"rev": rev})
        await sync_boards(self._store, self._rooms, record)
