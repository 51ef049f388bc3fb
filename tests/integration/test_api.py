"""Boards, participants and pages over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from server.auth import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from tests.support.boards import create_board
from tests.support.servers import InProcessServer


async def test_create_board_answers_the_contract(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url, "Målbild Västerås", language="sv")
    assert set(board) >= {"id", "title", "facilitator_key", "join_code", "urls"}
    assert board["title"] == "Målbild Västerås"
    assert len(board["join_code"]) == JOIN_CODE_LENGTH
    assert set(board["join_code"]) <= set(JOIN_CODE_ALPHABET)
    assert len(board["facilitator_key"]) >= 22  # at least 128 bits in url-safe base64
    assert set(board["urls"]) == {"board", "join", "wall", "facilitator"}
    async with httpx.AsyncClient() as client:
        for url in board["urls"].values():
            assert url.startswith(app_server.url)
        health = await client.get(f"{app_server.url}/healthz")
        assert health.status_code == 200
        # The facilitator link carries the key: no page may pass it on as a referrer.
        assert health.headers["referrer-policy"] == "no-referrer"
        assert health.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"title": ""}, "invalid_field"),
        ({"title": "   "}, "invalid_field"),
        ({"title": 5}, "invalid_field"),
        ({"title": "x" * 201}, "invalid_field"),
        ({"title": "ok", "language": "de"}, "invalid_field"),
        ({"title": "ok", "template": "../../etc/passwd"}, "unknown_template"),
        ([1, 2], "invalid_json"),
    ],
)
async def test_bad_board_requests_get_clear_errors(
    app_server: InProcessServer, body: object, code: str
) -> None:
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        response = await client.post("/api/boards", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == code
    assert response.json()["detail"]


async def test_malformed_json_is_a_400(app_server: InProcessServer) -> None:
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        response = await client.post("/api/boards", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"


async def test_join_sets_token_and_cookie(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        typed = board["join_code"].lower()[:3] + "-" + board["join_code"].lower()[3:]
        response = await client.post(
            f"/api/boards/{board['id']}/participants", json={"name": " Åsa ", "join_code": typed}
        )
        assert response.status_code == 201
        data = response.json()
        assert data["participant_id"] and len(data["token"]) >= 22
        cookie = response.headers["set-cookie"]
        assert f"samsyn_{board['id']}={data['token']}" in cookie
        assert "httponly" in cookie.lower()
        wrong = await client.post(
            f"/api/boards/{board['id']}/participants", json={"name": "Bo", "join_code": "XXXXXX"}
        )
        assert wrong.status_code == 403
        assert wrong.json()["error"] == "wrong_join_code"
        missing = await client.post("/api/boards/nope/participants", json={"name": "Bo"})
        assert missing.status_code == 404


async def test_pages_flow_from_home_to_board(app_server: InProcessServer) -> None:
    async with httpx.AsyncClient(base_url=app_server.url) as facilitator:
        home = await facilitator.get("/")
        assert home.status_code == 200 and "<form" in home.text
        created = await facilitator.post("/", data={"title": "Dag 1", "template": "blank"})
        assert created.status_code == 303
        board_path = created.headers["location"]
        page = await facilitator.get(board_path)
        assert page.status_code == 200
        assert 'id="samsyn-config"' in page.text
        assert '"role": "facilitator"' in page.text
    board_id = board_path.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=app_server.url) as stranger:
        assert (await stranger.get(board_path)).status_code == 401
    store = app_server.app.state.store
    code = (await store.get_board(board_id)).join_code
    async with httpx.AsyncClient(base_url=app_server.url) as guest:
        assert (await guest.get(f"/j?code={code.lower()}")).headers["location"] == f"/j/{code}"
        assert (await guest.get(f"/j/{code}")).status_code == 200
        joined = await guest.post(f"/j/{code}", data={"name": "Kim"})
        assert joined.status_code == 303
        page = await guest.get(joined.headers["location"])
        assert '"role": "participant"' in page.text and '"name": "Kim"' in page.text
        assert (await guest.get("/j/ZZZZZZ")).status_code == 404


async def test_facilitator_link_trades_key_for_cookie(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with httpx.AsyncClient() as client:
        response = await client.get(board["urls"]["facilitator"])
        assert response.status_code == 303
        assert response.headers["location"] == f"/b/{board['id']}"
        assert board["facilitator_key"] in response.headers["set-cookie"]
        bad = await client.get(f"{app_server.url}/b/{board['id']}?key=wrong")
        assert bad.status_code == 401


async def test_hostile_title_is_escaped_on_pages(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url, '<script>alert("x")</script>')
    async with httpx.AsyncClient() as client:
        await client.get(board["urls"]["facilitator"])
        page = await client.get(board["urls"]["board"])
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text or "\\u003cscript\\u003e" in page.text
