"""Accounts and journeys across processes on one PostgreSQL database and one Redis, and a
note taken back in the brainstorm that reaches no client on any process."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from pycrdt import Map, Text

from server.services import accounts
from server.store import PostgresStore
from tests.support.attacks import add_big_notes
from tests.support.boards import create_board, join_board
from tests.support.cluster import board_url, running_cluster
from tests.support.services import RedisServer
from tests.support.yjs import YClient, refused_with, state_vector

PASSWORD = "ett långt lösenord"


async def _facilitator(pg_url: str, org_name: str, email: str) -> str:
    """An organisation and its owner, made as the operator's CLI does; the org's id."""
    async with PostgresStore(pg_url) as store:
        org = await accounts.create_org(store, org_name)
        await accounts.add_member(store, org, email, "owner", PASSWORD)
    return org.id


async def test_a_facilitator_signs_in_on_one_process_and_finds_their_journey_on_another(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    org_id = await _facilitator(pg_url, "Stadsbiblioteket", "anna@bib.se")
    other_org = await _facilitator(pg_url, "Grannbiblioteket", "cia@granne.se")
    with running_cluster(tmp_path, pg_url, redis_server, 2) as (one, two):
        async with (
            httpx.AsyncClient(base_url=one.url, timeout=30) as on_one,
            httpx.AsyncClient(base_url=two.url, timeout=30) as on_two,
            httpx.AsyncClient(base_url=two.url, timeout=30) as stranger,
        ):
            signed = await on_one.post(
                "/api/session", json={"email": "anna@bib.se", "password": PASSWORD}
            )
            assert signed.status_code == 200, signed.text
            cookie = f"samsyn_account={on_one.cookies['samsyn_account']}"
            on_two.cookies.set("samsyn_account", on_one.cookies["samsyn_account"])
            made = await on_one.post(
                "/api/journeys", json={"org": org_id, "title": "Målbild 2027", "language": "sv"}
            )
            assert made.status_code == 201, made.text
            jid = made.json()["id"]
            started = await on_one.post(f"/api/journeys/{jid}/steps/3/start", json={})
            assert started.status_code == 201, started.text
            (workshop,) = started.json()["boards"]
            board = await on_one.post(
                "/api/boards", json={"title": "Ledningsgruppen", "org": org_id}
            )
            assert board.status_code == 201, board.text

            # The same session cookie on the other process: the account, the journey with
            # its step's board, and the library's boards on the account page.
            me = await on_two.get("/api/me")
            assert me.status_code == 200, me.text
            assert me.json()["orgs"] == [
                {"id": org_id, "name": "Stadsbiblioteket", "role": "owner"}
            ]
            journey = await on_two.get(f"/api/journeys/{jid}")
            assert journey.status_code == 200, journey.text
            steps: list[dict[str, Any]] = journey.json()["steps"]
            assert [b["id"] for b in steps[2]["boards"]] == [workshop["id"]]
            assert steps[2]["status"] == "ongoing"
            page = await on_two.get("/account")
            assert page.status_code == 200
            assert "Ledningsgruppen" in page.text and "Målbild 2027" in page.text
            # Its boards open without a key on the other process, socket included.
            ws = f"{two.ws_url}/ws/{workshop['id']}"
            async with YClient(ws, headers={"cookie": cookie}) as client:
                await client.wait_for(client.synced.is_set)
                assert len(client.doc.get("sections", type=Map)) > 0
            # A facilitator of another library, signed in on process two, is refused.
            theirs = await stranger.post(
                "/api/session", json={"email": "cia@granne.se", "password": PASSWORD}
            )
            assert theirs.status_code == 200 and theirs.json()["orgs"][0]["id"] == other_org
            assert (await stranger.get(f"/api/journeys/{jid}")).status_code == 403
            assert (await stranger.get(f"/b/{workshop['id']}")).status_code == 401
            # Signing out on process two ends the session on process one as well.
            assert (await on_two.request("DELETE", "/api/session")).status_code == 204
            assert (await on_one.get("/api/me")).status_code == 401


async def test_two_processes_signing_up_one_e_mail_make_one_account(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    org_id = await _facilitator(pg_url, "Länsbiblioteket", "owner@lan.se")
    with running_cluster(tmp_path, pg_url, redis_server, 2) as nodes:
        async with httpx.AsyncClient(base_url=nodes[0].url, timeout=60) as owner:
            signed = await owner.post(
                "/api/session", json={"email": "owner@lan.se", "password": PASSWORD}
            )
            assert signed.status_code == 200
            for round_ in range(4):
                email = f"ny{round_}@lan.se"
                tokens = []
                for _ in nodes:
                    invite = await owner.post(
                        f"/api/orgs/{org_id}/invites", json={"role": "facilitator"}
                    )
                    assert invite.status_code == 201, invite.text
                    tokens.append(invite.json()["url"].rsplit("/", 1)[1])
                # The same new e-mail on both processes at once, each with its own password.
                async with (
                    httpx.AsyncClient(base_url=nodes[0].url, timeout=60) as one,
                    httpx.AsyncClient(base_url=nodes[1].url, timeout=60) as two,
                ):
                    answers = await asyncio.gather(
                        *(
                            client.post(
                                f"/api/links/{token}",
                                json={"email": email, "password": f"lösenord nummer {i}"},
                            )
                            for i, (client, token) in enumerate(
                                zip([one, two], tokens, strict=True)
                            )
                        )
                    )
                codes = sorted(a.status_code for a in answers)
                # One account; the other request was told clearly why it has none:
                # 409 when both made it at once, 403 when it came after and its
                # password is not the account's.
                assert codes in ([201, 403], [201, 409]), [a.text for a in answers]
                refused = next(a for a in answers if a.status_code != 201).json()["error"]
                assert refused == {403: "wrong_password", 409: "email_exists"}[codes[1]]
    async with PostgresStore(pg_url) as store:
        emails = sorted(m.email for m in await store.members_of(org_id))
    assert emails == ["ny0@lan.se", "ny1@lan.se", "ny2@lan.se", "ny3@lan.se", "owner@lan.se"]


@pytest.mark.parametrize("relay", ["redis", "log only"])
async def test_a_note_taken_back_in_the_brainstorm_reaches_no_other_process(
    tmp_path: Path, pg_url: str, redis_server: RedisServer, relay: str
) -> None:
    """Issue 12: the relay published the raw committed updates, so a note a participant
    put on the board where adding was closed, taken back by the server, still reached the
    clients of every other process (through Redis, or a catch-up from the log)."""
    redis = redis_server if relay == "redis" else None
    env = {"SAMSYN_CLUSTER_POLL_S": "3600" if redis else "0.2"}
    with running_cluster(tmp_path, pg_url, redis, 2, env) as (one, two):
        board = await create_board(one.url)
        guest = await join_board(one.url, board, "Kim")
        kim_url = f"{one.ws_url}/ws/{board['id']}?token={guest['token']}"
        async with (
            YClient(board_url(two.ws_url, board)) as facilitator,
            YClient(kim_url) as kim,
        ):
            await facilitator.wait_for(facilitator.synced.is_set)
            await kim.wait_for(kim.synced.is_set)
            add_big_notes(kim, 1, 40, prefix="hemlig")
            kim_notes = kim.doc.get("notes", type=Map)
            await kim.wait_for(lambda: "hemlig0" not in kim_notes)
            # The facilitator's process relays what the doc kept of Kim's edit (its ids,
            # no content): wait until the facilitator has all of Kim's clock.
            kim_clock = state_vector(kim.doc)[kim.doc.client_id]
            await facilitator.wait_for(
                lambda: state_vector(facilitator.doc).get(kim.doc.client_id, 0) >= kim_clock
            )
            add_big_notes(facilitator, 1, 10, prefix="efter")
            await kim.wait_for(lambda: "efter0" in kim_notes)
            notes = facilitator.doc.get("notes", type=Map)
            assert "hemlig0" not in notes and "efter0" in notes
            text = "idé om biblioteket".encode()
            assert not [f for f in facilitator.received if text in f]
            # A client joining on the other process later gets none of it either.
            async with YClient(board_url(two.ws_url, board)) as late:
                await late.wait_for(late.synced.is_set)
                assert "efter0" in late.doc.get("notes", type=Map)
                assert not [f for f in late.received if text in f]


async def _rows_of(pg_url: str, board_id: str) -> dict[str, int]:
    """How many rows of the board's docs each log table holds, and of its tombstone."""
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        counts = {}
        for table in ("updates", "snapshots", "doc_heads"):
            cursor = await conn.execute(
                f"SELECT count(*) FROM {table} WHERE doc = %s OR starts_with(doc, %s)",
                (board_id, board_id + "/"),
            )
            row = await cursor.fetchone()
            counts[table] = int(row[0]) if row else -1
        cursor = await conn.execute(
            "SELECT count(*) FROM erased_boards WHERE id_hash = %s",
            (hashlib.sha256(board_id.encode()).digest(),),
        )
        row = await cursor.fetchone()
        counts["erased_boards"] = int(row[0]) if row else -1
        cursor = await conn.execute(
            "SELECT count(*) FROM updates WHERE position(%s in data) > 0",
            (b"Hemlig tanke",),
        )
        row = await cursor.fetchone()
        counts["text"] = int(row[0]) if row else -1
    return counts


