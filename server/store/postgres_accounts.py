"""What the PostgreSQL backend does not hold yet: organisations, accounts, journeys and
erasure (issue 13 built them on SQLite first).

Reads answer "none", so boards, keys, sockets and everything else work on PostgreSQL as
on SQLite (nobody is signed in, no board belongs to an organisation); every write answers
503 `accounts_unavailable` with a reason an operator can act on, instead of a 500 or a
silent no-op.
"""

from __future__ import annotations

from typing import NoReturn

from server.errors import Unavailable
from server.store.org_records import (
    JourneyBoardRecord,
    JourneyRecord,
    JourneyStepRecord,
    LinkRecord,
    MembershipRecord,
    OrgRecord,
    UserRecord,
)

_WHY = (
    "organisations, accounts, journeys and deletion are kept only by the SQLite backend in"
    " this version; run this server with --db FILE to use them"
)


def _refuse() -> NoReturn:
    raise Unavailable("accounts_unavailable", _WHY)


class AccountsUnavailable:
    """The account half of the `Store` interface for a backend that lacks it."""

    # -- organisations, users, sessions, links: nobody is signed in
    async def create_org(self, org: OrgRecord) -> None:
        _refuse()

    async def get_org(self, org_id: str) -> OrgRecord | None:
        return None

    async def org_by_name(self, name: str) -> OrgRecord | None:
        return None

    async def create_user(self, user: UserRecord) -> None:
        _refuse()

    async def get_user(self, user_id: str) -> UserRecord | None:
        return None

    async def user_by_email(self, email: str) -> UserRecord | None:
        return None

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        _refuse()

    async def set_membership(self, org_id: str, user_id: str, role: str) -> None:
        _refuse()

    async def memberships_of(self, user_id: str) -> list[MembershipRecord]:
        return []

    async def members_of(self, org_id: str) -> list[MembershipRecord]:
        return []

    async def create_user_session(
        self, id_hash: bytes, user_id: str, created: int, expires: int
    ) -> None:
        _refuse()

    async def session_user(self, id_hash: bytes, now: int) -> str | None:
        return None

    async def delete_user_session(self, id_hash: bytes) -> None:
        return None

    async def create_link(self, token_hash: bytes, link: LinkRecord) -> None:
        _refuse()

    async def peek_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        return None

    async def use_link(self, token_hash: bytes, now: int) -> LinkRecord | None:
        return None

    # -- ownership: no board belongs to an organisation
    async def set_board_org(self, board_id: str, org_id: str) -> None:
        _refuse()

    async def board_org(self, board_id: str) -> str | None:
        return None

    async def boards_of_org(self, org_id: str) -> list[str]:
        return []

    # -- journeys
    async def create_journey(self, journey: JourneyRecord, steps: int) -> None:
        _refuse()

    async def get_journey(self, journey_id: str) -> JourneyRecord | None:
        return None

    async def journeys_of_org(self, org_id: str) -> list[JourneyRecord]:
        return []

    async def journey_steps(self, journey_id: str) -> list[JourneyStepRecord]:
        return []

    async def set_journey_step(self, step: JourneyStepRecord) -> None:
        _refuse()

    async def add_journey_board(self, record: JourneyBoardRecord) -> None:
        _refuse()

    async def journey_boards(self, journey_id: str) -> list[JourneyBoardRecord]:
        return []

    async def delete_journey(self, journey_id: str) -> None:
        _refuse()

    # -- erasure and retention: refused loudly (a retention period must not pass silently)
    async def delete_board(self, board_id: str) -> bool:
        _refuse()

    async def participants_before(self, before_ms: int) -> list[tuple[str, str, str]]:
        _refuse()

    async def rename_participants(self, names: dict[str, str]) -> None:
        _refuse()

    async def reclaim_space(self) -> None:
        _refuse()
