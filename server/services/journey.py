"""Bulk notes into a live board, and the next board of the journey (deepening or copy)."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from boards import schema
from boards.bulk import BulkError, place_notes, texts_from_csv, texts_from_lines
from boards.continuation import (
    DEEPENING_TEMPLATE,
    MODES,
    default_title,
    write_copy,
    write_deepening,
)
from boards.model import board_from_doc
from server.errors import Conflict, InvalidInput, NotFound
from server.services.docs import board_view
from server.services.registry import MAX_TITLE, NewBoard, create_board
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms


def _bulk_texts(data: dict[str, Any]) -> list[str]:
    header = data.get("header")
    if header is not None and not isinstance(header, bool):
        raise InvalidInput("invalid_field", "header: expected true, false or null")
    try:
        if ("lines" in data) == ("csv" in data):
            raise BulkError("expected exactly one of 'lines' (a list of strings) or 'csv' (text)")
        if "lines" in data:
            return texts_from_lines(data["lines"])
        return texts_from_csv(data["csv"], header=header)
    except BulkError as exc:
        raise InvalidInput("invalid_notes", str(exc)) from None


async def add_bulk_notes(rooms: Rooms, record: BoardRecord, data: dict[str, Any]) -> list[str]:
    """Lines or a CSV become notes in a section (or free space); returns the new ids."""
    section = data.get("section")
    if section is not None and not isinstance(section, str):
        raise InvalidInput("invalid_field", "section: expected a section id or null")
    texts = _bulk_texts(data)
    async with rooms.use(record.id) as room:
        # Placement and writing run without an await between them: nobody moves in between.
        try:
            spots = place_notes(board_from_doc(room.doc), section, len(texts))
        except BulkError as exc:
            raise NotFound("section_not_found", str(exc)) from None
        now = schema.now_ms()

        def write(doc: Doc[Any]) -> list[str]:
            return [
                schema.add_note(
                    doc,
                    text=text,
                    x=x,
                    y=y,
                    color=schema.DEFAULT_NOTE_COLOR,
                    author="",
                    # One ms apart, so the documents list them in the order given.
                    created_ms=now + i,
                    section=section,
                )
                for i, (text, (x, y)) in enumerate(zip(texts, spots, strict=True))
            ]

        ids = room.mutate(write)
        await room.durable()
    return ids


async def continue_board(
    store: Store, rooms: Rooms, record: BoardRecord, data: dict[str, Any]
) -> NewBoard:
    """The staff's deepening board (one section per cluster), or a plain copy."""
    mode = data.get("mode", "deepening")
    if mode not in MODES:
        raise InvalidInput("invalid_field", f"mode: expected one of {list(MODES)}, got {mode!r}")
    async with rooms.use(record.id) as room:
        source = await board_view(store, record, room.doc)
    if mode == "deepening" and not source.clusters:
        raise Conflict(
            "no_clusters",
            "the board has no clusters to deepen; cluster the notes first, or make a copy",
        )
    title = data.get("title")
    if title is None:
        title = default_title(source, mode)[:MAX_TITLE]
    if not isinstance(title, str):
        raise InvalidInput("invalid_field", f"title: expected a string, got {title!r}")
    title = " ".join(title.split())
    created = schema.now_ms()
    if mode == "deepening":
        template = DEEPENING_TEMPLATE

        def build(doc: Doc[Any]) -> None:
            write_deepening(doc, source, title=title, created_ms=created)
    else:
        template = record.template

        def build(doc: Doc[Any]) -> None:
            write_copy(doc, source, title=title, created_ms=created)

    new = await create_board(store, title, template, source.language, build=build)
    if record.anonymous:
        await store.set_board_flags(new.record.id, anonymous=True)
    return new