@pytest.mark.parametrize("relay", ["redis", "log only"])
async def test_a_board_deleted_on_one_process_is_closed_and_never_written_on_another(
    tmp_path: Path, pg_url: str, redis_server: RedisServer, relay: str
) -> None:
    """A board open on process two, with a client still writing, is deleted through
    process one: process two closes its sockets with 4404, and what it still held or
    was sent meanwhile never reaches the database (no rows, no text of it)."""
    redis = redis_server if relay == "redis" else None
    env = {"SAMSYN_CLUSTER_POLL_S": "0.2"}
    with running_cluster(tmp_path, pg_url, redis, 2, env) as (one, two):
        board = await create_board(one.url)
        async with (
            YClient(board_url(two.ws_url, board)) as writer,
            YClient(board_url(two.ws_url, board)) as reader,
        ):
            await writer.wait_for(writer.synced.is_set)
            await reader.wait_for(reader.synced.is_set)
            notes = writer.doc.get("notes", type=Map)

            async def keep_writing() -> int:
                written = 0
                while writer.close_code is None and written < 2000:
                    notes[f"n{written}"] = Map(
                        {"text": Text(f"Hemlig tanke {written}"), "x": 0.0, "y": 0.0}
                    )
                    written += 1
                    await asyncio.sleep(0.02)
                return written

            writing = asyncio.create_task(keep_writing())
            seen = reader.doc.get("notes", type=Map)
            await reader.wait_for(lambda: len(seen) >= 10)
            async with httpx.AsyncClient(base_url=one.url, timeout=30) as http:
                deleted = await http.delete(
                    f"/api/boards/{board['id']}",
                    headers={"Authorization": f"Bearer {board['facilitator_key']}"},
                )
            assert deleted.status_code == 204
            assert await reader.wait_closed() == 4404
            assert reader.close_reason == "the board was deleted"
            assert await writer.wait_closed() == 4404
            written = await asyncio.wait_for(writing, timeout=10)
            assert written < 2000
        # A new socket on process two is turned away: the board is gone.
        assert await refused_with(YClient(board_url(two.ws_url, board))) == 4404
    # Both processes stopped, so everything they held was flushed: none of it was written.
    assert await _rows_of(pg_url, board["id"]) == {
        "updates": 0,
        "snapshots": 0,
        "doc_heads": 0,
        "erased_boards": 1,
        "text": 0,
    }
