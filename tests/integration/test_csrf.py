"""Forged requests: a page elsewhere (another site, or another port of this host) makes
the browser send the board cookies; the server must refuse what it did not ask for."""

from __future__ import annotations

import httpx

from server.settings import Settings
from tests.support.boards import create_board
from tests.support.servers import InProcessServer, run_server
from tests.support.yjs import YClient


async def _session_phase(server: InProcessServer, board: dict[str, str]) -> str:
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        response = await client.get(f"/api/boards/{board['id']}/session")
    assert response.status_code == 200, response.text
    phase: str = response.json()["phase"]["name"]
    return phase


def _facilitator_browser(server: InProcessServer, board: dict[str, str]) -> httpx.AsyncClient:
    """A client holding the facilitator's cookie, as their browser does."""
    client = httpx.AsyncClient(base_url=server.url)
    client.cookies.set(f"samsyn_f_{board['id']}", board["facilitator_key"])
    return client


async def _post_phase(
    browser: httpx.AsyncClient, board: dict[str, str], name: str, **headers: str
) -> httpx.Response:
    """The facilitator's phase change, with the request headers a page would send."""
    return await browser.post(
        f"/api/boards/{board['id']}/phase",
        json={"name": name},
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    )


async def test_no_cors_post_from_another_port_is_refused(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    other_port = f"http://127.0.0.1:{app_server.port + 1}"
    async with _facilitator_browser(app_server, board) as browser:
        # What `fetch(url, {mode: "no-cors", credentials: "include", body})` sends.
        forged = await browser.post(
            f"/api/boards/{board['id']}/phase",
            content=b'{"name": "closed"}',
            headers={
                "Origin": other_port,
                "Sec-Fetch-Site": "same-site",
                "Content-Type": "text/plain;charset=UTF-8",
            },
        )
    assert forged.status_code == 403
    assert forged.json()["error"] == "cross_site"
    assert other_port in forged.json()["detail"]
    assert await _session_phase(app_server, board) == "brainstorm"


async def test_origin_of_another_scheme_is_refused(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    https_twin = f"https://127.0.0.1:{app_server.port}"
    async with _facilitator_browser(app_server, board) as browser:
        forged = await _post_phase(browser, board, "closed", Origin=https_twin)
        own = await _post_phase(
            browser, board, "cluster", Origin=app_server.url, Sec_Fetch_Site="same-origin"
        )
    assert forged.status_code == 403 and forged.json()["error"] == "cross_site"
    assert own.status_code == 200, own.text
    assert await _session_phase(app_server, board) == "cluster"
    socket = YClient(
        f"{app_server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}",
        headers={"Origin": https_twin},
    )
    await socket.connect()
    assert await socket.wait_closed() == 4403


async def test_sec_fetch_site_alone_refuses_a_cross_site_post(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with _facilitator_browser(app_server, board) as browser:
        forged = await browser.post(
            f"/api/boards/{board['id']}/reveal", json={}, headers={"Sec-Fetch-Site": "cross-site"}
        )
    assert forged.status_code == 403 and forged.json()["error"] == "cross_site"


async def test_form_encoded_json_is_refused(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with _facilitator_browser(app_server, board) as browser:
        for content_type in ("application/x-www-form-urlencoded", "text/plain", None):
            headers = {"Origin": app_server.url}
            if content_type:
                headers["Content-Type"] = content_type
            response = await browser.post(
                f"/api/boards/{board['id']}/phase", content=b'{"name": "closed"}', headers=headers
            )
            assert response.status_code == 415, (content_type, response.text)
            assert response.json()["error"] == "unsupported_media_type"
            assert "application/json" in response.json()["detail"]
    assert await _session_phase(app_server, board) == "brainstorm"


async def test_listed_origin_is_allowed(settings: Settings) -> None:
    listed = "https://samsyn.example.org"
    async with run_server(settings.with_overrides(allowed_origins=(listed,))) as server:
        board = await create_board(server.url)
        async with _facilitator_browser(server, board) as browser:
            allowed = await _post_phase(browser, board, "vote", Origin=listed)
            other = await _post_phase(browser, board, "closed", Origin="http://samsyn.example.org")
        assert allowed.status_code == 200, allowed.text
        assert other.status_code == 403
        assert await _session_phase(server, board) == "vote"


async def test_cross_site_join_leaves_the_facilitator_cookie(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    code = board["join_code"]
    async with _facilitator_browser(app_server, board) as browser:
        forged = await browser.post(
            f"/j/{code}", data={"name": "Mallory"}, headers={"Origin": "https://evil.example"}
        )
        assert forged.status_code == 403
        assert "set-cookie" not in forged.headers
        # Even a join the facilitator makes themselves, in the same browser, only adds
        # a participant cookie beside theirs: their board still opens as theirs.
        own = await browser.post(
            f"/j/{code}", data={"name": "Fia"}, headers={"Origin": app_server.url}
        )
        assert own.status_code == 303
        assert f"samsyn_f_{board['id']}" not in own.headers["set-cookie"]
        page = await browser.get(f"/b/{board['id']}")
    assert '"role": "facilitator"' in page.text
    assert browser.cookies.get(f"samsyn_f_{board['id']}") == board["facilitator_key"]


async def test_home_form_from_a_foreign_page_makes_no_board(app_server: InProcessServer) -> None:
    async with httpx.AsyncClient(base_url=app_server.url) as browser:
        forged = await browser.post(
            "/", data={"title": "Spam"}, headers={"Origin": "https://evil.example"}
        )
        own = await browser.post("/", data={"title": "Dag 1"}, headers={"Origin": app_server.url})
    assert forged.status_code == 403
    assert own.status_code == 303
    boards = await app_server.app.state.store.list_boards()
    assert [b.title for b in boards] == ["Dag 1"]


async def test_form_post_with_a_hidden_origin_goes_by_sec_fetch_site(
    app_server: InProcessServer,
) -> None:
    # With the pages' no-referrer policy, Chromium sends `Origin: null` on their forms.
    async with httpx.AsyncClient(base_url=app_server.url) as browser:
        own = await browser.post(
            "/",
            data={"title": "Dag 1"},
            headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        )
        sandboxed = await browser.post(
            "/", data={"title": "Spam"}, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}
        )
        bare = await browser.post("/", data={"title": "Spam"}, headers={"Origin": "null"})
    assert own.status_code == 303
    assert sandboxed.status_code == 403 and bare.status_code == 403
