"""Restoring a checkpoint in place (issue 10): one new update on the same board, seen live
by everyone connected, on disk through a SIGKILL, and itself undoable."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Doc, Map, Text

from tests.support.boards import create_board, join_board, set_phase
from tests.support.cluster import running_cluster
from tests.support.servers import InProcessServer, ServerProcess
from tests.support.services import RedisServer
from tests.support.yjs import YClient

# Words with letters outside ASCII and one outside the BMP: a text is edited back by byte
# offsets in pycrdt, and a wrong offset would split a character.
LÄSCIRKEL = "Läscirklar för alla åldrar 📚"


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@contextlib.asynccontextmanager
async def _peer(url: str, board: dict[str, Any], secret: str) -> AsyncIterator[YClient]:
    async with YClient(f"{url.replace('http', 'ws', 1)}/ws/{board['id']}?token={secret}") as c:
        await c.wait_for(c.synced.is_set)
        yield c


def _notes(client: YClient) -> Map[Any]:
    return client.doc.get("notes", type=Map)


def _clusters(client: YClient) -> Map[Any]:
    return client.doc.get("clusters", type=Map)


def _content(doc: Doc[Any]) -> dict[str, Any]:
    """What a person sees: the title, each note's text and cluster, each cluster's title."""
    return {
        "title": doc.get("meta", type=Map).get("title"),
        "notes": {
            nid: (str(n.get("text")), n.get("cluster"))
            for nid, n in doc.get("notes", type=Map).items()
        },
        "clusters": {cid: str(c.get("title")) for cid, c in doc.get("clusters", type=Map).items()},
    }


def _exported(data: dict[str, Any]) -> dict[str, Any]:
    """The same view, read from a JSON export."""
    return {
        "title": data["meta"]["title"],
        "notes": {n["id"]: (n["text"], n["cluster"]) for n in data["notes"]},
        "clusters": {c["id"]: c["title"] for c in data["clusters"]},
    }


async def _export(url: str, board: dict[str, Any], kind: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, headers=_bearer(board["facilitator_key"])) as c:
        response = await c.get(f"/b/{board['id']}/export.{kind}")
    assert response.status_code == 200, response.text
    return response


async def _checkpoint_content(url: str, board: dict[str, Any], cid: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, headers=_bearer(board["facilitator_key"])) as c:
        response = await c.get(f"/api/boards/{board['id']}/checkpoints/{cid}/state")
    assert response.status_code == 200, response.text
    doc: Doc[Any] = Doc()
    doc.apply_update(response.content)
    return _content(doc)


async def _fill(url: str, board: dict[str, Any], anna: dict[str, Any]) -> None:
    """The workshop's first day: a cluster with the facilitator's note and Anna's two."""
    async with _peer(url, board, board["facilitator_key"]) as fac:
        with fac.doc.transaction():
            _clusters(fac)["c1"] = Map(
                {"title": Text("Mötesplatser"), "x": 0.0, "y": 0.0, "w": 400.0, "h": 300.0}
            )
            _notes(fac)["f1"] = Map(
                {"text": Text(LÄSCIRKEL), "x": 10.0, "y": 10.0, "cluster": "c1"}
            )
        async with _peer(url, board, anna["token"]) as a:
            await a.wait_for(lambda: "c1" in _clusters(a) and "f1" in _notes(a))
            with a.doc.transaction():
                _notes(a)["a1"] = Map({"text": Text("Öppet hus"), "x": 20.0, "y": 20.0})
                _notes(a)["a2"] = Map(
                    {"text": Text("Språkcafé på lördagar"), "x": 30.0, "y": 30.0, "cluster": "c1"}
                )
            await fac.wait_for(lambda: {"a1", "a2"} <= set(_notes(fac)))


