"""Issue 10, findings 6 and 7: a participant's socket can only do what the phase allows.

Each attack of the issue is replayed by a real Yjs peer over a real socket; a fresh peer
and the export then show the board as it was, the attacker is told why, and the
facilitator can still do everything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map, Text

from server.settings import Settings
from server.sync import protocol
from tests.support.boards import create_board, join_board, set_phase
from tests.support.servers import InProcessServer
from tests.support.yjs import YClient

# Small quotas so an overflow takes a few notes; a flush window long enough that two
# frames sent back to back are merged into one broadcast batch.
PER_PARTICIPANT = 6
PER_BOARD = 12


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db=tmp_path / "samsyn.db",
        unload_grace_s=0.2,
        flush_ms=60.0,
        notes_per_participant=PER_PARTICIPANT,
        notes_per_board=PER_BOARD,
    )


@asynccontextmanager
async def _peer(
    server: InProcessServer, board: dict[str, Any], secret: str
) -> AsyncIterator[YClient]:
    async with YClient(f"{server.ws_url}/ws/{board['id']}?token={secret}") as client:
        await client.wait_for(client.synced.is_set)
        yield client


def _notes(client: YClient) -> Map[Any]:
    return client.doc.get("notes", type=Map)


def _clusters(client: YClient) -> Map[Any]:
    return client.doc.get("clusters", type=Map)


def _texts(client: YClient) -> dict[str, str]:
    return {nid: str(note.get("text", "")) for nid, note in _notes(client).items()}


def _title(client: YClient) -> str:
    return str(client.doc.get("meta", type=Map).get("title"))


def _refusals(client: YClient) -> list[str]:
    """The reasons of the permission-denied messages the server sent this peer."""
    found = []
    for frame in client.received:
        message = protocol.decode(frame)
        if isinstance(message, protocol.Auth):
            found.append(message.denied_reason or "")
    return found


def _board_state(client: YClient) -> dict[str, Any]:
    """What a person sees of the board: title, notes with text and place, clusters."""
    return {
        "title": _title(client),
        "notes": {
            nid: (str(n.get("text", "")), n.get("x"), n.get("cluster"), n.get("author"))
            for nid, n in _notes(client).items()
        },
        "clusters": {cid: str(c.get("title", "")) for cid, c in _clusters(client).items()},
    }


async def _fresh_state(server: InProcessServer, board: dict[str, Any]) -> dict[str, Any]:
    async with _peer(server, board, board["facilitator_key"]) as fresh:
        return _board_state(fresh)


async def _export(server: InProcessServer, board: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        response = await client.get(f"/b/{board['id']}/export.json")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _post(server: InProcessServer, board: dict[str, Any], path: str, body: Any) -> None:
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
        response = await client.post(f"/api/boards/{board['id']}/{path}", json=body)
    assert response.status_code == 200, response.text


def _add_note(client: YClient, nid: str, text: str, **fields: Any) -> None:
    _notes(client)[nid] = Map({"text": Text(text), "x": 10.0, "y": 10.0, **fields})


@pytest.fixture
async def workshop(app_server: InProcessServer) -> dict[str, Any]:
    """A board in the cluster phase with a cluster and notes of the facilitator and of Bea;
    Mallory has joined too."""
    board = await create_board(app_server.url, "Målbild för biblioteket")
    bea = await join_board(app_server.url, board, "Bea")
    mallory = await join_board(app_server.url, board, "Mallory")
    await set_phase(app_server.url, board, "cluster")
    async with (
        _peer(app_server, board, board["facilitator_key"]) as fac,
        _peer(app_server, board, bea["token"]) as b,
    ):
        with fac.doc.transaction():
            _clusters(fac)["c1"] = Map({"title": Text("Läsfrämjande"), "x": 0.0, "y": 0.0})
            _add_note(fac, "f1", "Fler språk", author="Facilitator")
        _add_note(b, "b1", "Läscirklar", author="Bea", author_id=bea["participant_id"])
        await fac.wait_for(lambda: {"f1", "b1"} <= set(_notes(fac)) and "c1" in _clusters(fac))
    return {"board": board, "bea": bea, "mallory": mallory}


async def test_deleting_everything_and_renaming_the_board_in_the_cluster_phase_is_taken_back(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    before = await _fresh_state(app_server, board)
    exported_before = await _export(app_server, board)
    async with _peer(app_server, board, mallory["token"]) as m:
        with m.doc.transaction():
            for nid in list(_notes(m)):
                del _notes(m)[nid]
            for cid in list(_clusters(m)):
                del _clusters(m)[cid]
            m.doc.get("meta", type=Map)["title"] = "PWNED"
        await m.wait_for(lambda: bool(_refusals(m)))
        # The attacker's own copy is put back in place, not left diverged.
        await m.wait_for(lambda: _board_state(m) == before)
        assert _refusals(m)[0].startswith("not_allowed")
        m.doc.get("meta", type=Map)["title"] = "PWNED"
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        await m.wait_for(lambda: _title(m) == "Målbild för biblioteket")
    assert await _fresh_state(app_server, board) == before
    exported = await _export(app_server, board)
    assert exported["title"] == exported_before["title"]
    assert exported["meta"]["title"] == "Målbild för biblioteket"
    assert [n["text"] for n in exported["notes"]] == [n["text"] for n in exported_before["notes"]]
    assert exported["counts"] == exported_before["counts"]


async def test_in_the_cluster_phase_anyone_moves_and_groups_but_only_authors_edit_or_delete(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    async with _peer(app_server, board, mallory["token"]) as m:
        # Allowed: group Bea's note into a new cluster that Mallory names; write and
        # delete a note of her own.
        with m.doc.transaction():
            _clusters(m)["c2"] = Map({"title": Text("Digitala tjänster"), "x": 300.0, "y": 0.0})
            _notes(m)["b1"]["cluster"] = "c2"
            _notes(m)["b1"]["x"] = 320.0
        _add_note(m, "m1", "Min idé")
        async with _peer(app_server, board, board["facilitator_key"]) as fac:
            await fac.wait_for(lambda: "m1" in _notes(fac))
            assert _notes(fac)["b1"]["cluster"] == "c2"
            assert _notes(fac)["b1"]["x"] == 320.0
            assert str(_clusters(fac)["c2"]["title"]) == "Digitala tjänster"
            del _notes(m)["m1"]
            await fac.wait_for(lambda: "m1" not in _notes(fac))
            before = _board_state(fac)
        # Refused: change the text of Bea's note, delete it, delete the facilitator's.
        text = _notes(m)["b1"]["text"]
        text.insert(len(text), " är dåligt")
        await m.wait_for(lambda: len(_refusals(m)) == 1)
        await m.wait_for(lambda: _texts(m)["b1"] == "Läscirklar")
        del _notes(m)["b1"]
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        del _notes(m)["f1"]
        await m.wait_for(lambda: len(_refusals(m)) == 3)
        await m.wait_for(lambda: {"b1", "f1"} <= set(_notes(m)))
    assert await _fresh_state(app_server, board) == before
    assert _texts_of(await _export(app_server, board)) == {"Läscirklar", "Fler språk"}


def _texts_of(exported: dict[str, Any]) -> set[str]:
    return {n["text"] for n in exported["notes"]}


async def test_during_the_vote_a_participant_can_only_vote(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    await set_phase(app_server.url, board, "vote")
    before = await _fresh_state(app_server, board)
    async with _peer(app_server, board, mallory["token"]) as m:
        with m.doc.transaction():
            del _clusters(m)["c1"]
            _notes(m)["b1"]["text"].insert(0, "Inte ")
            _clusters(m)["c9"] = Map({"title": Text("Min egen"), "x": 0.0, "y": 0.0})
        await m.wait_for(lambda: bool(_refusals(m)))
        headers = {"Authorization": f"Bearer {mallory['token']}"}
        async with httpx.AsyncClient(base_url=app_server.url, headers=headers) as client:
            voted = await client.post(
                f"/api/boards/{board['id']}/votes", json={"target": "c9", "delta": 1}
            )
        assert voted.status_code == 404, voted.text
    assert await _fresh_state(app_server, board) == before
    # With notes while voting, notes may be written; clusters are still the facilitator's.
    await _post(app_server, board, "settings", {"notes_while_voting": True})
    async with _peer(app_server, board, mallory["token"]) as m:
        _clusters(m)["c9"] = Map({"title": Text("Min egen"), "x": 0.0, "y": 0.0})
        await m.wait_for(lambda: any(r.startswith("not_allowed") for r in _refusals(m)))
        await m.wait_for(lambda: "c9" not in _clusters(m))
        del _notes(m)["b1"]
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        _add_note(m, "m2", "Under röstningen")
        async with _peer(app_server, board, board["facilitator_key"]) as fac:
            await fac.wait_for(lambda: "m2" in _notes(fac))
            assert set(_clusters(fac)) == {"c1"}
            assert "b1" in _notes(fac)


async def test_in_the_silent_brainstorm_nobody_overwrites_an_existing_note(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Tyst idéstorm")
    mallory = await join_board(app_server.url, board, "Mallory")
    async with _peer(app_server, board, board["facilitator_key"]) as fac:
        _add_note(fac, "f1", "Öppet på söndagar")
        async with _peer(app_server, board, mallory["token"]) as m:
            await m.wait_for(lambda: "f1" in _notes(m))
            text = _notes(m)["f1"]["text"]
            with m.doc.transaction():
                del text[0 : len(text)]
                text.insert(0, "Stäng biblioteket")
            await m.wait_for(lambda: len(_refusals(m)) == 1)
            await m.wait_for(lambda: _texts(m)["f1"] == "Öppet på söndagar")
            # A new note under the same id replaces it: refused too.
            _add_note(m, "f1", "Ersatt")
            await m.wait_for(lambda: len(_refusals(m)) == 2)
            await m.wait_for(lambda: _texts(m).get("f1") == "Öppet på söndagar")
            # And a note straight onto the board (it belongs in the drafts now).
            _add_note(m, "m1", "På tavlan")
            await m.wait_for(lambda: len(_refusals(m)) == 3)
            await m.wait_for(lambda: "m1" not in _notes(m))
        assert _texts(fac) == {"f1": "Öppet på söndagar"}
    assert _texts_of(await _export(app_server, board)) == {"Öppet på söndagar"}


async def test_the_server_writes_the_author_of_a_participants_note(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory, bea = workshop["board"], workshop["mallory"], workshop["bea"]
    async with _peer(app_server, board, mallory["token"]) as m:
        _add_note(m, "m1", "Från Alice?", author="Alice", author_id=bea["participant_id"])
        await m.wait_for(lambda: "m1" in _notes(m) and _notes(m)["m1"].get("author") == "Mallory")
        async with _peer(app_server, board, board["facilitator_key"]) as fresh:
            note = _notes(fresh)["m1"]
            assert (note["author"], note["author_id"]) == ("Mallory", mallory["participant_id"])
        # Nor can the author of an existing note be changed afterwards, even one's own.
        _notes(m)["m1"]["author"] = "Alice"
        await m.wait_for(lambda: bool(_refusals(m)))
        await m.wait_for(lambda: _notes(m)["m1"]["author"] == "Mallory")
        # Bea's note stays Bea's: Mallory cannot claim it.
        _notes(m)["b1"]["author_id"] = mallory["participant_id"]
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        await m.wait_for(lambda: _notes(m)["b1"]["author_id"] == bea["participant_id"])
    await _post(app_server, board, "settings", {"authors_in_export": True})
    exported = await _export(app_server, board)
    assert {n["text"]: n["author"] for n in exported["notes"]}["Från Alice?"] == "Mallory"


async def test_a_revealed_draft_carries_the_name_its_author_joined_with(
    app_server: InProcessServer,
) -> None:
    board = await create_board(app_server.url, "Utkast")
    mallory = await join_board(app_server.url, board, "Mallory")
    drafts_url = f"{app_server.ws_url}/ws/{board['id']}/drafts?token={mallory['token']}"
    async with YClient(drafts_url) as drafts:
        await drafts.wait_for(drafts.synced.is_set)
        _add_note(drafts, "d1", "Som Alice", author="Alice")
        async with _peer(app_server, board, board["facilitator_key"]) as fac:
            session_url = f"{app_server.ws_url}/ws/{board['id']}/session?token={mallory['token']}"
            async with YClient(session_url) as session:
                await session.wait_for(
                    lambda: (
                        (
                            session.doc.get("drafts", type=Map).get(mallory["participant_id"]) or {}
                        ).get("count")
                        == 1
                    )
                )
            await _post(app_server, board, "reveal", {})
            await fac.wait_for(lambda: "d1" in _notes(fac))
            assert _notes(fac)["d1"]["author"] == "Mallory"


async def test_past_the_quotas_new_notes_are_refused_and_the_board_stays_usable(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory, bea = workshop["board"], workshop["mallory"], workshop["bea"]
    async with (
        _peer(app_server, board, mallory["token"]) as m,
        _peer(app_server, board, bea["token"]) as b,
        _peer(app_server, board, board["facilitator_key"]) as fac,
    ):
        # A flood in one update is refused whole.
        with m.doc.transaction():
            for i in range(100):
                _add_note(m, f"flood{i}", f"skräp {i}")
        await m.wait_for(lambda: bool(_refusals(m)))
        assert _refusals(m)[0].startswith("quota_participant")
        await m.wait_for(lambda: not any(nid.startswith("flood") for nid in _notes(m)))
        # Up to the quota one by one, then refused.
        for i in range(PER_PARTICIPANT):
            _add_note(m, f"m{i}", f"idé {i}")
        await fac.wait_for(lambda: f"m{PER_PARTICIPANT - 1}" in _notes(fac))
        _add_note(m, "over", "en för mycket")
        await m.wait_for(lambda: len(_refusals(m)) == 2)
        await m.wait_for(lambda: "over" not in _notes(m))
        # Mallory may still edit her own notes, and Bea still writes hers.
        _notes(m)["m0"]["text"].insert(0, "Ny ")
        _add_note(b, "b2", "Bea igen")
        await fac.wait_for(lambda: "b2" in _notes(fac) and _texts(fac)["m0"] == "Ny idé 0")
        # The board's quota: f1, b1, Mallory's six and b2 make 9; Bea fills it to 12,
        # which leaves her within her own quota.
        count = len(_notes(fac))
        for i in range(PER_BOARD - count):
            _add_note(b, f"bq{i}", f"Bea {i}")
        await fac.wait_for(lambda: len(_notes(fac)) == PER_BOARD)
        _add_note(b, "bfull", "Full tavla")
        await b.wait_for(lambda: bool(_refusals(b)))
        assert _refusals(b)[0].startswith("quota_board")
        await b.wait_for(lambda: "bfull" not in _notes(b))
        # The facilitator is not held to the quotas.
        _add_note(fac, "f2", "Facilitatorn")
        await b.wait_for(lambda: "f2" in _notes(b))
    exported = await _export(app_server, board)
    assert exported["counts"]["notes"] == PER_BOARD + 1
    assert "en för mycket" not in _texts_of(exported)


async def test_a_refused_update_does_not_take_back_an_allowed_one_in_the_same_batch(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    async with (
        _peer(app_server, board, mallory["token"]) as m,
        _peer(app_server, board, board["facilitator_key"]) as fac,
    ):
        # Two frames back to back, well inside the 60 ms flush window: one batch.
        allowed = _frame(m, lambda: _add_note(m, "m1", "Tillåten"))
        refused = _frame(m, lambda: _notes(m).pop("b1"))
        await m.send(allowed)
        await m.send(refused)
        await m.wait_for(lambda: bool(_refusals(m)))
        await fac.wait_for(lambda: "m1" in _notes(fac))
        assert _texts(fac)["m1"] == "Tillåten"
        assert _texts(fac)["b1"] == "Läscirklar"
    state = await _fresh_state(app_server, board)
    assert state["notes"]["m1"][0] == "Tillåten"
    assert state["notes"]["b1"][0] == "Läscirklar"


def _frame(client: YClient, change: Any) -> bytes:
    """The update frame of `change` made on a copy of the client's doc, not sent."""
    copy: Doc[Any] = Doc()
    copy.apply_update(client.doc.get_update())
    before = copy.get_state()
    original = client.doc
    client.doc = copy
    try:
        change()
    finally:
        client.doc = original
    return protocol.encode_update(copy.get_update(before))


