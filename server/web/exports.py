"""GET /b/{board_id}/export.{fmt}: the Målbild 0.5 document of a board.

The route takes a snapshot of the board on the loop (`export_workers.snapshot`: bytes
and plain data) and a worker process renders it with the pure writers in
`boards/export/`; a new format is a new writer there, nothing here. A client that goes
away before its export is ready stops the work: its worker is killed.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from boards.export import FORMATS, Rendered
from server.errors import NotFound
from server.services.export_workers import ExportJob, ExportWorkers, snapshot
from server.web.deps import board_call

# Shown in the browser, so print to PDF works; everything else is a download.
_INLINE = frozenset({"html", "svg"})
# The exports escape every text; this is the second lock on the door.
_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
# What the access log shows for an export whose client left (nginx's code); never sent.
_CLIENT_GONE = 499


async def _until_disconnected(request: Request) -> None:
    """Returns when the client closes the connection (a GET has no body to wait for)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _render_while_connected(
    request: Request, workers: ExportWorkers, job: ExportJob
) -> Rendered | None:
    """The rendered export, or None when the client left first (its worker is killed)."""
    export = asyncio.ensure_future(workers.render(job))
    gone = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({export, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gone.cancel()
        if not export.done():
            export.cancel()  # the worker rendering it is killed
        await asyncio.wait({export, gone})
    if export.cancelled():
        return None
    return export.result()


async def get_export(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in FORMATS:
        raise NotFound("unknown_format", f"expected one of {list(FORMATS)}, got {fmt!r}")
    call = await board_call(request)
    job = await snapshot(call.services.store, call.services.rooms, call.principal, call.board, fmt)
    rendered = await _render_while_connected(request, call.services.exports, job)
    if rendered is None:
        return Response(status_code=_CLIENT_GONE)
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
