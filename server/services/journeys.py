"""The journey (resa): one library's målbild process, its ten steps and their boards.

Starting a step makes its boards from the previous step's result (`boards/method.py`
says how), owned by the journey's organisation, so every facilitator of it opens them.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.bulk import MAX_NOTE_CHARS, MAX_NOTES
from boards.continuation import DEEPENING_TEMPLATE, write_copy, write_deepening
from boards.method import STATUSES, STEPS, Step, step
from boards.model import Board
from boards.rollup import ROLLUP_TEMPLATE, GroupBoard, write_rollup
from server.errors import Conflict, InvalidInput, NotFound
from server.services.docs import IMPORT_VOTER, board_view
from server.services.journey import add_bulk_notes
from server.services.registry import MAX_NAME, MAX_TITLE, NewBoard, create_board
from server.store import BoardRecord, JourneyBoardRecord, JourneyRecord, Store
from server.sync.rooms import Rooms

MAX_GROUPS = 30


def _clean(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("invalid_field", f"{field}: expected a non-empty string")
    text = " ".join(value.split())
    if len(text) > limit:
        raise InvalidInput("invalid_field", f"{field}: at most {limit} characters")
    return text


async def create_journey(
    store: Store, org_id: str, title: object, language: object
) -> JourneyRecord:
    if language not in schema.LANGUAGES:
        raise InvalidInput("invalid_field", f"language: expected one of {list(schema.LANGUAGES)}")
    assert isinstance(language, str)
    journey = JourneyRecord(
        schema.new_id(), org_id, _clean(title, "title", MAX_TITLE), language, schema.now_ms()
    )
    await store.create_journey(journey, len(STEPS))
    return journey


async def get_journey(store: Store, journey_id: str) -> JourneyRecord:
    found = await store.get_journey(journey_id)
    if found is None:
        raise NotFound("journey_not_found", f"no journey {journey_id!r}")
    return found


def _step(number: object) -> Step:
    try:
        return step(int(str(number)))
    except (KeyError, ValueError):
        raise NotFound(
            "step_not_found", f"expected a step 1 to {len(STEPS)}, got {number!r}"
        ) from None


def _date(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInput(
            "invalid_field", f"{field}: expected YYYY-MM-DD, got {value!r}"
        ) from None


async def plan_step(
    store: Store, journey: JourneyRecord, number: object, data: dict[str, Any]
) -> None:
    """Set a step's status and dates (only the fields given)."""
    wanted = _step(number)
    current = next(s for s in await store.journey_steps(journey.id) if s.step == wanted.number)
    status = data.get("status", current.status)
    if status not in STATUSES:
        raise InvalidInput("invalid_field", f"status: expected one of {list(STATUSES)}")
    starts = _date(data["starts"], "starts") if "starts" in data else current.starts
    ends = _date(data["ends"], "ends") if "ends" in data else current.ends
    await store.set_journey_step(replace(current, status=status, starts=starts, ends=ends))


# -- reading the journey -------------------------------------------------------------------


async def live_view(store: Store, rooms: Rooms, record: BoardRecord) -> Board:
    async with rooms.use(record.id) as room:
        return await board_view(store, record, room.doc)


async def _result_view(store: Store, rooms: Rooms, record: BoardRecord) -> Board:
    """The result of a board: its Målbild checkpoint (the newest naming 0.5 or 1.0, else
    the newest), or the live board when it has none."""
    checkpoints = await store.list_checkpoints(record.id)
    if not checkpoints:
        return await live_view(store, rooms, record)
    named = [c for c in checkpoints if "0.5" in c.name or "1.0" in c.name]
    chosen = (named or checkpoints)[-1]
    found = await store.checkpoint_states(record.id, chosen.id)
    assert found is not None
    doc: Doc[Any] = Doc()
    doc.apply_update(found[0])
    return await board_view(store, record, doc)


async def _boards(
    store: Store, journey: JourneyRecord
) -> list[tuple[JourneyBoardRecord, BoardRecord]]:
    pairs = []
    for link in await store.journey_boards(journey.id):
        record = await store.get_board(link.board_id)
        if record is not None:
            pairs.append((link, record))
    return pairs


async def journey_json(store: Store, journey: JourneyRecord) -> dict[str, Any]:
    """The journey page's data: every step with its status, dates, boards and documents."""
    steps = {s.step: s for s in await store.journey_steps(journey.id)}
    boards = await _boards(store, journey)
    counts = await asyncio.gather(*(store.list_participants(r.id) for _, r in boards))
    checkpoints = await asyncio.gather(*(store.list_checkpoints(r.id) for _, r in boards))
    out: list[dict[str, Any]] = []
    for method_step in STEPS:
        saved = steps[method_step.number]
        its: list[dict[str, Any]] = [
            {
                "id": record.id,
                "title": record.title,
                "group": link.group,
                "join_code": record.join_code,
                "participants": len(people),
                "checkpoints": [{"id": c.id, "name": c.name, "at": c.at} for c in marks],
            }
            for (link, record), people, marks in zip(boards, counts, checkpoints, strict=True)
            if link.step == method_step.number
        ]
        out.append(
            {
                "number": method_step.number,
                "title": method_step.title.get(journey.language, method_step.title["sv"]),
                "summary": method_step.summary.get(journey.language, method_step.summary["sv"]),
                "kind": method_step.kind,
                "source": method_step.source[0] if method_step.source else None,
                "status": saved.status,
                "starts": saved.starts,
                "ends": saved.ends,
                "participants": sum(int(b["participants"]) for b in its),
                "boards": its,
            }
        )
    return {
        "id": journey.id,
        "org": journey.org_id,
        "title": journey.title,
        "language": journey.language,
        "steps": out,
    }


