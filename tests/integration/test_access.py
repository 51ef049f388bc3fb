"""Access that cannot be lost: the facilitator's own link, the revocable co-facilitator
link, the wall link, and the operator's `samsyn rekey` for a facilitator who lost theirs."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any

import httpx

from tests.support import ROOT
from tests.support.boards import create_board, join_board
from tests.support.servers import InProcessServer, ServerProcess
from tests.support.tools import SAMSYN
from tests.support.yjs import YClient


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def _status(server: InProcessServer | ServerProcess, board_id: str, secret: str) -> int:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(f"/api/boards/{board_id}/session", headers=_bearer(secret))
    return response.status_code


async def _socket_close(
    server: InProcessServer | ServerProcess, board_id: str, secret: str
) -> int | None:
    """The close code of a board socket opened with `secret`, None once it synced."""
    client = YClient(f"{server.ws_url}/ws/{board_id}?token={secret}")
    await client.connect()
    try:
        await client.wait_for(lambda: client.synced.is_set() or client.close_code is not None)
        return None if client.synced.is_set() else client.close_code
    finally:
        await client.close()


async def _access(server: InProcessServer, board_id: str, secret: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as client:
        return await client.get(f"/api/boards/{board_id}/access", headers=_bearer(secret))


def _key(link: str) -> str:
    return link.split("key=", 1)[1]


async def test_access_gives_each_facilitator_their_own_link(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    response = await _access(app_server, board["id"], board["facilitator_key"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    assert data["link"] == board["urls"]["facilitator"]
    assert data["wall"] == board["urls"]["wall"]
    assert data["may_manage"] is True and data["cofacilitator"] == {"active": False}
    assert data["may_delete"] is True and data["org"] is None
    guest = await join_board(app_server.url, board, "Kim")
    assert (await _access(app_server, board["id"], guest["token"])).status_code == 403
    assert (await _access(app_server, board["id"], _key(data["wall"]))).status_code == 403


async def test_cofacilitator_runs_the_workshop_until_revoked(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    base = f"/api/boards/{board['id']}"
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        owner = _bearer(board["facilitator_key"])
        issued = await client.post(f"{base}/cofacilitator", json={}, headers=owner)
        assert issued.status_code == 201
        co_key = _key(issued.json()["link"])
        co = _bearer(co_key)
        phase = await client.post(f"{base}/phase", json={"name": "cluster"}, headers=co)
        assert phase.status_code == 200
        mine = await _access(app_server, board["id"], co_key)
        assert mine.json()["role"] == "cofacilitator" and mine.json()["may_manage"] is False
        assert mine.json()["may_delete"] is False
        # Nor delete the board for good: the board and its notes stay.
        erase = await client.delete(base, headers=co)
        assert erase.status_code == 403
        assert "not a co-facilitator" in erase.json()["detail"]
        assert (await client.get(f"{base}/session", headers=owner)).status_code == 200
        assert mine.json()["link"].endswith(f"?key={co_key}")
        # A co-facilitator cannot issue or revoke links.
        assert (await client.post(f"{base}/cofacilitator", json={}, headers=co)).status_code == 403
        refused = await client.post(f"{base}/cofacilitator/revoke", json={}, headers=co)
        assert refused.status_code == 403
        # A socket open with the link is closed the moment it is revoked.
        live = YClient(f"{app_server.ws_url}/ws/{board['id']}?token={co_key}")
        await live.connect()
        await live.wait_for(live.synced.is_set)
        revoked = await client.post(f"{base}/cofacilitator/revoke", json={}, headers=owner)
        assert revoked.json() == {"active": False}
        assert await live.wait_closed() == 4401
        assert live.close_reason == "the co-facilitator link was revoked"
    assert await _status(app_server, board["id"], co_key) == 401
    assert await _socket_close(app_server, board["id"], co_key) == 4401
    assert await _status(app_server, board["id"], board["facilitator_key"]) == 200


async def test_a_new_cofacilitator_link_replaces_the_old(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    path = f"/api/boards/{board['id']}/cofacilitator"
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        owner = _bearer(board["facilitator_key"])
        first = _key((await client.post(path, json={}, headers=owner)).json()["link"])
        second = _key((await client.post(path, json={}, headers=owner)).json()["link"])
    assert await _status(app_server, board["id"], first) == 401
    assert await _status(app_server, board["id"], second) == 200


async def test_cofacilitator_link_opens_the_panel_beside_the_facilitator_cookie(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url)
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        issued = await client.post(
            f"/api/boards/{board['id']}/cofacilitator",
            json={},
            headers=_bearer(board["facilitator_key"]),
        )
        traded = await client.get(issued.json()["link"])
        assert traded.status_code == 303
        assert f"samsyn_c_{board['id']}=" in traded.headers["set-cookie"]
        page = await client.get(f"/b/{board['id']}")
    assert '"role": "facilitator"' in page.text and '"co_facilitator": true' in page.text


async def test_wall_without_its_key_says_how_to_open_it(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url)
    async with httpx.AsyncClient(base_url=app_server.url) as projector:
        bare = await projector.get(f"/b/{board['id']}/wall")
        assert bare.status_code == 401
        assert "väggens länk" in bare.text and "Behåll åtkomsten" in bare.text
        traded = await projector.get(board["urls"]["wall"])
        assert traded.status_code == 303
        wall = await projector.get(traded.headers["location"])
    assert wall.status_code == 200 and '"role": "wall"' in wall.text


async def test_boards_from_before_the_wall_key_was_kept_get_one(
    app_server: InProcessServer, settings: Any
) -> None:
    board = await create_board(app_server.url)
    with sqlite3.connect(settings.db) as conn:
        conn.execute("UPDATE boards SET wall_key = NULL WHERE id = ?", (board["id"],))
    wall = (await _access(app_server, board["id"], board["facilitator_key"])).json()["wall"]
    assert wall != board["urls"]["wall"]
    assert await _status(app_server, board["id"], _key(wall)) == 200
    again = (await _access(app_server, board["id"], board["facilitator_key"])).json()["wall"]
    assert again == wall


async def test_home_lists_the_boards_this_browser_facilitates(app_server: InProcessServer) -> None:
    mine = await create_board(app_server.url, "Min tavla")
    theirs = await create_board(app_server.url, "Deras tavla")
    guest = await join_board(app_server.url, theirs, "Kim")
    async with httpx.AsyncClient(base_url=app_server.url) as browser:
        browser.cookies.set(f"samsyn_f_{mine['id']}", mine["facilitator_key"])
        browser.cookies.set(f"samsyn_p_{theirs['id']}", guest["token"])
        browser.cookies.set(f"samsyn_f_{theirs['id']}", "a-stale-key")
        home = await browser.get("/")
    listed = re.findall(r'data-board-id="([^"]+)"><a href="/b/[^"]+">([^<]+)<', home.text)
    assert listed == [(mine["id"], "Min tavla")]


async def _samsyn(*args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        str(SAMSYN),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_operator_rekey_replaces_the_facilitator_key(live_server: ServerProcess) -> None:
    board = await create_board(live_server.url)
    old = board["facilitator_key"]
    code, out, err = await _samsyn("rekey", board["id"], "--db", str(live_server.db))
    assert code == 0, err
    path = re.fullmatch(r"facilitator: (/b/\S+)\n", out)
    assert path is not None and path.group(1).startswith(f"/b/{board['id']}?key=")
    new = _key(path.group(1))
    assert await _status(live_server, board["id"], new) == 200
    assert await _status(live_server, board["id"], old) == 401
    assert await _socket_close(live_server, board["id"], old) == 4401
    assert await _socket_close(live_server, board["id"], new) is None
    async with httpx.AsyncClient(base_url=live_server.url) as fresh_browser:
        traded = await fresh_browser.get(path.group(1))
        page = await fresh_browser.get(traded.headers["location"])
    assert '"role": "facilitator"' in page.text
    missing = await _samsyn("rekey", "nope", "--db", str(live_server.db))
    assert missing[0] == 2 and "no board 'nope'" in missing[2]


async def test_a_new_join_code_shuts_the_old_one_and_keeps_who_is_in(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url)
    base = f"/api/boards/{board['id']}"
    anna = await join_board(app_server.url, board, "Anna")
    wall_key = board["urls"]["wall"].split("key=", 1)[1]
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        for secret in (anna["token"], wall_key):
            refused = await client.post(f"{base}/join-code", json={}, headers=_bearer(secret))
            assert refused.status_code == 403
        made = await client.post(
            f"{base}/join-code", json={}, headers=_bearer(board["facilitator_key"])
        )
        assert made.status_code == 200
        code = made.json()["join_code"]
        assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{6}", code) and code != board["join_code"]
        assert made.json()["join_url"] == f"{app_server.url}/j/{code}"
        # The old code lets nobody in; the new one does; Anna is still in.
        old = await client.post(
            f"{base}/participants", json={"name": "Bo", "join_code": board["join_code"]}
        )
        assert old.status_code == 403 and old.json()["error"] == "wrong_join_code"
        new = await client.post(f"{base}/participants", json={"name": "Bo", "join_code": code})
        assert new.status_code == 201
        assert await _status(app_server, board["id"], anna["token"]) == 200
        # Everyone's session says the new code; the old code's join page is gone.
        session = await client.get(f"{base}/session", headers=_bearer(wall_key))
        assert session.json()["board"]["join_code"] == code
        assert (await client.get(f"/j/{board['join_code']}")).status_code == 404
        assert (await client.get(f"/j/{code}")).status_code == 200
