"""The målbild routes: the document, versions, comparison, comment rounds, page, exports."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from boards import schema
from boards.export.vision_csv import plan_csv
from boards.export.vision_docx import plan_docx, vision_docx
from boards.export.vision_html import compare_html, vision_html
from boards.vision import REACTIONS
from server.errors import InvalidInput, NotFound, SamsynError
from server.services import plan_board, vision, vision_logo, vision_round
from server.store import Store, VisionRecord
from server.web.deps import (
    board_call,
    json_body,
    json_object,
    parse_json,
    read_body,
    require_json,
    services,
)
from server.web.pages import error_page, pick_language, render

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A målbild with a long plan and the steering text of every statement outgrows the
# API's 64 KB bodies; 2 MB is far more than a library writes, and bounds a request.
MAX_VISION_BYTES = 2 * 1024 * 1024
_EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _lang(request: Request, default: str) -> str:
    return pick_language(request, default)


async def post_vision(request: Request) -> Response:
    """POST /api/boards/{id}/vision: start the målbild from the board's clusters."""
    call = await board_call(request, facilitator=True)
    data = await json_body(request)
    library = data.get("library", "")
    record = await vision.create(call.services.store, call.services.rooms, call.board, library)
    return JSONResponse(await vision.view(call.services.store, record), status_code=201)


async def get_vision(request: Request) -> Response:
    call = await board_call(request)
    record = await vision.of_board(call.services.store, call.board.id)
    return JSONResponse(await vision.view(call.services.store, record))


async def put_vision(request: Request) -> Response:
    """PUT /api/boards/{id}/vision `{"rev", "vision"}`: 409 when someone saved since."""
    call = await board_call(request, facilitator=True)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    require_json(request)
    data = json_object(parse_json(await read_body(request, MAX_VISION_BYTES), "an object"))
    rev = await vision.save(store, record, data.get("vision"), data.get("rev"))
    await vision_round.notify(store, call.services.rooms, record, rev)
    return JSONResponse(await vision.view(store, await vision.of_board(store, call.board.id)))


async def post_plan(request: Request) -> Response:
    """POST /api/boards/{id}/plan `{"show": bool}`: the målbild's plan on this board."""
    call = await board_call(request, facilitator=True)
    data = await json_body(request)
    result = await plan_board.show(call.services.store, call.services.rooms, call.board, data)
    return JSONResponse(result)


async def post_version(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    record = await vision.of_board(call.services.store, call.board.id)
    data = await json_body(request)
    version = await vision.add_version(call.services.store, record, data.get("name"))
    return JSONResponse({"id": version.id, "name": version.name, "at": version.at}, status_code=201)


async def get_version(request: Request) -> Response:
    call = await board_call(request)
    record = await vision.of_board(call.services.store, call.board.id)
    name, data = await vision.version_data(call.services.store, record, request.path_params["ref"])
    return JSONResponse({"name": name, "vision": data})


async def _comparison(request: Request) -> tuple[dict[str, Any], str, str]:
    call = await board_call(request)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    older = request.query_params.get("from", "")
    newer = request.query_params.get("to", vision.CURRENT)
    if not older:
        raise InvalidInput("invalid_field", "from: expected a version id or name")
    lang = _lang(request, call.board.language)
    result = await vision.comparison(store, call.services.rooms, record, older, newer, lang)
    return result, vision.data_of(record)["library"], lang


async def get_compare(request: Request) -> Response:
    """GET /api/boards/{id}/vision/compare?from=0.5&to=1.0 (to defaults to the draft)."""
    result, _, _ = await _comparison(request)
    return JSONResponse(result)


async def post_comment_round(request: Request) -> Response:
    """A link with a token: staff and guests react to each statement without an account."""
    call = await board_call(request, facilitator=True)
    record = await vision.of_board(call.services.store, call.board.id)
    token = await vision.open_comment_round(call.services.store, record)
    url = f"{str(request.base_url).rstrip('/')}/c/{token}"
    return JSONResponse({"token": token, "url": url}, status_code=201)


async def get_reactions(request: Request) -> Response:
    call = await board_call(request, facilitator=True)
    record = await vision.of_board(call.services.store, call.board.id)
    return JSONResponse(await vision.reactions(call.services.store, record))


async def post_vision_import(request: Request) -> Response:
    """A målbild JSON export becomes the målbild of this board, versions included."""
    call = await board_call(request, facilitator=True)
    require_json(request)
    limit = services(request).settings.max_import_bytes
    raw = parse_json(await read_body(request, limit), "a målbild JSON export")
    record = await vision.import_into(call.services.store, call.board, raw)
    return JSONResponse(await vision.view(call.services.store, record), status_code=201)


async def _comment_view(request: Request) -> tuple[VisionRecord, str]:
    record = await vision.by_comment_token(services(request).store, request.path_params["token"])
    board = await services(request).store.get_board(record.board_id)
    return record, board.language if board else "sv"


async def comment_api(request: Request) -> Response:
    """GET: the statements to react to; POST `{"statement", "kind", "comment", "name"}`."""
    record, _ = await _comment_view(request)
    if request.method == "POST":
        reaction = await vision.react(services(request).store, record, await json_body(request))
        return JSONResponse({"id": reaction.id}, status_code=201)
    data = vision.data_of(record)
    statements = [{k: s[k] for k in ("id", "theme", "text")} for s in data["statements"]]
    return JSONResponse({"library": data["library"], "statements": statements})


async def comment_page(request: Request) -> Response:
    """GET /c/{token}: the comment round as a plain form; POST saves one reaction."""
    try:
        record, board_lang = await _comment_view(request)
    except NotFound:
        return error_page(request, 404, "vision.comment_unknown")
    lang = _lang(request, board_lang)
    done, error = None, None
    if request.method == "POST":
        form = await request.form()
        fields = {k: form.get(k) for k in ("statement", "kind", "comment", "name")}
        try:
            await vision.react(services(request).store, record, fields)
        except SamsynError as exc:
            error = exc.detail
        else:
            # Post/redirect/get: reloading the thank-you page does not send it again.
            token = request.path_params["token"]
            return RedirectResponse(f"/c/{token}?done={fields['statement']}", status_code=303)
    else:
        done = request.query_params.get("done")
    data = vision.data_of(record)
    return render(
        request,
        "vision_comment.html",
        lang,
        400 if error else 200,
        vision=data,
        kinds=REACTIONS,
        done=done,
        error=error,
    )


async def vision_page(request: Request) -> Response:
    """GET /b/{id}/vision: the facilitators' editor of the målbild."""
    store = services(request).store
    board = await store.get_board(request.path_params["board_id"])
    if board is None:
        return error_page(request, 404, "error.no_board")
    try:
        call = await board_call(request, facilitator=True)
    except SamsynError:
        return error_page(request, 401, "error.need_join", board.language)
    lang = _lang(request, board.language)
    config = {"board_id": call.board.id, "title": call.board.title, "language": lang}
    return render(
        request, "vision.html", lang, board={"id": board.id, "title": board.title}, config=config
    )


def _download(content: bytes, media_type: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'{disposition}; filename="{filename}"',
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
            "content-security-policy": _EXPORT_CSP,
        },
    )


