"""Facilitators' accounts over real HTTP and websockets: sign in, roles, invites, claims,
and a facilitator of another library refused on pages, API, sockets and exports."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from server.settings import Settings
from server.sync.protocol import CloseCode
from tests.support.accounts import PASSWORD, Member, make_user, member_of, sign_in
from tests.support.backends import BACKENDS, backend_settings
from tests.support.boards import create_board
from tests.support.servers import InProcessServer, run_server
from tests.support.yjs import YClient, refused_with


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test of this module on SQLite and on PostgreSQL."""
    return backend_settings(request, tmp_path)


async def _org_board(server: InProcessServer, member: Member, title: str) -> dict[str, str]:
    response = await member.client.post("/api/boards", json={"title": title, "org": member.org_id})
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


async def test_sign_in_lists_the_library_and_wrong_passwords_are_throttled(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    me = await anna.client.get("/api/me")
    assert me.json()["email"] == "anna@bib.se"
    assert me.json()["orgs"] == [{"id": anna.org_id, "name": "Stadsbiblioteket", "role": "owner"}]
    cookie = anna.client.cookies.jar
    assert any(c.name == "samsyn_account" and c.has_nonstandard_attr("HttpOnly") for c in cookie)
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as stranger:
        codes = [
            (await stranger.post("/api/session", json={"email": "anna@bib.se", "password": p}))
            for p in ["fel lösenord 1"] * 5 + [PASSWORD]
        ]
        assert [c.status_code for c in codes[:5]] == [401] * 5
        # Even the right password waits once the account has been guessed at.
        assert codes[5].status_code == 429
        assert (await stranger.get("/api/me")).status_code == 401
    # Signing out revokes the session server-side: the old cookie opens nothing.
    old_cookie = anna.cookie
    assert (await anna.client.request("DELETE", "/api/session")).status_code == 204
    async with httpx.AsyncClient(base_url=app_server.url) as replay:
        assert (await replay.get("/api/me", headers={"cookie": old_cookie})).status_code == 401
    await anna.client.aclose()


async def test_members_open_their_library_s_boards_and_another_library_is_refused(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    await make_user(app_server, anna.org_id, "bo@bib.se", role="facilitator")
    bo = await sign_in(app_server, "bo@bib.se", anna.org_id)
    other = await member_of(app_server, "Grannbiblioteket", "cia@granne.se")
    board = await _org_board(app_server, anna, "Målbild 0.5 – Stadsbiblioteket")
    bid = board["id"]
    ws = f"{app_server.ws_url}/ws/{bid}"
    # A colleague opens it without any key: page, API, export and socket.
    page = await bo.client.get(f"/b/{bid}")
    assert page.status_code == 200 and '"is_facilitator": true' in page.text
    phase = await bo.client.post(f"/api/boards/{bid}/phase", json={"name": "cluster"})
    assert phase.status_code == 200
    assert (await bo.client.get(f"/b/{bid}/export.md")).status_code == 200
    async with YClient(ws, headers={"cookie": bo.cookie}) as client:
        await client.wait_for(lambda: client.synced.is_set())
    # A fork of the board stays in the library: the colleague opens it without its key.
    mark = await bo.client.post(f"/api/boards/{bid}/checkpoints", json={"name": "Målbild 0.5"})
    fork = await bo.client.post(f"/api/boards/{bid}/checkpoints/{mark.json()['id']}/fork", json={})
    assert fork.status_code == 201
    assert (await anna.client.get(f"/api/boards/{fork.json()['id']}/session")).status_code == 200
    assert (await other.client.get(f"/api/boards/{fork.json()['id']}/session")).status_code == 401
    # A facilitator of another library is refused everywhere.
    assert (await other.client.get(f"/b/{bid}")).status_code == 401
    assert (
        await other.client.post(f"/api/boards/{bid}/phase", json={"name": "vote"})
    ).status_code == 401
    assert (await other.client.get(f"/b/{bid}/export.docx")).status_code == 401
    assert (await other.client.delete(f"/api/boards/{bid}")).status_code == 401
    for doc in ("", "/session", "/drafts"):
        refused = YClient(f"{ws}{doc}", headers={"cookie": other.cookie})
        assert await refused_with(refused) == CloseCode.UNAUTHORIZED
    for member in (anna, bo, other):
        await member.client.aclose()


async def test_owners_invite_by_a_single_use_link(app_server: InProcessServer) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    await make_user(app_server, anna.org_id, "bo@bib.se", role="facilitator")
    bo = await sign_in(app_server, "bo@bib.se", anna.org_id)
    refused = await bo.client.post(f"/api/orgs/{anna.org_id}/invites", json={"role": "owner"})
    assert refused.status_code == 403
    made = await anna.client.post(f"/api/orgs/{anna.org_id}/invites", json={"role": "facilitator"})
    assert made.status_code == 201
    token = made.json()["url"].rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=app_server.url, timeout=30) as new:
        weak = await new.post(f"/api/links/{token}", json={"email": "dag@bib.se", "password": "x"})
        assert weak.status_code == 400  # a weak password does not use the link up
        body = {"email": "dag@bib.se", "password": "dags eget lösenord"}
        joined = await new.post(f"/api/links/{token}", json=body)
        assert joined.status_code == 201
        assert joined.json()["orgs"][0]["role"] == "facilitator"
        assert (await new.get("/api/me")).json()["email"] == "dag@bib.se"
        again = await new.post(f"/api/links/{token}", json={**body, "email": "eve@x.se"})
        assert again.status_code == 404
    for member in (anna, bo):
        await member.client.aclose()


async def test_a_board_made_with_a_key_is_claimed_into_the_library(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    other = await member_of(app_server, "Grannbiblioteket", "cia@granne.se")
    board = await create_board(app_server.url, "Gammal tavla")
    bid = board["id"]
    assert (await anna.client.get(f"/api/boards/{bid}/session")).status_code == 401
    key = {"authorization": f"Bearer {board['facilitator_key']}"}
    into_other = await anna.client.post(
        f"/api/boards/{bid}/claim", json={"org": other.org_id}, headers=key
    )
    assert into_other.status_code == 403  # only into one's own library
    claimed = await anna.client.post(
        f"/api/boards/{bid}/claim", json={"org": anna.org_id}, headers=key
    )
    assert claimed.status_code == 200
    assert (await anna.client.get(f"/api/boards/{bid}/session")).status_code == 200
    assert (await other.client.get(f"/api/boards/{bid}/session")).status_code == 401
    for member in (anna, other):
        await member.client.aclose()


async def test_the_operator_can_require_accounts_to_create_boards(settings: Settings) -> None:
    async with run_server(settings.with_overrides(open_board_creation=False)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as anonymous:
            refused = await anonymous.post("/api/boards", json={"title": "Utan konto"})
            assert refused.status_code == 403
            assert refused.json()["error"] == "accounts_only"
        anna = await member_of(server, "Stadsbiblioteket", "anna@bib.se")
        made = await anna.client.post("/api/boards", json={"title": "Med konto"})
        assert made.status_code == 201
        page = await anna.client.get("/account")
        assert "Med konto" in page.text
        await anna.client.aclose()


async def test_owners_manage_members_and_the_library_always_keeps_an_owner(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    await make_user(app_server, anna.org_id, "bo@bib.se", role="facilitator")
    bo = await sign_in(app_server, "bo@bib.se", anna.org_id)
    other = await member_of(app_server, "Grannbiblioteket", "cia@granne.se")
    board = await _org_board(app_server, anna, "Personalmöte i Kvarnby")
    base = f"/api/orgs/{anna.org_id}/members"
    listed = (await bo.client.get(base)).json()
    assert [(m["email"], m["role"]) for m in listed] == [
        ("anna@bib.se", "owner"),
        ("bo@bib.se", "facilitator"),
    ]
    ids = {m["email"]: m["user_id"] for m in listed}
    anna_url, bo_url = f"{base}/{ids['anna@bib.se']}", f"{base}/{ids['bo@bib.se']}"
    assert (await other.client.get(base)).status_code == 403
    # A facilitator changes nobody; the last owner can neither step down nor leave.
    refused = await bo.client.put(anna_url, json={"role": "facilitator"})
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    for response in (
        await anna.client.put(anna_url, json={"role": "facilitator"}),
        await anna.client.delete(anna_url),
    ):
        assert response.status_code == 409 and response.json()["error"] == "last_owner"
    assert (await anna.client.put(bo_url, json={"role": "chef"})).status_code == 400
    assert (await anna.client.put(bo_url, json={})).status_code == 400
    assert (await anna.client.delete(f"{base}/nobody")).status_code == 404
    # Bo becomes an owner, so Anna may step down: she can no longer invite.
    made = await anna.client.put(bo_url, json={"role": "owner"})
    assert made.json() == {"user_id": ids["bo@bib.se"], "email": "bo@bib.se", "role": "owner"}
    assert (await anna.client.put(anna_url, json={"role": "facilitator"})).status_code == 200
    invite = await anna.client.post(f"/api/orgs/{anna.org_id}/invites", json={"role": "owner"})
    assert invite.status_code == 403
    # Bo removes Anna: the library's board and its members are closed to her at once.
    assert (await anna.client.get(f"/api/boards/{board['id']}/session")).status_code == 200
    assert (await bo.client.delete(anna_url)).status_code == 204
    assert (await anna.client.get(f"/api/boards/{board['id']}/session")).status_code == 401
    assert (await anna.client.get(base)).status_code == 403
    assert [m["email"] for m in (await bo.client.get(base)).json()] == ["bo@bib.se"]
    for member in (anna, bo, other):
        await member.client.aclose()


async def test_two_owners_stepping_down_at_once_leave_one_owner(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    await make_user(app_server, anna.org_id, "bo@bib.se", role="owner")
    bo = await sign_in(app_server, "bo@bib.se", anna.org_id)
    base = f"/api/orgs/{anna.org_id}/members"
    ids = {m["email"]: m["user_id"] for m in (await anna.client.get(base)).json()}
    answers = await asyncio.gather(
        anna.client.put(f"{base}/{ids['anna@bib.se']}", json={"role": "facilitator"}),
        bo.client.put(f"{base}/{ids['bo@bib.se']}", json={"role": "facilitator"}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    roles = [m["role"] for m in (await anna.client.get(base)).json()]
    assert sorted(roles) == ["facilitator", "owner"]
    for member in (anna, bo):
        await member.client.aclose()
