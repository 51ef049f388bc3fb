"""GET /b/{board_id}/export.{fmt}: the Målbild 0.5 document of a board.

The route reads the live doc (through its room) and hands plain data to the pure
writers in `boards/export/`; a new format is a new writer there, nothing here.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from boards.export import FORMATS, render
from boards.facilitation import tallies_public
from server.errors import NotFound
from server.services.docs import board_view
from server.services.principals import Principal
from server.services.session import Session, session_doc_name
from server.sync.rooms import Rooms
from server.web.deps import board_call

# Shown in the browser, so print to PDF works; everything else is a download.
_INLINE = frozenset({"html", "svg"})
# The exports escape every text; this is the second lock on the door.
_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


async def _export_options(rooms: Rooms, principal: Principal, board_id: str) -> tuple[bool, bool]:
    """(tallies hidden, authors named): tallies hide while a vote is open with hidden
    tallies for all but the facilitator; authors are named only if the facilitator chose."""
    async with rooms.use(session_doc_name(board_id)) as room:
        session = Session(room)
        hidden = not principal.is_facilitator and not tallies_public(session.get("voting"))
        return hidden, bool(session.get("board").get("authors_in_export"))


async def get_export(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise NotFound("unknown_format", f"expected one of {list(FORMATS)}, got {fmt!r}")
    call = await board_call(request)
    rooms, store = call.services.rooms, call.services.store
    hide, authors = await _export_options(rooms, call.principal, call.board.id)
    async with rooms.use(call.board.id) as room:
        board = await board_view(store, call.board, room.doc, hide_tallies=hide)
    # The board is frozen plain data: Word and SVG are built off the event loop.
    rendered = await asyncio.to_thread(render, board, fmt, authors=authors)
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


routes = [Route("/b/{board_id}/export.{fmt}", get_export)]
