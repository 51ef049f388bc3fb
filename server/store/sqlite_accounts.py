"""The account, journey and erasure methods of `SqliteStore`, apart from the board tables.

A mixin: `SqliteStore` supplies `submit` (the writer thread) and `_read` (the reader).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from typing import TypeVar

from server.store.org_records import (
    JourneyBoardRecord,
    JourneyRecord,
    JourneyStepRecord,
    LinkRecord,
    MembershipRecord,
    OrgRecord,
    UserRecord,
)
from server.store.queries import accounts, erase, journeys

T = TypeVar("T")


class AccountTables:
    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        raise NotImplementedError

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        raise NotImplementedError

    def _connect(self, *, read_only: bool = False) -> sqlite3.Connection:
        raise NotImplementedError

    # -- organisations and users -------------------------------------------------------

    async def create_org(self, org: OrgRecord) -> None:
        await self.submit(lambda conn: accounts.insert_org(conn, org))

    async def get_org(self, org_id: str) -> OrgRecord | None:
        return await self._read(lambda conn: accounts.org(conn, "id", org_id))

    async def org_by_name(self, name: str) -> OrgRecord | None:
        return await self._read(lambda conn: accounts.org(conn, "name", name))

    async def create_user(self, user: UserRecord) -> None:
        await self.submit(lambda conn: accounts.insert_user(conn, user))

    async def get_user(self, user_id: str) -> UserRecord | None:
        return await self._read(lambda conn: accounts.user(conn, "id", user_id))

    async def user_by_email(self, email: str) -> UserRecord | None:
        return await self._read(lambda conn: accounts.user(conn, "email", email))

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        """Set the password and end every session of the user."""
        await self.submit(lambda conn: accounts.set_password(conn, user_id, password_hash))

    async def set_membership(self, org_id: str, user_id: str, role: str) -> None:
        await self.submit(lambda conn: accounts.set_membership(conn, org_id, user_id, role))

    async def memberships_of(self, user_id: str) -> list[MembershipRecord]:
        return await self._read(lambda conn: accounts.memberships_of(conn, user_id))

    async def members_of(self, org_id: str) -> list[MembershipRecord]:
        return await self._read(lambda conn: accounts.members_of(conn, org_id))

    async def change_membership(self, org_id: str, user_id: str, role: str | None) -> str:
        # One writer thread, one transaction: two owners' changes never both pass the check.
        return await self.submit(
            lambda conn: accounts.change_membership(conn, org_id, user_id, role)
        )

    # -- sessions and single-use links -------------------------------------------------

    async def create_user_session(
        self, id_hash: bytes, user_id: str, created: int, expires: int
    ) -> None:
        await self.submit(
            lambda conn: accounts.insert_session(conn, id_hash, user_id, created, expires)
        )

    async def session_user(self, id_hash: bytes, now: int) -> str | None:
        return await self._read(lambda conn: accounts.session_user(conn, id_hash, now))

    async def delete_user_session(self, id_hash: bytes) -> None:
        await self.submit(lambda conn: accounts.delete_session(conn, id_hash))

    async def create_link(self, token_hash: bytes, link: LinkRecord) -> None:
        await self.submit(lambda conn: accounts.insert_link(conn, token_hash, link))

    async def peek_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        return await self._read(lambda conn: accounts.peek_link(conn, token_hash, now))

    async def use_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        """The unused, unexpired link, marked used in the same write (single use)."""
        return await self.submit(lambda conn: accounts.use_link(conn, token_hash, now))

    # -- ownership ---------------------------------------------------------------------

    async def set_board_org(self, board_id: str, org_id: str) -> None:
        await self.submit(lambda conn: accounts.set_board_org(conn, board_id, org_id))

    async def board_org(self, board_id: str) -> str | None:
        return await self._read(lambda conn: accounts.board_org(conn, board_id))

    async def boards_of_org(self, org_id: str) -> list[str]:
        return await self._read(lambda conn: accounts.boards_of_org(conn, org_id))

    # -- journeys ----------------------------------------------------------------------

    async def create_journey(self, journey: JourneyRecord, steps: int) -> None:
        await self.submit(lambda conn: journeys.insert(conn, journey, steps))

    async def get_journey(self, journey_id: str) -> JourneyRecord | None:
        return await self._read(lambda conn: journeys.one(conn, journey_id))

    async def journeys_of_org(self, org_id: str) -> list[JourneyRecord]:
        return await self._read(lambda conn: journeys.of_org(conn, org_id))

    async def journey_steps(self, journey_id: str) -> list[JourneyStepRecord]:
        return await self._read(lambda conn: journeys.steps(conn, journey_id))

    async def set_journey_step(self, step: JourneyStepRecord) -> None:
        await self.submit(lambda conn: journeys.set_step(conn, step))

    async def add_journey_board(self, record: JourneyBoardRecord) -> None:
        await self.submit(lambda conn: journeys.add_board(conn, record))

    async def journey_boards(self, journey_id: str) -> list[JourneyBoardRecord]:
        return await self._read(lambda conn: journeys.boards(conn, journey_id))

    async def delete_journey(self, journey_id: str) -> None:
        """The journey's rows (call `delete_board` for each of its boards first)."""
        await self.submit(lambda conn: journeys.delete(conn, journey_id))

    # -- erasure -----------------------------------------------------------------------

    async def delete_board(self, board_id: str) -> bool:
        """Every row of the board in one transaction; False if there was none."""
        return await self.submit(lambda conn: erase.delete_board(conn, board_id))

    async def participants_before(self, before_ms: int) -> list[tuple[str, str, str]]:
        return await self._read(lambda conn: erase.participants_before(conn, before_ms))

    async def rename_participants(self, names: dict[str, str]) -> None:
        await self.submit(lambda conn: erase.rename_participants(conn, names))

    async def reclaim_space(self) -> None:
        """Rewrite the file without the freed pages (VACUUM), then truncate the WAL, so
        deleted text is gone from the bytes on disk and not only from the tables."""

        def job() -> None:
            # VACUUM cannot run inside the writer's transactions: a connection of its own,
            # which waits (busy_timeout) for the writer's current batch to commit.
            conn = self._connect()
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("VACUUM")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()

        await self.submit(lambda conn: None)  # every write queued so far is committed
        await asyncio.to_thread(job)
