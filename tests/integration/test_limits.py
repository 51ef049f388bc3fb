"""Anonymous abuse: boards and imports without end, and join-code guessing that locked a
whole room out. Clients on other addresses are real sockets bound to 127.0.0.x."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from server.settings import Settings
from tests.support.boards import create_board
from tests.support.servers import InProcessServer, run_server

JSON = {"Content-Type": "application/json"}


def client_from(server: InProcessServer, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client whose connections come from `address`, as another machine's would."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=server.url, transport=transport)


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[InProcessServer]:
    tight = settings.with_overrides(
        boards_per_hour=3,
        boards_per_hour_total=5,
        imports_per_hour=2,
        join_failures_per_client=10,
        join_failures_per_address=30,
    )
    async with run_server(tight) as server:
        yield server


def _assert_retry_later(response: httpx.Response, code: str) -> None:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) > 0
    if response.headers["content-type"].startswith("application/json"):
        assert response.json()["error"] == code


async def test_board_creation_is_rate_limited_per_address(limited: InProcessServer) -> None:
    async with client_from(limited) as client:
        made = [await client.post("/api/boards", json={"title": f"Tavla {n}"}) for n in range(3)]
        assert [r.status_code for r in made] == [201, 201, 201]
        refused = await client.post("/api/boards", json={"title": "En till"})
        _assert_retry_later(refused, "too_many_boards")
        form = await client.post("/", data={"title": "Via formuläret"})
        _assert_retry_later(form, "too_many_boards")
        assert "tavlor" in form.text
    async with client_from(limited, "127.0.0.2") as neighbour:
        assert (await neighbour.post("/api/boards", json={"title": "Granne"})).status_code == 201
    assert len(await limited.app.state.store.list_boards()) == 4


async def test_every_address_together_has_a_cap(limited: InProcessServer) -> None:
    statuses = []
    for n in range(1, 7):
        async with client_from(limited, f"127.0.0.{n}") as client:
            statuses.append((await client.post("/api/boards", json={"title": "T"})).status_code)
    assert statuses == [201] * 5 + [429]


async def test_imports_are_rate_limited(limited: InProcessServer) -> None:
    board = await create_board(limited.url)
    async with client_from(limited, "127.0.0.9") as client:
        export = await client.get(
            f"/b/{board['id']}/export.json",
            headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        )
        body = export.content
        imported = [
            await client.post("/api/boards/import", content=body, headers=JSON) for _ in range(2)
        ]
        assert [r.status_code for r in imported] == [201, 201]
        third = await client.post("/api/boards/import", content=body, headers=JSON)
    _assert_retry_later(third, "too_many_boards")
    assert json.loads(body)  # a real export was sent each time


async def test_operator_token_gates_creation(settings: Settings) -> None:
    token = settings.with_overrides(create_token="s3cret-token")
    async with run_server(token) as server, httpx.AsyncClient(base_url=server.url) as client:
        anonymous = await client.post("/api/boards", json={"title": "T"})
        wrong = await client.post(
            "/api/boards", json={"title": "T"}, headers={"Authorization": "Bearer nope"}
        )
        operator = await client.post(
            "/api/boards", json={"title": "T"}, headers={"Authorization": "Bearer s3cret-token"}
        )
        imported = await client.post("/api/boards/import", content=b"{}", headers=JSON)
        home = await client.get("/")
        form_without = await client.post("/", data={"title": "T"})
        form_with = await client.post("/", data={"title": "T", "token": "s3cret-token"})
        boards = await server.app.state.store.list_boards()
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "create_token_required"
    assert wrong.status_code == 401
    assert operator.status_code == 201
    assert imported.status_code == 401
    assert 'name="token"' in home.text
    assert form_without.status_code == 401 and "operatörens kod" in form_without.text
    assert form_with.status_code == 303
    assert len(boards) == 2


async def _join_page(client: httpx.AsyncClient, code: str, name: str) -> httpx.Response:
    page = await client.get(f"/j/{code}")
    if page.status_code != 200:
        return page
    return await client.post(
        f"/j/{code}", data={"name": name}, headers={"Origin": str(client.base_url).rstrip("/")}
    )


async def test_one_persons_typos_do_not_lock_out_the_room(limited: InProcessServer) -> None:
    board = await create_board(limited.url)
    code = board["join_code"]
    wrong = "QQQQQ" + ("Q" if code[-1] != "Q" else "W")
    async with client_from(limited) as typist:
        typos = [(await typist.get(f"/j/{wrong}")).status_code for _ in range(10)]
        assert typos == [404] * 10
        # Their own browser now waits, even with the right code...
        _assert_retry_later(await typist.get(f"/j/{code}"), "too_many_attempts")
    # ...but the other nineteen in the room, on the same address, get in.
    for n in range(19):
        async with client_from(limited) as person:
            joined = await _join_page(person, code, f"Person {n}")
            assert joined.status_code == 303, joined.text
    participants = await limited.app.state.store.list_participants(board["id"])
    assert len(participants) == 19


async def test_the_address_budget_stops_a_guesser_but_not_a_room_already_in(
    limited: InProcessServer,
) -> None:
    board = await create_board(limited.url)
    code = board["join_code"]
    path = f"/api/boards/{board['id']}/participants"

    async def join(address: str, join_code: str, name: str) -> httpx.Response:
        async with client_from(limited, address) as client:  # no cookies: a fresh client each time
            return await client.post(path, json={"name": name, "join_code": join_code})

    assert (await join("127.0.0.1", code, "Först")).status_code == 201
    for address in ("127.0.0.1", "127.0.0.5"):
        guesses = [(await join(address, "AAAAAA", "Gissare")).status_code for _ in range(30)]
        assert guesses == [403] * 30
        _assert_retry_later(await join(address, "CCCCCC", "Gissare"), "too_many_attempts")
    # The room on .1, where the code has worked, goes on joining past the budget:
    for n in range(19):
        assert (await join("127.0.0.1", code, f"Person {n}")).status_code == 201
    # The guesser on .5 is held back even when it hits the right code.
    _assert_retry_later(await join("127.0.0.5", code, "Gissare"), "too_many_attempts")
    assert len(await limited.app.state.store.list_participants(board["id"])) == 20
