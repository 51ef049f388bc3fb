"""The journey (resa): its page, its JSON, starting and planning steps, the archive, and
deleting a journey or a board for good. Members of the journey's organisation only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.errors import InvalidInput, SamsynError
from server.services import accounts, erasure, journeys
from server.services.archive import journey_archive
from server.store import JourneyRecord
from server.web.deps import board_call, json_body, services
from server.web.ownership import current_account
from server.web.pages import error_page, pick_language, render
from server.web.responses import board_urls


async def _journey(request: Request) -> JourneyRecord:
    """The journey of the path, if the caller is signed in as a member of its org."""
    journey = await journeys.get_journey(services(request).store, request.path_params["journey_id"])
    accounts.require_member(await current_account(request), journey.org_id)
    return journey


async def post_journey(request: Request) -> Response:
    data = await json_body(request)
    org = data.get("org")
    if not isinstance(org, str):
        raise InvalidInput("invalid_field", "org: expected an organisation id")
    accounts.require_member(await current_account(request), org)
    journey = await journeys.create_journey(
        services(request).store, org, data.get("title"), data.get("language", "sv")
    )
    return JSONResponse(await journeys.journey_json(services(request).store, journey), 201)


async def get_journey(request: Request) -> Response:
    app = services(request)
    journey = await _journey(request)
    if request.method == "DELETE":
        deleted = await erasure.delete_journey(app.store, app.rooms, journey)
        return JSONResponse({"deleted_boards": deleted})
    return JSONResponse(await journeys.journey_json(app.store, journey))


async def plan_step(request: Request) -> Response:
    app = services(request)
    journey = await _journey(request)
    await journeys.plan_step(
        app.store, journey, request.path_params["step"], await json_body(request)
    )
    return JSONResponse(await journeys.journey_json(app.store, journey))


async def start_step(request: Request) -> Response:
    app = services(request)
    journey = await _journey(request)
    data = await json_body(request)
    made = await journeys.start_step(
        app.store, app.rooms, journey, request.path_params["step"], data
    )
    return JSONResponse(
        {
            "boards": [
                {
                    "id": new.record.id,
                    "title": new.record.title,
                    "group": group,
                    "join_code": new.record.join_code,
                    "urls": board_urls(request, new),
                }
                for group, new in made
            ],
            "journey": await journeys.journey_json(app.store, journey),
        },
        status_code=201,
    )


async def archive(request: Request) -> Response:
    app = services(request)
    journey = await _journey(request)
    content = await journey_archive(app.store, app.rooms, journey)
    return Response(
        content,
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="resa-{journey.id}.zip"',
            "cache-control": "no-store",
        },
    )


async def delete_board(request: Request) -> Response:
    """Delete a board for good: its facilitator (key or member of the owning org)."""
    call = await board_call(request, facilitator=True)
    await erasure.delete_board_as(
        call.principal, call.services.store, call.services.rooms, call.board
    )
    return Response(status_code=204)


def _start_fields(form: dict[str, str]) -> dict[str, object]:
    """The start form's text areas as the API's lists: one group or finding a line."""
    data: dict[str, object] = {}
    for name in ("groups", "lines"):
        lines = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
        if lines:
            data[name] = lines
    return data


async def journey_page(request: Request) -> Response:
    """The journey page: the ten steps as a timeline, for the library's facilitators."""
    app = services(request)
    account = await current_account(request)
    if account is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    journey = await app.store.get_journey(request.path_params["journey_id"])
    if journey is None:
        return error_page(request, 404, "journey.error_not_found")
    if account.role_in(journey.org_id) is None:
        return error_page(request, 403, "journey.error_other_org")
    lang = pick_language(request, journey.language)
    if request.method == "POST":
        form = await request.form()
        step = form.get("step")
        fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        try:
            if fields.get("action") == "delete":
                if fields.get("confirm") != "yes":
                    return error_page(request, 400, "journey.error_confirm", lang)
                await erasure.delete_journey(app.store, app.rooms, journey)
                return RedirectResponse("/account", status_code=303)
            if fields.get("action") == "plan":
                await journeys.plan_step(app.store, journey, step, fields)
            else:
                await journeys.start_step(
                    app.store, app.rooms, journey, step, _start_fields(fields)
                )
        except SamsynError:
            return error_page(request, 400, "account.error_form", lang)
        return RedirectResponse(f"/journeys/{journey.id}#step-{step}", status_code=303)
    data = await journeys.journey_json(app.store, journey)
    org = await app.store.get_org(journey.org_id)
    return render(
        request,
        "journey.html",
        lang,
        journey=data,
        org=org.name if org else "",
        email=account.user.email,
        config={"journey_id": journey.id, "language": lang},
    )


_J = "/api/journeys/{journey_id}"
routes = [
    Route("/api/journeys", post_journey, methods=["POST"]),
    Route(_J, get_journey, methods=["GET", "DELETE"]),
    Route(f"{_J}/steps/{{step}}", plan_step, methods=["POST"]),
    Route(f"{_J}/steps/{{step}}/start", start_step, methods=["POST"]),
    Route(f"{_J}/archive.zip", archive),
    Route("/api/boards/{board_id}", delete_board, methods=["DELETE"]),
    Route("/journeys/{journey_id}", journey_page, methods=["GET", "POST"]),
]
