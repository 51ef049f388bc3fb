"""Signing in and out, the facilitator's own page, invites and set-password links.

JSON for programs (`/api/session`, `/api/me`, `/api/orgs/{org_id}/invites`,
`/api/password-resets`, `/api/boards/{board_id}/claim`) and HTML forms for people
(`/login`, `/forgot-password`, `/account`, `/invite/{token}`, `/password/{token}`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.errors import (
    Conflict,
    NotFound,
    SamsynError,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
)
from server.services import accounts, journeys, mail
from server.services.accounts import Account
from server.web.account_cookie import account_token, clear_account_cookie, set_account_cookie
from server.web.deps import board_call, json_body, services
from server.web.ownership import current_account
from server.web.pages import error_page, pick_language, render


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _sign_in(request: Request, email: object, password: object) -> tuple[str, Any]:
    """Sign in, throttled per account and per address."""
    limiter = services(request).login_limiter
    keys = [f"addr:{_client(request)}", f"email:{str(email).strip().lower()}"]
    wait = max(limiter.retry_after(key) for key in keys)
    if wait:
        raise TooManyAttempts(
            "too_many_attempts", f"too many wrong passwords; retry in {wait} s", retry_after=wait
        )
    try:
        return await accounts.sign_in(services(request).store, email, password)
    except SamsynError:
        for key in keys:
            limiter.record(key)
        raise


def _me(account: Account) -> dict[str, Any]:
    return {
        "id": account.user.id,
        "email": account.user.email,
        "orgs": [{"id": m.org.id, "name": m.org.name, "role": m.role} for m in account.memberships],
    }


def _base(request: Request) -> str:
    """The server's address for links: SAMSYN_PUBLIC_URL, else the request's own."""
    return services(request).mailer.public_url or str(request.base_url).rstrip("/")


async def _invite(
    request: Request, account: Account, org_id: str, role: object, email: object
) -> tuple[str, mail.Outcome | None]:
    """An invite link, and the outcome of mailing it when an e-mail address was given."""
    app = services(request)
    # A typo in the address is a 400 before any link is made.
    wanted = None if email is None or email == "" else accounts.clean_email(email)
    token = await accounts.invite(app.store, account, org_id, role)
    url = f"{_base(request)}/invite/{token}"
    if wanted is None:
        return url, None
    if not app.mailer.enabled:
        detail = "no mail server is configured (SAMSYN_SMTP_URL): pass the link on yourself"
        return url, mail.Outcome(wanted, False, detail)
    org = next(m.org.name for m in account.memberships if m.org.id == org_id)
    outcome = await mail.mail_invite(
        app.mailer, wanted, org, account.user.email, token, pick_language(request)
    )
    return url, outcome


def _reset_requested(request: Request, email: object) -> str:
    """Check the throttle of forgotten-password requests and count this one."""
    app = services(request)
    if not app.mailer.enabled:
        raise Unavailable(
            "mail_not_configured",
            "this server sends no mail: ask its operator for a link "
            "(samsyn user reset-password EMAIL)",
        )
    clean = accounts.clean_email(email)
    limits = [
        (app.resets_per_address, _client(request)),
        (app.resets_per_email, clean),
    ]
    wait = max(limiter.retry_after(key) for limiter, key in limits)
    if wait:
        raise TooManyAttempts(
            "too_many_attempts", f"too many requests for a new password; retry in {wait} s", wait
        )
    for limiter, key in limits:
        limiter.record(key)
    return clean


def _mail_password_link(request: Request, email: str) -> None:
    """Look the account up and mail it apart from this request, so the answer's body and
    time are the same for an address with an account and one without."""
    app = services(request)
    app.mailer.later(mail.mail_password_link(app.store, app.mailer, email, pick_language(request)))


# -- JSON ---------------------------------------------------------------------------------


async def api_session(request: Request) -> Response:
    app = services(request)
    if request.method == "DELETE":
        await accounts.sign_out(app.store, account_token(request))
        response: Response = Response(status_code=204)
        clear_account_cookie(response)
        return response
    data = await json_body(request)
    token, _ = await _sign_in(request, data.get("email"), data.get("password"))
    account = await accounts.account_of(app.store, token)
    assert account is not None
    response = JSONResponse(_me(account))
    set_account_cookie(response, app.settings, token)
    return response


async def api_me(request: Request) -> Response:
    account = await current_account(request)
    if account is None:
        raise Unauthenticated("unauthorized", "sign in first")
    return JSONResponse(_me(account))


async def api_invite(request: Request) -> Response:
    data = await json_body(request)
    org_id = request.path_params["org_id"]
    account = accounts.require_member(await current_account(request), org_id)
    url, outcome = await _invite(request, account, org_id, data.get("role"), data.get("email"))
    body: dict[str, Any] = {"url": url}
    if outcome is not None:
        body["mail"] = {"to": outcome.to, "sent": outcome.sent, "detail": outcome.detail}
    return JSONResponse(body, status_code=201)


NEUTRAL_RESET = (
    "if the address has an account, a link to choose a new password has been mailed to it"
)


async def api_password_reset(request: Request) -> Response:
    """Mail a set-password link; the same answer whether the address has an account."""
    data = await json_body(request)
    _mail_password_link(request, _reset_requested(request, data.get("email")))
    return JSONResponse({"detail": NEUTRAL_RESET}, status_code=202)


async def api_redeem(request: Request) -> Response:
    """Use an invite or a set-password link; signs the browser in."""
    data = await json_body(request)
    app = services(request)
    user = await accounts.redeem(
        app.store, request.path_params["token"], data.get("email"), data.get("password")
    )
    token, _ = await accounts.sign_in(app.store, user.email, data.get("password"))
    account = await accounts.account_of(app.store, token)
    assert account is not None
    response = JSONResponse(_me(account), status_code=201)
    set_account_cookie(response, app.settings, token)
    return response


def _member_json(member: Any) -> dict[str, str]:
    return {"user_id": member.user_id, "email": member.email, "role": member.role}


async def api_members(request: Request) -> Response:
    """GET /api/orgs/{org_id}/members (its members): who is in the library, as what."""
    found = await accounts.members(
        services(request).store, await current_account(request), request.path_params["org_id"]
    )
    return JSONResponse([_member_json(m) for m in found])


async def api_member(request: Request) -> Response:
    """PUT (an owner: {"role"}) or DELETE (an owner, or the member leaving) one member."""
    org_id, user_id = request.path_params["org_id"], request.path_params["user_id"]
    role = None
    if request.method == "PUT":
        role = (await json_body(request)).get("role")
        if role is None:
            role = ""  # a missing role is a bad role, never a removal
    store = services(request).store
    await accounts.change_member(store, await current_account(request), org_id, user_id, role)
    if request.method == "DELETE":
        return Response(status_code=204)
    changed = next((m for m in await store.members_of(org_id) if m.user_id == user_id), None)
    return JSONResponse(_member_json(changed) if changed else {})


async def api_claim(request: Request) -> Response:
    """Put a board into an organisation: its facilitator key and a member's session."""
    call = await board_call(request, facilitator=True)
    data = await json_body(request)
    org = data.get("org")
    if not isinstance(org, str):
        org = ""
    await accounts.claim(call.services.store, await current_account(request), call.board, org)
    return JSONResponse({"id": call.board.id, "org": org})