async def get_vision_export(request: Request) -> Response:
    """GET /b/{id}/vision.{docx|html|json}?version=1.0 (the draft without `version`)."""
    fmt = request.path_params["fmt"]
    if fmt not in ("docx", "html", "json"):
        raise NotFound("unknown_format", f"expected one of docx, html, json, got {fmt!r}")
    call = await board_call(request)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    if fmt == "json":
        return JSONResponse(
            await vision.export(store, record),
            headers={"content-disposition": 'attachment; filename="malbild.json"'},
        )
    name, data = await vision.version_data(
        store, record, request.query_params.get("version", vision.CURRENT)
    )
    lang = _lang(request, call.board.language)
    at = await _version_at(store, record, name)
    slug = "utkast" if name == vision.CURRENT else name
    logo = await vision_logo.logo(store, record)
    if fmt == "docx":
        content = await asyncio.to_thread(
            vision_docx, data, version=name, at_ms=at, language=lang, logo=logo[1] if logo else None
        )
        return _download(content, _DOCX, f"malbild-{slug}.docx")
    content = vision_html(data, version=name, at_ms=at, language=lang, logo=logo)
    return _download(content, "text/html; charset=utf-8", f"malbild-{slug}.html", inline=True)


async def _version_at(store: Store, record: VisionRecord, name: str) -> int:
    for version in await store.list_vision_versions(record.id):
        if version.name == name:
            at: int = version.at
            return at
    return schema.now_ms()


async def get_plan_export(request: Request) -> Response:
    """GET /b/{id}/vision/plan.{docx|csv}?version=1.0: the actions and whom they serve."""
    fmt = request.path_params["fmt"]
    if fmt not in ("docx", "csv"):
        raise NotFound("unknown_format", f"expected one of docx, csv, got {fmt!r}")
    call = await board_call(request)
    store = call.services.store
    record = await vision.of_board(store, call.board.id)
    name, data = await vision.version_data(
        store, record, request.query_params.get("version", vision.CURRENT)
    )
    lang = _lang(request, call.board.language)
    if fmt == "csv":
        return _download(plan_csv(data, language=lang), "text/csv; charset=utf-8", "plan.csv")
    at = await _version_at(store, record, name)
    logo = await vision_logo.logo(store, record)
    content = await asyncio.to_thread(
        plan_docx, data, version=name, at_ms=at, language=lang, logo=logo[1] if logo else None
    )
    return _download(content, _DOCX, "plan.docx")


async def get_compare_export(request: Request) -> Response:
    """GET /b/{id}/vision/compare.html?from=0.5&to=1.0: the comparison, to print."""
    result, library, lang = await _comparison(request)
    content = compare_html(result, library=library, at_ms=schema.now_ms(), language=lang)
    return _download(content, "text/html; charset=utf-8", "jamforelse.html", inline=True)


routes = [
    Route("/api/boards/{board_id}/vision", get_vision, methods=["GET"]),
    Route("/api/boards/{board_id}/vision", post_vision, methods=["POST"]),
    Route("/api/boards/{board_id}/vision", put_vision, methods=["PUT"]),
    Route("/api/boards/{board_id}/vision/versions", post_version, methods=["POST"]),
    Route("/api/boards/{board_id}/vision/versions/{ref}", get_version),
    Route("/api/boards/{board_id}/vision/compare", get_compare),
    Route("/api/boards/{board_id}/vision/comments", post_comment_round, methods=["POST"]),
    Route("/api/boards/{board_id}/vision/reactions", get_reactions),
    Route("/api/boards/{board_id}/vision/import", post_vision_import, methods=["POST"]),
    Route("/api/boards/{board_id}/plan", post_plan, methods=["POST"]),
    Route("/api/comments/{token}", comment_api, methods=["GET", "POST"]),
    Route("/c/{token}", comment_page, methods=["GET", "POST"]),
    Route("/b/{board_id}/vision", vision_page),
    Route("/b/{board_id}/vision.{fmt}", get_vision_export),
    Route("/b/{board_id}/vision/plan.{fmt}", get_plan_export),
    Route("/b/{board_id}/vision/compare.html", get_compare_export),
]