async def test_after_an_attack_the_same_socket_still_does_honest_work(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    async with (
        _peer(app_server, board, mallory["token"]) as m,
        _peer(app_server, board, board["facilitator_key"]) as fac,
    ):
        with m.doc.transaction():
            for nid in list(_notes(m)):
                del _notes(m)[nid]
        await m.wait_for(lambda: bool(_refusals(m)))
        await m.wait_for(lambda: {"f1", "b1"} <= set(_notes(m)))
        _add_note(m, "m1", "Ärligt menat")
        _notes(m)["b1"]["cluster"] = "c1"
        await fac.wait_for(lambda: "m1" in _notes(fac) and _notes(fac)["b1"]["cluster"] == "c1")
        _notes(m)["m1"]["text"].insert(0, "Helt ")
        await fac.wait_for(lambda: _texts(fac)["m1"] == "Helt Ärligt menat")
        assert len(_refusals(m)) == 1
    state = await _fresh_state(app_server, board)
    assert {nid: note[0] for nid, note in state["notes"].items()} == {
        "f1": "Fler språk",
        "b1": "Läscirklar",
        "m1": "Helt Ärligt menat",
    }


async def test_the_facilitator_may_still_do_everything(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board = workshop["board"]
    async with (
        _peer(app_server, board, board["facilitator_key"]) as fac,
        _peer(app_server, board, workshop["bea"]["token"]) as bea,
    ):
        with fac.doc.transaction():
            fac.doc.get("meta", type=Map)["title"] = "Ny rubrik"
            _notes(fac)["b1"]["text"].insert(0, "Fler ")
            del _notes(fac)["f1"]
            del _clusters(fac)["c1"]
            _add_note(fac, "f9", "Som någon annan", author="Alice")
        await bea.wait_for(lambda: _title(bea) == "Ny rubrik" and "f9" in _notes(bea))
    state = await _fresh_state(app_server, board)
    assert state["title"] == "Ny rubrik"
    assert state["clusters"] == {}
    assert {nid: (n[0], n[3]) for nid, n in state["notes"].items()} == {
        "b1": ("Fler Läscirklar", "Bea"),
        "f9": ("Som någon annan", "Alice"),
    }
    assert (await _export(app_server, board))["meta"]["title"] == "Ny rubrik"


async def test_the_facilitator_sees_who_sent_each_change(
    app_server: InProcessServer, workshop: dict[str, Any]
) -> None:
    board, mallory = workshop["board"], workshop["mallory"]
    async with _peer(app_server, board, mallory["token"]) as m:
        del _notes(m)["b1"]
        await m.wait_for(lambda: bool(_refusals(m)))
        await m.wait_for(lambda: "b1" in _notes(m))
    url = f"/api/boards/{board['id']}/changes"
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        as_mallory = await client.get(url, headers={"Authorization": f"Bearer {mallory['token']}"})
        assert as_mallory.status_code == 403, as_mallory.text
        bad = await client.get(
            url + "?limit=0", headers={"Authorization": f"Bearer {board['facilitator_key']}"}
        )
        assert bad.status_code == 400
        assert bad.json()["error"] == "invalid_field"
        response = await client.get(
            url, headers={"Authorization": f"Bearer {board['facilitator_key']}"}
        )
    assert response.status_code == 200, response.text
    changes = response.json()["changes"]
    # Newest first: the server's take-back, after Mallory's refused deletion.
    senders = [(c["role"], c["name"]) for c in changes]
    mallorys = senders.index(("participant", "Mallory"))
    assert ("server", "") in senders[:mallorys]
    assert changes[mallorys]["participant_id"] == mallory["participant_id"]
    assert changes[mallorys]["bytes"] > 0
    # The notes of the workshop fixture came from the facilitator and from Bea.
    assert ("participant", "Bea") in senders
    assert ("facilitator", "") in senders
    assert [c["position"] for c in changes] == sorted(
        (c["position"] for c in changes), reverse=True
    )
