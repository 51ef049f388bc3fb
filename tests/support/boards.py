"""One board factory for every test: create a board over HTTP, optionally move it to a phase
(and, for the pure tests, `workshop_doc`: the same template laid out in a bare doc).

The HTTP steps are written once, as a generator of requests that receives the responses:
`create_board` sends them from async tests (whose server may run on the same event loop),
`new_board` from the synchronous browser tests.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
from pycrdt import Doc

from boards import schema
from boards.catalog import get_template

_Steps = Generator[httpx.Request, httpx.Response, dict[str, Any]]


def _phase_request(base_url: str, board: dict[str, Any], name: str) -> httpx.Request:
    return httpx.Request(
        "POST",
        f"{base_url}/api/boards/{board['id']}/phase",
        json={"name": name},
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
    )


def _board_steps(base_url: str, title: str, phase: str | None, extra: dict[str, Any]) -> _Steps:
    response = yield httpx.Request("POST", f"{base_url}/api/boards", json={"title": title, **extra})
    assert response.status_code == 201, response.text
    board: dict[str, Any] = response.json()
    if phase:
        response = yield _phase_request(base_url, board, phase)
        assert response.status_code == 200, response.text
    return board


async def create_board(
    base_url: str, title: str = "Testtavla", *, phase: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A new board (its id, keys, join code and links), made by the API as a person would."""
    steps = _board_steps(base_url, title, phase, extra)
    async with httpx.AsyncClient() as client:
        request = next(steps)
        try:
            while True:
                request = steps.send(await client.send(request))
        except StopIteration as done:
            return done.value


def new_board(
    base_url: str, title: str = "Testtavla", *, phase: str | None = None, **extra: Any
) -> dict[str, Any]:
    """`create_board` for synchronous callers (the Playwright tests)."""
    steps = _board_steps(base_url, title, phase, extra)
    with httpx.Client(timeout=10) as client:
        request = next(steps)
        try:
            while True:
                request = steps.send(client.send(request))
        except StopIteration as done:
            return done.value


def facilitator_post(
    base_url: str, board: dict[str, Any], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST `body` to `/api/boards/{id}{path}` as the board's facilitator; the 200 answer."""
    response = httpx.post(
        f"{base_url}/api/boards/{board['id']}{path}",
        json=body,
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def join_board(base_url: str, board: dict[str, Any], name: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            f"/api/boards/{board['id']}/participants",
            json={"name": name, "join_code": board["join_code"]},
        )
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


async def set_phase(base_url: str, board: dict[str, Any], name: str) -> None:
    """Move a board to a phase as its facilitator (boards start in the silent brainstorm,
    where participants' new notes belong in their drafts, not on the board)."""
    async with httpx.AsyncClient() as client:
        response = await client.send(_phase_request(base_url, board, name))
        assert response.status_code == 200, response.text


def workshop_doc(title: str, language: str, created_ms: int) -> tuple[Doc[Any], list[str]]:
    """A fresh Målbild workshop doc as `init_board` lays it out, with its section ids in
    template order; for the pure tests, which need no server."""
    doc: Doc[Any] = Doc()
    schema.init_board(
        doc,
        title=title,
        template=get_template("malbild-workshop"),
        language=language,
        created_ms=created_ms,
    )
    order = {sid: section["order"] for sid, section in schema.sections_map(doc).to_py().items()}
    return doc, sorted(order, key=order.__getitem__)
