"""HTML routes: home, join, board and wall, rendered with Jinja2 (autoescape on)."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from boards.catalog import list_templates
from boards.schema import LANGUAGES
from server.errors import NotAllowed, SamsynError, TooManyAttempts, Unauthenticated
from server.services.principals import (
    Principal,
    Role,
    authenticate,
    normalize_join_code,
    removed_among,
)
from server.services.registry import create_board, create_participant
from server.store import BoardRecord
from server.web.auth import cookie_secrets, facilitator_cookies
from server.web.deps import caller_on, services
from server.web.gates import (
    admit_join,
    code_worked,
    issue_browser_id,
    join_failed,
    remember_browser,
    require_create_token,
    spend_board_quota,
)
from server.web.ownership import creation_org, own
from server.web.responses import set_board_cookie

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"
LANG_COOKIE = "samsyn_lang"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html", "xml"], default=True),
)


@cache
def strings(lang: str) -> dict[str, str]:
    """The UI strings of one language, shared with the browser client."""
    path = STATIC_DIR / "src" / "i18n" / f"{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def static_version() -> str:
    stamp = STATIC_DIR / "dist" / ".built"
    return str(int(stamp.stat().st_mtime)) if stamp.exists() else "0"


def pick_language(request: Request, default: str | None = None) -> str:
    """`?lang=` first, then the remembered choice, then the board's, then the browser's."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), default):
        if candidate in LANGUAGES:
            assert candidate is not None
            return candidate
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "sv"


def render(
    request: Request, name: str, lang: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = _env.get_template(name).render(
        lang=lang, t=strings(lang), static_version=static_version(), **context
    )
    response = HTMLResponse(html, status_code=status_code)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=60 * 60 * 24 * 365, samesite="lax")
    return response


