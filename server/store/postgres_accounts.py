"""The account, journey and erasure methods of `PostgresStore`, apart from the board tables.

A mixin: `PostgresStore` supplies the pool and its `_fetch`/`_write` helpers. What
several processes must agree on is decided by the database: an e-mail or an
organisation's name is taken once (a unique index; the loser gets `DuplicateKeyError`),
a single-use link is redeemed once (one `UPDATE ... RETURNING`), and a board's rows go in
one transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from boards.schema import now_ms
from server.store import records
from server.store.org_records import (
    JourneyBoardRecord,
    JourneyRecord,
    JourneyStepRecord,
    LinkRecord,
    MembershipRecord,
    OrgRecord,
    UserRecord,
)
from server.store.queries import accounts, erase

_MEMBERS = (
    "SELECT o.id, o.name, o.created, m.user_id, u.email, m.role FROM memberships m"
    " JOIN orgs o ON o.id = m.org_id JOIN users u ON u.id = m.user_id"
)
_JOURNEY = "SELECT id, org_id, title, language, created FROM journeys"
_LINK = "kind, org_id, user_id, role, expires"
# The tables a deleted board's text or names were in; VACUUM FULL rewrites them.
_RECLAIMED = (
    *("updates", "snapshots", "doc_heads", "participants", "checkpoints", "votes", "boards"),
    *("board_orgs", "journey_boards", "journey_steps", "journeys"),
    *("visions", "vision_boards", "vision_versions", "vision_reactions", "vision_logos"),
)


class AccountTables:
    """The account half of the `Store` interface on PostgreSQL."""

    url: str
    _pool: AsyncConnectionPool[AsyncConnection[tuple[Any, ...]]]

    def _check_open(self) -> None:
        raise NotImplementedError

    async def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> None:
        raise NotImplementedError

    # -- organisations and users -------------------------------------------------------

    async def create_org(self, org: OrgRecord) -> None:
        """Raises `DuplicateKeyError` when the name is taken (by any process)."""
        await self._write(
            "INSERT INTO orgs (id, name, created) VALUES (%s, %s, %s)",
            (org.id, org.name, int(org.created)),
        )

    async def _org(self, column: str, value: str) -> OrgRecord | None:
        assert column in ("id", "name")
        rows = await self._fetch(
            f"SELECT id, name, created FROM orgs WHERE {column} = %s", (value,)
        )
        return OrgRecord(str(rows[0][0]), str(rows[0][1]), int(rows[0][2])) if rows else None

    async def get_org(self, org_id: str) -> OrgRecord | None:
        return await self._org("id", org_id)

    async def org_by_name(self, name: str) -> OrgRecord | None:
        return await self._org("name", name)

    async def create_user(self, user: UserRecord) -> None:
        """Raises `DuplicateKeyError` when the e-mail has an account (made by any process)."""
        await self._write(
            "INSERT INTO users (id, email, password_hash, created) VALUES (%s, %s, %s, %s)",
            (user.id, user.email, user.password_hash, int(user.created)),
        )

    async def _user(self, column: str, value: str) -> UserRecord | None:
        assert column in ("id", "email")
        rows = await self._fetch(
            f"SELECT id, email, password_hash, created FROM users WHERE {column} = %s", (value,)
        )
        return _user(rows[0]) if rows else None

    async def get_user(self, user_id: str) -> UserRecord | None:
        return await self._user("id", user_id)

    async def user_by_email(self, email: str) -> UserRecord | None:
        return await self._user("email", email)

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Set the password and end every session of the user, in one transaction."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute(
                "UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id)
            )
            # A new password signs every browser out: a leaked session dies with it.
            await conn.execute("DELETE FROM user_sessions WHERE user_id = %s", (user_id,))

    async def set_membership(self, org_id: str, user_id: str, role: str) -> None:
        await self._write(
            "INSERT INTO memberships (org_id, user_id, role) VALUES (%s, %s, %s)"
            " ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
            (org_id, user_id, role),
        )

    async def memberships_of(self, user_id: str) -> list[MembershipRecord]:
        rows = await self._fetch(f"{_MEMBERS} WHERE m.user_id = %s ORDER BY o.name", (user_id,))
        return [_membership(row) for row in rows]

    async def members_of(self, org_id: str) -> list[MembershipRecord]:
        rows = await self._fetch(f"{_MEMBERS} WHERE m.org_id = %s ORDER BY u.email", (org_id,))
        return [_membership(row) for row in rows]

    async def change_membership(self, org_id: str, user_id: str, role: str | None) -> str:
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            # The org's rows locked: two owners demoting each other at once take turns,
            # and the second finds the first no longer an owner.
            cursor = await conn.execute(
                "SELECT user_id, role FROM memberships WHERE org_id = %s FOR UPDATE", (org_id,)
            )
            roles = {str(uid): str(r) for uid, r in await cursor.fetchall()}
            outcome = accounts.membership_outcome(roles, user_id, role)
            if outcome == "changed":
                if role is None:
                    await conn.execute(accounts.MEMBERSHIP_DELETE, (org_id, user_id))
                else:
                    await conn.execute(accounts.MEMBERSHIP_ROLE, (role, org_id, user_id))
            return outcome

    # -- sessions and single-use links -------------------------------------------------

    async def create_user_session(
        self, id_hash: bytes, user_id: str, created: int, expires: int
    ) -> None:
        await self._write(
            "INSERT INTO user_sessions (id_hash, user_id, created, expires)"
            " VALUES (%s, %s, %s, %s)",
            (id_hash, user_id, created, expires),
        )

    async def session_user(self, id_hash: bytes, now: int) -> str | None:
        rows = await self._fetch(
            "SELECT user_id FROM user_sessions WHERE id_hash = %s AND expires > %s",
            (id_hash, now),
        )
        return str(rows[0][0]) if rows else None

    async def delete_user_session(self, id_hash: bytes) -> None:
        await self._write("DELETE FROM user_sessions WHERE id_hash = %s", (id_hash,))

    async def create_link(self, token_hash: bytes, link: LinkRecord) -> None:
        await self._write(
            f"INSERT INTO links (token_hash, {_LINK}) VALUES (%s, %s, %s, %s, %s, %s)",
            (token_hash, link.kind, link.org_id, link.user_id, link.role, link.expires),
        )

    async def peek_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        rows = await self._fetch(
            f"SELECT {_LINK} FROM links WHERE token_hash = %s AND used = 0 AND expires > %s",
            (token_hash, now),
        )
        return _link(rows[0]) if rows else None

    async def use_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        """The unused, unexpired link, marked used by the same statement: of two
        processes redeeming it at once, the row lock lets exactly one have it."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "UPDATE links SET used = 1 WHERE token_hash = %s AND used = 0 AND expires > %s"
                f" RETURNING {_LINK}",
                (token_hash, now),
            )
            row = await cursor.fetchone()
        return _link(row) if row else None

    # -- ownership ---------------------------------------------------------------------

    async def set_board_org(self, board_id: str, org_id: str) -> None:
        await self._write(
            "INSERT INTO board_orgs (board_id, org_id) VALUES (%s, %s)"
            " ON CONFLICT (board_id) DO UPDATE SET org_id = excluded.org_id",
            (board_id, org_id),
        )

    async def board_org(self, board_id: str) -> str | None:
        rows = await self._fetch("SELECT org_id FROM board_orgs WHERE board_id = %s", (board_id,))
        return str(rows[0][0]) if rows else None

    async def boards_of_org(self, org_id: str) -> list[str]:
        rows = await self._fetch(
            "SELECT b.id FROM board_orgs o JOIN boards b ON b.id = o.board_id"
            " WHERE o.org_id = %s ORDER BY b.created, b.id",
            (org_id,),
        )
        return [str(row[0]) for row in rows]

    # -- journeys ----------------------------------------------------------------------

    async def create_journey(self, journey: JourneyRecord, steps: int) -> None:
        """The journey and its `steps` planned steps, in one transaction."""
        self._check_open()
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO journeys (id, org_id, title, language, created)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (journey.id, journey.org_id, journey.title, journey.language, journey.created),
                )
                async with conn.cursor() as cursor:
                    await cursor.executemany(
                        "INSERT INTO journey_steps (journey_id, step, status)"
                        " VALUES (%s, %s, 'planned')",
                        [(journey.id, step) for step in range(1, steps + 1)],
                    )
        except psycopg.errors.UniqueViolation as exc:
            raise records.DuplicateKeyError(str(exc)) from exc

    async def get_journey(self, journey_id: str) -> JourneyRecord | None:
        rows = await self._fetch(f"{_JOURNEY} WHERE id = %s", (journey_id,))
        return _journey(rows[0]) if rows else None

    async def journeys_of_org(self, org_id: str) -> list[JourneyRecord]:
        rows = await self._fetch(f"{_JOURNEY} WHERE org_id = %s ORDER BY created, id", (org_id,))
        return [_journey(row) for row in rows]

    async def journey_steps(self, journey_id: str) -> list[JourneyStepRecord]:
        rows = await self._fetch(
            "SELECT journey_id, step, status, starts, ends FROM journey_steps"
            " WHERE journey_id = %s ORDER BY step",
            (journey_id,),
        )
        return [JourneyStepRecord(str(j), int(n), str(s), a, e) for j, n, s, a, e in rows]

    async def set_journey_step(self, step: JourneyStepRecord) -> None:
        await self._write(
            "UPDATE journey_steps SET status = %s, starts = %s, ends = %s"
            " WHERE journey_id = %s AND step = %s",
            (step.status, step.starts, step.ends, step.journey_id, step.step),
        )

    async def add_journey_board(self, record: JourneyBoardRecord) -> None:
        await self._write(
            "INSERT INTO journey_boards (board_id, journey_id, step, grp, created, position)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            dataclasses.astuple(record),  # the columns in the record's order
        )

    async def journey_boards(self, journey_id: str) -> list[JourneyBoardRecord]:
        rows = await self._fetch(
            "SELECT board_id, journey_id, step, grp, created, position FROM journey_boards"
            " WHERE journey_id = %s ORDER BY step, position, created, board_id",
            (journey_id,),
        )
        return [
            JourneyBoardRecord(str(b), str(j), int(s), str(g), int(c), int(p))
            for b, j, s, g, c, p in rows
        ]

    async def delete_journey(self, journey_id: str) -> None:
        """The journey's rows (call `delete_board` for each of its boards first)."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            for table, column in (
                ("journey_boards", "journey_id"),
                ("journey_steps", "journey_id"),
                ("journeys", "id"),
            ):
                await conn.execute(f"DELETE FROM {table} WHERE {column} = %s", (journey_id,))

    # -- erasure -----------------------------------------------------------------------

    async def delete_board(self, board_id: str) -> bool:
        """Every row of the board in one transaction; False if there was none."""
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "SELECT 1 FROM boards WHERE id = %s FOR UPDATE", (board_id,)
            )
            if await cursor.fetchone() is None:
                return False
            await _delete_board_rows(conn, board_id)
        return True

    async def participants_before(self, before_ms: int) -> list[tuple[str, str, str]]:
        """(board id, participant id, name) of participants who joined before `before_ms`
        and still carry a name of their own, in join order per board."""
        rows = await self._fetch(
            "SELECT board_id, id, name FROM participants WHERE created < %s"
            " AND name !~ '^Deltagare [0-9]' ORDER BY board_id, created, id",
            (before_ms,),
        )
        return [(str(b), str(p), str(n)) for b, p, n in rows]

    async def rename_participants(self, names: dict[str, str]) -> None:
        if not names:
            return
        self._check_open()
        async with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            await cursor.executemany(
                "UPDATE participants SET name = %s WHERE id = %s",
                [(name, pid) for pid, name in names.items()],
            )

    async def reclaim_space(self) -> None:
        """Rewrite the tables that held deleted text (VACUUM FULL), so that it is gone
        from the table files and not only from the visible rows.

        VACUUM cannot run in a transaction: a connection of its own, in autocommit. It
        locks each table while rewriting it, so every process's writes wait that long;
        deletions are rare, and the tables of one service are small.
        """
        self._check_open()
        async with await AsyncConnection.connect(self.url, autocommit=True) as conn:
            for table in _RECLAIMED:
                await conn.execute(f"VACUUM FULL {table}")


async def _delete_board_rows(conn: AsyncConnection[Any], board_id: str) -> None:
    # A board's docs are its id and names under it ("<id>/session", "<id>/drafts/..."):
    # `starts_with` needs no LIKE escapes.
    for table in ("updates", "snapshots", "doc_heads"):
        await conn.execute(
            f"DELETE FROM {table} WHERE doc = %s OR starts_with(doc, %s)",
            (board_id, board_id + "/"),
        )
    for table in ("votes", "checkpoints", "participants", "board_orgs", "journey_boards"):
        await conn.execute(f"DELETE FROM {table} WHERE board_id = %s", (board_id,))
    for statement in erase.VISION_STATEMENTS:
        await conn.execute(statement, (board_id,))
    await conn.execute("DELETE FROM boards WHERE id = %s", (board_id,))
    await conn.execute(erase.ERASED_INSERT, (erase.erased_hash(board_id), now_ms()))


def _user(row: tuple[Any, ...]) -> UserRecord:
    return UserRecord(str(row[0]), str(row[1]), row[2], int(row[3]))


def _membership(row: tuple[Any, ...]) -> MembershipRecord:
    org = OrgRecord(str(row[0]), str(row[1]), int(row[2]))
    return MembershipRecord(org, str(row[3]), str(row[4]), str(row[5]))


def _link(row: tuple[Any, ...]) -> LinkRecord:
    return LinkRecord(row[0], row[1], row[2], row[3], int(row[4]))


def _journey(row: tuple[Any, ...]) -> JourneyRecord:
    return JourneyRecord(str(row[0]), str(row[1]), str(row[2]), str(row[3]), int(row[4]))