async def test_restore_turns_the_live_board_back_and_survives_a_kill(
    server_process: ServerProcess,
) -> None:
    server = server_process.start()
    url = server.url
    board = await create_board(url, "Workshop", template="malbild-workshop")
    anna = await join_board(url, board, "Anna")
    bo = await join_board(url, board, "Bo")
    await set_phase(url, board, "cluster")
    await _fill(url, board, anna)
    base = f"/api/boards/{board['id']}/checkpoints"
    key = _bearer(board["facilitator_key"])
    async with httpx.AsyncClient(base_url=url, headers=key) as api:
        made = await api.post(base, json={"name": "Slut på dag 1"})
        assert made.status_code == 201, made.text
        checkpoint = made.json()

    async with (
        _peer(url, board, bo["token"]) as watcher,
        _peer(url, board, anna["token"]) as a,
        _peer(url, board, board["facilitator_key"]) as fac,
    ):
        wanted = _content(watcher.doc)
        assert wanted == {
            "title": "Workshop",
            "notes": {
                "f1": (LÄSCIRKEL, "c1"),
                "a1": ("Öppet hus", None),
                "a2": ("Språkcafé på lördagar", "c1"),
            },
            "clusters": {"c1": "Mötesplatser"},
        }
        # Anna, in the cluster phase, deletes her note and the cluster and rewrites her
        # other note; the facilitator's key (in the wrong hands) renames the board.
        with a.doc.transaction():
            del _notes(a)["a1"]
            del _clusters(a)["c1"]
            text = _notes(a)["a2"]["text"]
            del text[0 : len(text)]
            text += "PWNED"
        with fac.doc.transaction():
            fac.doc.get("meta", type=Map)["title"] = "PWNED"
            _notes(fac)["f2"] = Map({"text": Text("Efter kontrollpunkten"), "x": 0.0, "y": 0.0})
        broken = {
            "title": "PWNED",
            "notes": {
                "f1": (LÄSCIRKEL, "c1"),
                "a2": ("PWNED", "c1"),
                "f2": ("Efter kontrollpunkten", None),
            },
            "clusters": {},
        }
        await watcher.wait_for(lambda: _content(watcher.doc) == broken)

        async with httpx.AsyncClient(base_url=url, headers=key) as api:
            response = await api.post(f"{base}/{checkpoint['id']}/restore")
            assert response.status_code == 200, response.text
            result = response.json()
            listed = (await api.get(base)).json()
        assert result["checkpoint"] == checkpoint
        assert result["before"]["name"] == "Före återställning till Slut på dag 1"
        assert result["restored"] == {"notes": 1, "clusters": 1, "sections": 0}
        assert result["removed"] == {"notes": 1, "clusters": 0, "sections": 0}
        assert result["changed"] == {"notes": 1, "clusters": 0, "sections": 0}
        assert result["title_changed"] is True
        assert {c["id"]: c["name"] for c in listed} == {
            checkpoint["id"]: "Slut på dag 1",
            result["before"]["id"]: "Före återställning till Slut på dag 1",
        }
        # Everyone connected gets the restore live, on the same board.
        for client in (watcher, a, fac):
            await client.wait_for(lambda c=client: _content(c.doc) == wanted)
        # The change history names the restore and who did it. (Asked while the board
        # is open: unloading a board folds its log, and the history, into a snapshot.)
        async with httpx.AsyncClient(base_url=url, headers=key) as api:
            newest = (await api.get(f"/api/boards/{board['id']}/changes?limit=1")).json()
        assert [(c["role"], c["restored_checkpoint"]) for c in newest["changes"]] == [
            ("facilitator", checkpoint["id"])
        ]

    async with _peer(url, board, board["facilitator_key"]) as fresh:
        assert _content(fresh.doc) == wanted
        assert _notes(fresh)["a1"]["author"] == "Anna"
    assert _exported((await _export(url, board, "json")).json()) == wanted
    markdown = (await _export(url, board, "md")).text
    assert (
        "# Målbild 0.5 — Workshop\n" in markdown
        and LÄSCIRKEL in markdown
        and "Öppet hus" in markdown
    )
    assert "PWNED" not in markdown and "Efter kontrollpunkten" not in markdown
    # The checkpoint taken first holds the board as the restore found it.
    assert await _checkpoint_content(url, board, result["before"]["id"]) == broken

    # SIGKILL: no shutdown flush. The restore was logged before the answer, so it stays.
    server_process.kill()
    server_process.start()
    async with _peer(url, board, anna["token"]) as after:
        assert _content(after.doc) == wanted
    assert _exported((await _export(url, board, "json")).json()) == wanted

    # The restore is itself undone by restoring the checkpoint it took first.
    async with httpx.AsyncClient(base_url=url, headers=key) as api:
        undo = await api.post(f"{base}/{result['before']['id']}/restore")
        assert undo.status_code == 200, undo.text
    assert undo.json()["removed"]["notes"] == 1 and undo.json()["restored"]["notes"] == 1
    async with _peer(url, board, bo["token"]) as again:
        assert _content(again.doc) == broken
    # Same board, same join code.
    async with httpx.AsyncClient(base_url=url) as anon:
        joined = await anon.post(
            f"/api/boards/{board['id']}/participants",
            json={"name": "Cia", "join_code": board["join_code"]},
        )
    assert joined.status_code == 201, joined.text