def error_page(
    request: Request,
    status: int,
    message_key: str,
    lang: str | None = None,
    *,
    retry_after: int = 0,
) -> Response:
    lang = lang or pick_language(request)
    response = render(
        request, "error.html", lang, status, status=status, message=strings(lang)[message_key]
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _board_view(board: BoardRecord) -> dict[str, str]:
    return {"id": board.id, "title": board.title, "language": board.language}


async def home(request: Request) -> Response:
    lang = pick_language(request)
    error = None
    if request.method == "POST":
        form = await request.form()
        try:
            org = await creation_org(request, form.get("org"))
            require_create_token(request, form.get("token"))
            spend_board_quota(request)
            new = await create_board(
                services(request).store,
                form.get("title"),
                form.get("template") or None,
                form.get("language") or lang,
            )
        except NotAllowed:
            return RedirectResponse("/login", status_code=303)
        except TooManyAttempts as exc:
            return error_page(request, 429, "error.too_many_boards", retry_after=exc.retry_after)
        except Unauthenticated:
            error = "home.error_token"
        except SamsynError:
            error = "home.error_title"
        else:
            await own(request, new.record.id, org)
            response = RedirectResponse(f"/b/{new.record.id}", status_code=303)
            set_board_cookie(
                response,
                services(request).settings,
                new.record.id,
                new.facilitator_key,
                Role.FACILITATOR,
            )
            return response
    templates = [{"id": tpl.id, "title": tpl.localized(lang)["title"]} for tpl in list_templates()]
    return render(
        request,
        "home.html",
        lang,
        (401 if error == "home.error_token" else 400) if error else 200,
        templates=templates,
        error=error,
        needs_token=bool(services(request).settings.create_token),
        my_boards=await _facilitated_boards(request),
    )


# A browser holds a cookie per board it opened; the home page lists at most this many.
_MAX_LISTED = 50


async def _facilitated_boards(request: Request) -> list[dict[str, str]]:
    """The boards whose facilitator (or co-facilitator) cookie this browser holds."""
    store = services(request).store
    listed: dict[str, dict[str, str]] = {}
    for board_id, secret in facilitator_cookies(request.cookies, _MAX_LISTED):
        board = await store.get_board(board_id) if board_id not in listed else None
        principal = await authenticate(store, board, secret) if board else None
        if board and principal and principal.is_facilitator:
            listed[board.id] = _board_view(board)
    return list(listed.values())


async def join_by_code(request: Request) -> Response:
    code = normalize_join_code(request.query_params.get("code", ""))
    return RedirectResponse(f"/j/{code}" if code else "/", status_code=303)


async def join(request: Request) -> Response:
    issue_browser_id(request)
    response = await _join(request)
    remember_browser(request, response)
    return response


async def _join(request: Request) -> Response:
    store = services(request).store
    code = normalize_join_code(request.path_params["code"])
    board = await store.get_board_by_code(code) if code else None
    try:
        admit_join(request, board.id if board else None)
    except TooManyAttempts as exc:
        return error_page(request, 429, "error.too_many_attempts", retry_after=exc.retry_after)
    if board is None:
        join_failed(request)
        return error_page(request, 404, "join.error_code")
    code_worked(request, board.id)
    lang = pick_language(request, board.language)
    error = None
    if request.method == "POST":
        form = await request.form()
        try:
            new = await create_participant(store, board, form.get("name"))
        except SamsynError:
            error = "join.error_name"
        else:
            response = RedirectResponse(f"/b/{board.id}", status_code=303)
            set_board_cookie(
                response, services(request).settings, board.id, new.token, Role.PARTICIPANT
            )
            return response
    status = 400 if error else 200
    return render(
        request, "join.html", lang, status, board=_board_view(board), code=code, error=error
    )


async def _page_principal(request: Request, board: BoardRecord) -> Principal | None:
    secrets = cookie_secrets(request.cookies, board.id)
    found = await caller_on(request, board, secrets)
    return found[0] if found else None


async def _trade_key(request: Request, board: BoardRecord, key: str, wall: bool) -> Response:
    """The facilitator or wall link: trade the key in the URL for a cookie, drop it from view."""
    settings = services(request).settings
    principal = await authenticate(services(request).store, board, key)
    if principal is None or principal.role is Role.PARTICIPANT:
        return error_page(request, 401, "error.bad_key", board.language)
    if not wall and not principal.is_facilitator:
        return error_page(request, 401, "error.bad_key", board.language)
    # A facilitator's key on the wall path stays the facilitator's cookie: the page is
    # shown as the wall because of the path, and the cookie still opens the board.
    response = RedirectResponse(f"/b/{board.id}{'/wall' if wall else ''}", status_code=303)
    set_board_cookie(response, settings, board.id, key, principal.role)
    return response


async def board_page(request: Request) -> Response:
    store = services(request).store
    board = await store.get_board(request.path_params["board_id"])
    if board is None:
        return error_page(request, 404, "error.no_board")
    wall = request.url.path.endswith("/wall")
    key = request.query_params.get("key")
    if key is not None:
        return await _trade_key(request, board, key, wall)
    principal = await _page_principal(request, board)
    removed = principal is None and not wall
    if removed and await removed_among(store, board, cookie_secrets(request.cookies, board.id)):
        return error_page(request, 403, "participants.removed_you", board.language)
    if principal is None:
        # A projector's PC has no cookie yet: tell how the wall link gets there.
        return error_page(
            request, 401, "error.need_wall_link" if wall else "error.need_join", board.language
        )
    if principal.role is Role.WALL and not wall:
        return RedirectResponse(f"/b/{board.id}/wall", status_code=303)
    # A co-facilitator sees the facilitator's page; the panel asks the server what it may.
    role = Role.WALL if wall else Role.FACILITATOR if principal.is_facilitator else principal.role
    checkpoint = request.path_params.get("checkpoint_id")
    if checkpoint is not None:
        known = {c.id for c in await store.list_checkpoints(board.id)}
        if checkpoint not in known:
            return error_page(request, 404, "error.no_checkpoint", board.language)
    lang = pick_language(request, board.language)
    base = str(request.base_url).rstrip("/")
    config = {
        "board_id": board.id,
        "title": board.title,
        "language": lang,
        "role": role.value,
        "participant_id": principal.participant_id,
        "name": principal.name,
        "ws_url": "/ws",
        "read_only": role is Role.WALL or checkpoint is not None,
        "is_facilitator": principal.is_facilitator,
        "co_facilitator": principal.role is Role.COFACILITATOR,
        "anonymous": board.anonymous,
        "join_code": board.join_code,
        "join_url": f"{base}/j/{board.join_code}",
        "checkpoint_id": checkpoint,
    }
    return render(
        request, "board.html", lang, board=_board_view(board), role=role.value, config=config
    )


async def qr_code(request: Request) -> Response:
    """The join link as a QR code (SVG), for the wall and the facilitator panel."""
    board = await services(request).store.get_board(request.path_params["board_id"])
    if board is None or await _page_principal(request, board) is None:
        return Response(status_code=404)
    base = str(request.base_url).rstrip("/")
    return Response(qr_svg(f"{base}/j/{board.join_code}"), media_type="image/svg+xml")


def qr_svg(text: str) -> bytes:
    """`text` (a link) as a QR code in SVG, dark on white, readable from across a room."""
    qr = segno.make(text, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=8, border=2, dark="#111111", light="#ffffff", xmldecl=False)
    return buffer.getvalue()


async def service_worker(request: Request) -> Response:
    """The offline cache, served from the root so that it may control every board page."""
    path = STATIC_DIR / "dist" / "sw.js"
    if not path.exists():
        return Response(status_code=404)
    return FileResponse(
        path,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


routes = [
    Route("/", home, methods=["GET", "POST"]),
    Route("/j", join_by_code),
    Route("/j/{code}", join, methods=["GET", "POST"]),
    Route("/b/{board_id}", board_page),
    Route("/b/{board_id}/wall", board_page),
    Route("/b/{board_id}/checkpoints/{checkpoint_id}", board_page),
    Route("/b/{board_id}/qr.svg", qr_code),
    Route("/sw.js", service_worker),
]
