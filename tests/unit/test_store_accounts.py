"""Accounts, journeys and erasure in the store, on both backends: a SQLite file and a fresh
PostgreSQL database; and on PostgreSQL, two stores (two processes) racing for one e-mail,
one organisation name and one single-use link."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from server.errors import Conflict
from server.services import accounts
from server.store import (
    BoardRecord,
    DuplicateKeyError,
    JourneyBoardRecord,
    JourneyRecord,
    JourneyStepRecord,
    LinkRecord,
    OrgRecord,
    ParticipantRecord,
    PostgresStore,
    ReactionRecord,
    SqliteStore,
    UserRecord,
    VisionRecord,
    VisionVersionRecord,
)

AnyStore = SqliteStore | PostgresStore
OpenStore = Callable[[], AnyStore]
FAR = 10**15  # an expiry in epoch ms far ahead


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    if request.param == "sqlite":
        return lambda: SqliteStore(tmp_path / "s.db")
    url: str = request.getfixturevalue("pg_url")
    return lambda: PostgresStore(url)


def _board(board_id: str, code: str) -> BoardRecord:
    return BoardRecord(board_id, "Målbild", "blank", "sv", code, b"h" * 32, 1)


async def test_orgs_users_memberships_sessions_and_links(open_store: OpenStore) -> None:
    async with open_store() as store:
        await store.create_org(OrgRecord("o1", "Stadsbiblioteket", 10))
        # The interface's promise on both backends (DuplicateKeyError is one of these).
        with pytest.raises(sqlite3.IntegrityError):
            await store.create_org(OrgRecord("o2", "Stadsbiblioteket", 11))
        await store.create_org(OrgRecord("o3", "Annat bibliotek", 12))
        assert await store.org_by_name("Stadsbiblioteket") == OrgRecord(
            "o1", "Stadsbiblioteket", 10
        )
        await store.create_user(UserRecord("u1", "anna@bib.se", "hash-1", 20))
        with pytest.raises(sqlite3.IntegrityError):
            await store.create_user(UserRecord("u2", "anna@bib.se", None, 21))
        await store.create_user(UserRecord("u3", "bo@bib.se", None, 22))
        assert await store.user_by_email("anna@bib.se") == UserRecord(
            "u1", "anna@bib.se", "hash-1", 20
        )
        await store.set_membership("o1", "u1", "facilitator")
        await store.set_membership("o1", "u1", "owner")  # a role changes in place
        await store.set_membership("o3", "u1", "facilitator")
        await store.set_membership("o1", "u3", "facilitator")
        mine = await store.memberships_of("u1")
        assert [(m.org.name, m.role) for m in mine] == [
            ("Annat bibliotek", "facilitator"),
            ("Stadsbiblioteket", "owner"),
        ]
        members = await store.members_of("o1")
        assert [(m.email, m.role) for m in members] == [
            ("anna@bib.se", "owner"),
            ("bo@bib.se", "facilitator"),
        ]
        await store.create_user_session(b"s" * 32, "u1", 30, 100)
        assert await store.session_user(b"s" * 32, 99) == "u1"
        assert await store.session_user(b"s" * 32, 100) is None  # expired
        # A new password ends every session of the user.
        await store.set_password_hash("u1", "hash-2")
        assert await store.session_user(b"s" * 32, 50) is None
        assert (await store.get_user("u1")) == UserRecord("u1", "anna@bib.se", "hash-2", 20)
        invite = LinkRecord("invite", "o1", None, "facilitator", FAR)
        await store.create_link(b"l" * 32, invite)
        assert await store.peek_link(b"l" * 32, 1) == invite
        assert await store.use_link(b"l" * 32, 1) == invite
        assert await store.use_link(b"l" * 32, 1) is None
        assert await store.peek_link(b"l" * 32, 1) is None
    # Everything survives a restart.
    async with open_store() as again:
        assert (await again.get_org("o3")) == OrgRecord("o3", "Annat bibliotek", 12)
        assert len(await again.members_of("o1")) == 2


async def test_journeys_ownership_and_deleting_a_board_leaves_no_row(
    open_store: OpenStore,
) -> None:
    async with open_store() as store:
        await store.create_org(OrgRecord("o1", "Stadsbiblioteket", 1))
        for i, code in enumerate(["ACDEFG", "HJKLMN", "PQRSTU", "VWXYZA"]):
            await store.create_board(_board(f"b{i}", code), b"\x00\x00")
            await store.set_board_org(f"b{i}", "o1")
        assert await store.boards_of_org("o1") == ["b0", "b1", "b2", "b3"]
        await store.create_journey(JourneyRecord("j1", "o1", "Resan", "sv", 5), 10)
        steps = await store.journey_steps("j1")
        assert [(s.step, s.status) for s in steps] == [(n, "planned") for n in range(1, 11)]
        await store.set_journey_step(JourneyStepRecord("j1", 3, "ongoing", "2026-03-01", None))
        assert (await store.journey_steps("j1"))[2] == JourneyStepRecord(
            "j1", 3, "ongoing", "2026-03-01", None
        )
        await store.add_journey_board(JourneyBoardRecord("b0", "j1", 3, "", 6))
        await store.add_journey_board(JourneyBoardRecord("b1", "j1", 4, "Barn", 7))
        # A step's groups made in one millisecond keep the order they were listed in,
        # whatever their ids.
        await store.add_journey_board(JourneyBoardRecord("b3", "j1", 5, "Vuxna", 8, 0))
        await store.add_journey_board(JourneyBoardRecord("b2", "j1", 5, "Filial Norr", 8, 1))
        assert [b.group for b in await store.journey_boards("j1")] == [
            "",
            "Barn",
            "Vuxna",
            "Filial Norr",
        ]
        assert [j.title for j in await store.journeys_of_org("o1")] == ["Resan"]
        participant = ParticipantRecord("p1", "b1", "Kim Svensson", 2)
        await store.create_participant(participant, b"t" * 32)
        await store.append_update("b1", b"\x01\x00")
        await store.append_update("b1/session", b"\x01\x00")
        assert await store.participants_before(3) == [("b1", "p1", "Kim Svensson")]
        await store.rename_participants({"p1": "Deltagare 1"})
        assert await store.participants_before(3) == []
        assert await store.delete_board("b1") is True
        assert await store.delete_board("b1") is False
        assert await store.get_board("b1") is None
        assert await store.board_org("b1") is None
        assert await store.list_participants("b1") == []
        assert (await store.load_doc("b1/session")).updates == []
        assert [b.board_id for b in await store.journey_boards("j1")] == ["b0", "b3", "b2"]
        assert await store.board_org("b0") == "o1"
        for board_id in ("b0", "b2", "b3"):
            await store.delete_board(board_id)
        await store.delete_journey("j1")
        assert await store.get_journey("j1") is None
        assert await store.journey_steps("j1") == []
        await store.reclaim_space()


async def test_deleting_a_board_with_a_malbild_keeps_it_for_the_boards_that_continue_it(
    open_store: OpenStore,
) -> None:
    async with open_store() as store:
        for i, code in enumerate(["ACDEFG", "HJKLMN", "PQRSTW"]):
            await store.create_board(_board(f"b{i}", code), b"\x00\x00")
        await store.create_vision(VisionRecord("v0", "b0", '{"s": 1}', 1, 1))
        await store.link_vision("v0", "b1")
        await store.create_vision(VisionRecord("v2", "b2", "{}", 1, 1))
        await store.create_vision_version(VisionVersionRecord("w", "v2", "1.0", 3), "{}")
        await store.add_reaction(ReactionRecord("r", "v2", "s1", "agree", "Bra", "Kim", 4))
        # The board that started a shared målbild goes: the målbild stays with the next.
        assert await store.delete_board("b0") is True
        moved = await store.vision_of_board("b1")
        assert moved is not None and moved.id == "v0" and moved.board_id == "b1"
        assert await store.vision_boards("v0") == ["b1"]
        # A målbild of its own goes with the board, its versions and reactions too.
        assert await store.delete_board("b2") is True
        assert await store.get_vision("v2") is None
        assert await store.list_reactions("v2") == []
        assert await store.list_vision_versions("v2") == []


class _Lockstep(PostgresStore):
    """A real store whose e-mail look-ups wait for each other's: two processes that both
    read "no account yet" before either writes, the race the database must decide."""

    barrier: asyncio.Barrier | None = None

    async def user_by_email(self, email: str) -> UserRecord | None:
        found = await super().user_by_email(email)
        if self.barrier is not None:
            await asyncio.wait_for(self.barrier.wait(), 10)
        return found


async def test_two_processes_racing_for_one_e_mail_name_and_link(pg_url: str) -> None:
    one, two = _Lockstep(pg_url), _Lockstep(pg_url)
    async with one, two:
        org = await accounts.create_org(one, "Länsbiblioteket")
        outcomes = await asyncio.gather(
            accounts.create_org(one, "Regionen"),
            accounts.create_org(two, "Regionen"),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "OrgRecord"]
        made = await asyncio.gather(
            *(one.create_user(UserRecord(f"u{i}", "eva@lan.se", None, i)) for i in range(3)),
            *(two.create_user(UserRecord(f"v{i}", "eva@lan.se", None, i)) for i in range(3)),
            return_exceptions=True,
        )
        assert sum(o is None for o in made) == 1
        assert all(isinstance(o, DuplicateKeyError) for o in made if o is not None)
        owner = await accounts.add_member(one, org, "owner@lan.se", "owner", "ett långt lösenord")
        account = accounts.Account(owner, tuple(await one.memberships_of(owner.id)))
        first = await accounts.invite(one, account, org.id, "facilitator")
        second = await accounts.invite(one, account, org.id, "facilitator")
        # Two invites redeemed at once, on two processes, for one new e-mail: both see no
        # account, both make one; one wins and the other gets a clear 409.
        one.barrier = two.barrier = asyncio.Barrier(2)
        redeemed = await asyncio.gather(
            accounts.redeem(one, first, "ny@lan.se", "lösenord nummer ett"),
            accounts.redeem(two, second, "ny@lan.se", "lösenord nummer två"),
            return_exceptions=True,
        )
        one.barrier = two.barrier = None
        conflicts = [o for o in redeemed if isinstance(o, Conflict)]
        assert len(conflicts) == 1 and conflicts[0].code == "email_exists", redeemed
        winner = next(o for o in redeemed if isinstance(o, UserRecord))
        assert winner.email == "ny@lan.se"
        assert [m.email for m in await two.members_of(org.id)] == ["ny@lan.se", "owner@lan.se"]
        # The loser's link was not spent: with the account's password it still works.
        loser, password = (
            (second, "lösenord nummer ett")
            if isinstance(redeemed[1], Conflict)
            else (first, "lösenord nummer två")
        )
        assert (await accounts.redeem(two, loser, "ny@lan.se", password)).id == winner.id
        # One link redeemed on both processes at once: exactly one gets it.
        await one.create_link(b"x" * 32, LinkRecord("invite", org.id, None, "owner", FAR))
        used = await asyncio.gather(*(s.use_link(b"x" * 32, 1) for s in [one, two] * 4))
        assert sum(link is not None for link in used) == 1
