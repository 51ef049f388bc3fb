"""Målbild 0.5 in and out: export, import, bulk notes and the next board in the journey.

The routes read the live doc of a board (through its room) and hand plain data to the
pure code in ``boards/``. The helpers at the top are shared with the ``samsyn`` CLI,
which opens the SQLite file without a server.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from pycrdt import Doc
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from boards import schema
from boards.bulk import BulkError, place_notes, texts_from_csv, texts_from_lines
from boards.catalog import BLANK_ID, get_template
from boards.continuation import (
    DEEPENING_TEMPLATE,
    MODES,
    default_title,
    write_copy,
    write_deepening,
)
from boards.export import FORMATS, render
from boards.export.json import apply_json
from boards.facilitation import tallies_public
from boards.model import Board, CheckpointInfo, board_from_doc
from server.api import board_created, get_board_or_404, read_json, require_principal
from server.auth import Principal
from server.errors import ApiError
from server.registry import MAX_TITLE, NewBoard, create_board
from server.session import Session, session_doc_name
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

# A two-day workshop exports to well under 1 MB; 20 MB leaves room for a whole year.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# 500 notes of 2000 characters each, as JSON, with room for escapes.
MAX_BULK_BYTES = 2 * 1024 * 1024
# Votes carried over by an import belong to no participant; the colon keeps this name
# apart from every participant id (url-safe base64 has no colon).
IMPORT_VOTER = "samsyn:import"
# Shown in the browser, so print to PDF works; everything else is a download.
_INLINE = frozenset({"html", "svg"})
# The exports escape every text; this is the second lock on the door.
_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# -- shared with the CLI ------------------------------------------------------------------


async def board_view(
    store: Store, record: BoardRecord, doc: Doc[Any], *, hide_tallies: bool = False
) -> Board:
    """The board as the exports see it: content, votes, participants, checkpoints.

    Reads ``doc`` right after the awaits, so call it on the loop that owns the doc.
    """
    tallies, participants, checkpoints = await asyncio.gather(
        store.vote_tallies(record.id),
        store.list_participants(record.id),
        store.list_checkpoints(record.id),
    )
    return board_from_doc(
        doc,
        tallies={} if hide_tallies else tallies,
        anonymous=record.anonymous,
        participants=len(participants),
        checkpoints=[CheckpointInfo(c.id, c.name, c.at) for c in checkpoints],
    )


async def stored_doc(store: Store, name: str) -> Doc[Any]:
    """A doc rebuilt from what the store holds (snapshot, then the log)."""
    history = await store.load_doc(name)
    doc: Doc[Any] = Doc()
    if history.snapshot is not None:
        doc.apply_update(history.snapshot)
    for update in history.updates:
        doc.apply_update(update)
    return doc


async def import_board(store: Store, data: object) -> NewBoard:
    """A new board from a JSON export, with its votes and anonymity; 400 names the bad field."""
    scratch: Doc[Any] = Doc()
    try:
        info = apply_json(scratch, data)
    except ValueError as exc:
        raise ApiError(400, "invalid_export", str(exc)) from None
    meta = schema.meta_map(scratch)
    title = " ".join(str(meta.get("title", "")).split())[:MAX_TITLE] or "Import"
    template = str(meta.get("template", ""))
    try:
        get_template(template)
    except KeyError:
        template = BLANK_ID  # a template of another installation: keep the layout only
    content = scratch.get_update()
    new = await create_board(
        store,
        title,
        template,
        str(meta.get("language", "sv")),
        build=lambda doc: doc.apply_update(content),
    )
    if info.anonymous:
        await store.set_board_flags(new.record.id, anonymous=True)
    if info.tallies:
        # One job per target, all queued at once: the writer commits them together.
        budget = sum(info.tallies.values())
        await asyncio.gather(
            *(
                store.cast_vote(new.record.id, IMPORT_VOTER, target, count, budget)
                for target, count in info.tallies.items()
                if count > 0
            )
        )
    return new


# -- request helpers ----------------------------------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"expected at most {limit} bytes, got {declared}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"expected at most {limit} bytes, got more")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(body: bytes, what: str) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"expected {what} as JSON: {exc}") from None


async def _tallies_hidden(rooms: Rooms, principal: Principal, board_id: str) -> bool:
    """True while a vote is open with hidden tallies and the caller is not the facilitator."""
    if principal.is_facilitator:
        return False
    async with rooms.use(session_doc_name(board_id)) as room:
        return not tallies_public(Session(room).get("voting"))


# -- routes -------------------------------------------------------------------------------


async def get_export(request: Request) -> Response:
    """GET /b/{board_id}/export.{fmt}: the Målbild 0.5 document of a board."""
    store: Store = request.app.state.store
    rooms: Rooms = request.app.state.rooms
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise ApiError(404, "unknown_format", f"expected one of {list(FORMATS)}, got {fmt!r}")
    record = await get_board_or_404(store, request.path_params["board_id"])
    principal = await require_principal(request, record)
    hide = await _tallies_hidden(rooms, principal, record.id)
    async with rooms.use(record.id) as room:
        board = await board_view(store, record, room.doc, hide_tallies=hide)
    # The board is frozen plain data: Word and SVG are built off the event loop.
    rendered = await asyncio.to_thread(render, board, fmt)
    disposition = "inline" if fmt in _INLINE else "attachment"
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "content-disposition": f'{disposition}; filename="{rendered.filename}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
            "content-security-policy": _EXPORT_CSP,
        },
    )


async def post_import(request: Request) -> Response:
    """POST /api/boards/import: a JSON export becomes a new board."""
    body = await _read_body(request, MAX_IMPORT_BYTES)
    new = await import_board(request.app.state.store, _parse_json(body, "a Samsyn JSON export"))
    return JSONResponse(board_created(request, new), status_code=201)


async def post_bulk_notes(request: Request) -> Response:
    """POST /api/boards/{board_id}/notes/bulk: lines or a CSV become notes in a section."""
    store: Store = request.app.state.store
    rooms: Rooms = request.app.state.rooms
    record = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, record, facilitator=True)
    data = _parse_json(await _read_body(request, MAX_BULK_BYTES), "an object")
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", f"expected a JSON object, got {type(data).__name__}")
    section = data.get("section")
    if section is not None and not isinstance(section, str):
        raise ApiError(400, "invalid_field", "section: expected a section id or null")
    header = data.get("header")
    if header is not None and not isinstance(header, bool):
        raise ApiError(400, "invalid_field", "header: expected true, false or null")
    try:
        if ("lines" in data) == ("csv" in data):
            raise BulkError("expected exactly one of 'lines' (a list of strings) or 'csv' (text)")
        if "lines" in data:
            texts = texts_from_lines(data["lines"])
        else:
            texts = texts_from_csv(data["csv"], header=header)
    except BulkError as exc:
        raise ApiError(400, "invalid_notes", str(exc)) from None

    async with rooms.use(record.id) as room:
        # Placement and writing run without an await between them: nobody moves in between.
        try:
            spots = place_notes(board_from_doc(room.doc), section, len(texts))
        except BulkError as exc:
            raise ApiError(404, "section_not_found", str(exc)) from None
        now = _now_ms()

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
    return JSONResponse({"created": len(ids), "ids": ids}, status_code=201)


async def post_continue(request: Request) -> Response:
    """POST /api/boards/{board_id}/continue: the staff's deepening board, or a plain copy."""
    store: Store = request.app.state.store
    rooms: Rooms = request.app.state.rooms
    record = await get_board_or_404(store, request.path_params["board_id"])
    await require_principal(request, record, facilitator=True)
    data = await read_json(request)
    mode = data.get("mode", "deepening")
    if mode not in MODES:
        raise ApiError(400, "invalid_field", f"mode: expected one of {list(MODES)}, got {mode!r}")
    async with rooms.use(record.id) as room:
        source = await board_view(store, record, room.doc)
    if mode == "deepening" and not source.clusters:
        raise ApiError(
            409,
            "no_clusters",
            "the board has no clusters to deepen; cluster the notes first, or make a copy",
        )
    title = data.get("title")
    if title is None:
        title = default_title(source, mode)[:MAX_TITLE]
    if not isinstance(title, str):
        raise ApiError(400, "invalid_field", f"title: expected a string, got {title!r}")
    title = " ".join(title.split())
    created = _now_ms()
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
    return JSONResponse(board_created(request, new), status_code=201)


routes = [
    Route("/b/{board_id}/export.{fmt}", get_export),
    Route("/api/boards/import", post_import, methods=["POST"]),
    Route("/api/boards/{board_id}/notes/bulk", post_bulk_notes, methods=["POST"]),
    Route("/api/boards/{board_id}/continue", post_continue, methods=["POST"]),
]