# -- pages --------------------------------------------------------------------------------


def _next(request: Request) -> str:
    """Where to go after signing in: a path of this site only (never `//host`)."""
    wanted = request.query_params.get("next", "")
    return wanted if wanted.startswith("/") and not wanted.startswith("//") else "/account"


async def login_page(request: Request) -> Response:
    lang = pick_language(request)
    error = None
    email = ""
    if request.method == "POST":
        form = await request.form()
        email = str(form.get("email", ""))
        try:
            token, _ = await _sign_in(request, email, form.get("password"))
        except TooManyAttempts:
            error = "account.error_throttled"
        except SamsynError:
            error = "account.error_login"
        else:
            response = RedirectResponse(_next(request), status_code=303)
            set_account_cookie(response, services(request).settings, token)
            return response
    status = 400 if error else 200
    return render(
        request, "login.html", lang, status, error=error, email=email, next=_next(request)
    )


async def logout_page(request: Request) -> Response:
    await accounts.sign_out(services(request).store, account_token(request))
    response = RedirectResponse("/login", status_code=303)
    clear_account_cookie(response)
    return response


async def account_page(request: Request) -> Response:
    """The facilitator's library: its journeys, its boards, and (owners) an invite link."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/login", status_code=303)
    lang = pick_language(request)
    store = services(request).store
    invite_url = None
    invite_mail = None
    member_error = None
    if request.method == "POST":
        form = await request.form()
        org_id = str(form.get("org", ""))
        action = form.get("action")
        try:
            if action in ("member_role", "member_remove"):
                role = form.get("role") if action == "member_role" else None
                user_id = str(form.get("user", ""))
                try:
                    await accounts.change_member(store, account, org_id, user_id, role)
                except (Conflict, NotFound) as refused:
                    # Said on the page itself: the owner sees why and what to do.
                    member_error = refused.code
                else:
                    return RedirectResponse("/account", status_code=303)
            elif action == "invite":
                invite_url, invite_mail = await _invite(
                    request, account, org_id, form.get("role"), form.get("email")
                )
            else:
                accounts.require_member(account, org_id)
                journey = await journeys.create_journey(
                    store, org_id, form.get("title"), form.get("language") or lang
                )
                return RedirectResponse(f"/journeys/{journey.id}", status_code=303)
        except SamsynError:
            return error_page(request, 400, "account.error_form", lang)
    orgs = []
    for membership in account.memberships:
        org_journeys = await store.journeys_of_org(membership.org.id)
        board_ids = await store.boards_of_org(membership.org.id)
        boards = [b for b in [await store.get_board(i) for i in board_ids] if b is not None]
        orgs.append(
            {
                "id": membership.org.id,
                "name": membership.org.name,
                "role": membership.role,
                "journeys": org_journeys,
                "boards": boards,
                "members": await store.members_of(membership.org.id),
            }
        )
    return render(
        request,
        "account.html",
        lang,
        409 if member_error else 200,
        email=account.user.email,
        orgs=orgs,
        invite_url=invite_url,
        invite_mail=invite_mail,
        mail_enabled=services(request).mailer.enabled,
        me=account.user.id,
        member_error=member_error,
    )


async def forgot_page(request: Request) -> Response:
    """`/forgot-password`: an e-mail address in, the same neutral answer out."""
    lang = pick_language(request)
    enabled = services(request).mailer.enabled
    status, error, sent_to, email = 200, None, None, ""
    if request.method == "POST" and enabled:
        form = await request.form()
        email = str(form.get("email", ""))
        try:
            sent_to = _reset_requested(request, email)
        except TooManyAttempts:
            status, error = 429, "account.error_reset_throttled"
        except SamsynError:
            status, error = 400, "account.error_email"
        else:
            _mail_password_link(request, sent_to)
    return render(
        request,
        "forgot.html",
        lang,
        status,
        enabled=enabled,
        error=error,
        email=email,
        sent_to=sent_to,
    )


async def link_page(request: Request) -> Response:
    """`/invite/{token}` (e-mail and password) and `/password/{token}` (a new password)."""
    lang = pick_language(request)
    app = services(request)
    token = request.path_params["token"]
    try:
        link = await accounts.peek(app.store, token)
    except SamsynError:
        return error_page(request, 404, "account.error_link", lang)
    error = None
    if request.method == "POST":
        form = await request.form()
        password = form.get("password")
        try:
            user = await accounts.redeem(app.store, token, form.get("email"), password)
            session, _ = await accounts.sign_in(app.store, user.email, password)
        except SamsynError as exc:
            weak = exc.code == "weak_password"
            error = "account.error_password" if weak else "account.error_form"
        else:
            response = RedirectResponse("/account", status_code=303)
            set_account_cookie(response, app.settings, session)
            return response
    org = await app.store.get_org(link.org_id) if link.org_id else None
    return render(
        request,
        "link.html",
        lang,
        400 if error else 200,
        kind=link.kind,
        org=org.name if org else "",
        action=request.url.path,
        error=error,
        min_password=accounts.MIN_PASSWORD,
    )


routes = [
    Route("/api/session", api_session, methods=["POST", "DELETE"]),
    Route("/api/me", api_me),
    Route("/api/orgs/{org_id}/invites", api_invite, methods=["POST"]),
    Route("/api/links/{token}", api_redeem, methods=["POST"]),
    Route("/api/password-resets", api_password_reset, methods=["POST"]),
    Route("/api/boards/{board_id}/claim", api_claim, methods=["POST"]),
    Route("/api/orgs/{org_id}/members", api_members),
    Route("/api/orgs/{org_id}/members/{user_id}", api_member, methods=["PUT", "DELETE"]),
    Route("/login", login_page, methods=["GET", "POST"]),
    Route("/forgot-password", forgot_page, methods=["GET", "POST"]),
    Route("/logout", logout_page, methods=["POST"]),
    Route("/account", account_page, methods=["GET", "POST"]),
    Route("/invite/{token}", link_page, methods=["GET", "POST"]),
    Route("/password/{token}", link_page, methods=["GET", "POST"]),
]