# -- starting a step ---------------------------------------------------------------------


async def _source(
    store: Store, rooms: Rooms, journey: JourneyRecord, wanted: Step
) -> tuple[int, list[tuple[JourneyBoardRecord, BoardRecord]]]:
    """The nearest earlier step (of `wanted.source`) that has boards, and its boards."""
    boards = await _boards(store, journey)
    for number in wanted.source:
        found = [(link, r) for link, r in boards if link.step == number]
        if found:
            return number, found
    return 0, []


def _seed_texts(source: Board) -> list[str]:
    """What a fresh board takes from the previous result: its vision statements; else its
    themes (a roll-up's or joint day's sections, a workshop's clusters); else, from a
    board without clusters (the knowledge board), its notes."""
    texts = [c.statement for c in source.clusters if c.statement]
    if not texts and source.template == ROLLUP_TEMPLATE and source.sections:
        texts = [s.title for s in source.sections]
    if not texts:
        texts = [c.title for c in source.clusters] or [n.text for n in source.notes]
    return [text[:MAX_NOTE_CHARS] for text in texts if text.strip()]


def _groups(data: dict[str, Any]) -> list[str]:
    raw = data.get("groups")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_GROUPS:
        raise InvalidInput(
            "invalid_field", f"groups: expected a list of 1 to {MAX_GROUPS} group names"
        )
    names = [_clean(name, "groups[]", MAX_NAME) for name in raw]
    if len(set(names)) != len(names):
        raise InvalidInput("invalid_field", "groups: every group needs a name of its own")
    return names


async def start_step(
    store: Store, rooms: Rooms, journey: JourneyRecord, number: object, data: dict[str, Any]
) -> list[tuple[str, NewBoard]]:
    """Make the step's boards from the previous result; returns (group, board) pairs."""
    wanted = _step(number)
    lang = journey.language
    title = f"{wanted.title.get(lang, wanted.title['sv'])} – {journey.title}"[:MAX_TITLE]
    made: list[tuple[str, NewBoard]] = []
    _, sources = await _source(store, rooms, journey, wanted)
    if wanted.kind == "none":
        raise Conflict("no_board", f"step {wanted.number} has no board; plan it with dates")
    if wanted.source and not sources and wanted.kind != "template":
        raise Conflict(
            "no_source", f"step {wanted.number} starts from step {wanted.source[0]}: start it first"
        )
    if wanted.kind == "template":
        seed: list[str] = []
        if sources:
            seed = _seed_texts(await _result_view(store, rooms, sources[-1][1]))
        new = await create_board(store, title, wanted.template, lang)
        made.append(("", new))
        # The previous result, then (step 2) the findings pasted in, into the first section.
        imports = [{"lines": seed[:MAX_NOTES]}] if seed else []
        if "lines" in data or "csv" in data:
            imports.append(data)
        sections = (await live_view(store, rooms, new.record)).sections
        for notes in imports:
            section = sections[0].id if sections else None
            await add_bulk_notes(rooms, new.record, {**notes, "section": section})
    elif wanted.kind == "groups":
        source = await _result_view(store, rooms, sources[-1][1])
        deepen = wanted.mode == "deepening" and bool(source.clusters)
        for group in _groups(data):
            board_title = f"{title} – {group}"[:MAX_TITLE]
            created = schema.now_ms()

            def build(doc: Doc[Any], t: str = board_title, c: int = created) -> None:
                if deepen:
                    write_deepening(doc, source, title=t, created_ms=c)
                else:
                    write_copy(doc, source, title=t, created_ms=c)

            template = DEEPENING_TEMPLATE if deepen else sources[-1][1].template
            made.append(
                (group, await create_board(store, board_title, template, lang, build=build))
            )
    elif wanted.kind == "rollup":
        groups = [
            GroupBoard(r.id, link.group or r.title, await live_view(store, rooms, r))
            for link, r in sources
        ]
        tallies: dict[str, int] = {}

        def build_rollup(doc: Doc[Any]) -> None:
            tallies.update(
                write_rollup(doc, groups, title=title, language=lang, created_ms=schema.now_ms())
            )

        new = await create_board(store, title, ROLLUP_TEMPLATE, lang, build=build_rollup)
        budget = sum(tallies.values())
        await asyncio.gather(
            *(
                store.cast_vote(new.record.id, IMPORT_VOTER, t, n, budget)
                for t, n in tallies.items()
            )
        )
        made.append(("", new))
    else:  # copy
        source = await live_view(store, rooms, sources[-1][1])
        created = schema.now_ms()
        new = await create_board(
            store,
            title,
            sources[-1][1].template,
            lang,
            build=lambda doc: write_copy(doc, source, title=title, created_ms=created),
        )
        made.append(("", new))
    for position, (group, new) in enumerate(made):
        await store.set_board_org(new.record.id, journey.org_id)
        await store.add_journey_board(
            JourneyBoardRecord(
                new.record.id, journey.id, wanted.number, group, new.record.created, position
            )
        )
    current = next(s for s in await store.journey_steps(journey.id) if s.step == wanted.number)
    if current.status == "planned":
        await store.set_journey_step(replace(current, status="ongoing"))
    return made