async def test_only_the_facilitator_restores_and_unknown_ids_are_named(
    app_server: InProcessServer,
) -> None:
    url = app_server.url
    board = await create_board(url, "Workshop", language="en")
    anna = await join_board(url, board, "Anna")
    await set_phase(url, board, "cluster")
    await _fill(url, board, anna)
    base = f"/api/boards/{board['id']}/checkpoints"
    async with httpx.AsyncClient(base_url=url, headers=_bearer(board["facilitator_key"])) as fac:
        checkpoint = (await fac.post(base, json={"name": "Day 1"})).json()
        async with _peer(url, board, board["facilitator_key"]) as live:
            del _notes(live)["f1"]
            async with _peer(url, board, anna["token"]) as a:
                await a.wait_for(lambda: "f1" not in _notes(a))
            before = _content(live.doc)
        wall_key = board["urls"]["wall"].split("key=", 1)[1]
        async with httpx.AsyncClient(base_url=url) as other:
            as_anna = await other.post(
                f"{base}/{checkpoint['id']}/restore", headers=_bearer(anna["token"])
            )
            as_wall = await other.post(
                f"{base}/{checkpoint['id']}/restore", headers=_bearer(wall_key)
            )
            nobody = await other.post(f"{base}/{checkpoint['id']}/restore")
        assert as_anna.status_code == 403 and as_anna.json()["error"] == "forbidden"
        assert as_wall.status_code == 403 and as_wall.json()["error"] == "forbidden"
        assert nobody.status_code == 401
        unknown = await fac.post(f"{base}/nosuchcheckpoint/restore")
        assert unknown.status_code == 404
        assert unknown.json()["error"] == "checkpoint_not_found"
        assert "nosuchcheckpoint" in unknown.json()["detail"]
        # Refusals change nothing and make no checkpoint.
        assert [c["id"] for c in (await fac.get(base)).json()] == [checkpoint["id"]]
    async with _peer(url, board, board["facilitator_key"]) as after:
        assert _content(after.doc) == before
        assert "f1" not in _notes(after)
        # The facilitator's own restore still works; on an English board the checkpoint
        # it takes first is named in English.
        async with httpx.AsyncClient(base_url=url, headers=_bearer(board["facilitator_key"])) as c:
            done = await c.post(f"{base}/{checkpoint['id']}/restore")
        assert done.status_code == 200, done.text
        assert done.json()["before"]["name"] == "Before restoring to Day 1"
        assert done.json()["restored"]["notes"] == 1 and done.json()["removed"]["notes"] == 0
        await after.wait_for(lambda: _notes(after).get("f1") is not None)
        assert str(_notes(after)["f1"]["text"]) == LÄSCIRKEL


async def test_a_restore_on_one_process_reaches_clients_of_another(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (a, b):
        board = await create_board(a.url, "Workshop")
        anna = await join_board(b.url, board, "Anna")
        await set_phase(a.url, board, "cluster")
        await _fill(b.url, board, anna)
        base = f"/api/boards/{board['id']}/checkpoints"
        key = _bearer(board["facilitator_key"])
        async with _peer(b.url, board, anna["token"]) as on_b:
            wanted = _content(on_b.doc)
            assert set(wanted["notes"]) == {"f1", "a1", "a2"}
            async with httpx.AsyncClient(base_url=a.url, headers=key) as api:
                checkpoint = (await api.post(base, json={"name": "Dag 1"})).json()
                with on_b.doc.transaction():
                    del _notes(on_b)["a1"]
                    del _clusters(on_b)["c1"]
                async with _peer(a.url, board, board["facilitator_key"]) as on_a:
                    await on_a.wait_for(lambda: "a1" not in _notes(on_a))
                    await on_a.wait_for(lambda: "c1" not in _clusters(on_a))
                    restored = await api.post(f"{base}/{checkpoint['id']}/restore")
                    assert restored.status_code == 200, restored.text
                    assert restored.json()["restored"]["notes"] == 1
                    await on_a.wait_for(lambda: _content(on_a.doc) == wanted)
            # Anna, on the other process, gets the restore through the relay.
            await on_b.wait_for(lambda: _content(on_b.doc) == wanted)
            # Her note came back as hers: the guard lets her edit of it stand.
            words = _notes(on_b)["a1"]["text"]
            words += " för alla"
            async with _peer(a.url, board, board["facilitator_key"]) as check:
                await check.wait_for(
                    lambda: str(_notes(check)["a1"]["text"]) == "Öppet hus för alla"
                )
            assert str(_notes(on_b)["a1"]["text"]) == "Öppet hus för alla"
