"""Who is signed in, and which organisation a new board goes into."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from server.errors import NotAllowed
from server.services import accounts
from server.services.accounts import Account
from server.web.account_cookie import account_token
from server.web.deps import services


async def current_account(conn: HTTPConnection) -> Account | None:
    return await accounts.account_of(services(conn).store, account_token(conn))


async def creation_org(conn: HTTPConnection, wanted: object) -> str | None:
    """The org a new board belongs to: the one asked for, or a member's only org; None
    for an anonymous creator, refused (403) when the operator turned that off."""
    account = await current_account(conn)
    if account is None or not account.memberships:
        if not services(conn).settings.open_board_creation:
            raise NotAllowed("accounts_only", "sign in to create a board on this server")
        return None
    if isinstance(wanted, str) and wanted:
        accounts.require_member(account, wanted)
        return wanted
    if len(account.memberships) == 1:
        return account.memberships[0].org.id
    return None


async def own(conn: HTTPConnection, board_id: str, org_id: str | None) -> None:
    """Put a new board into `org_id` (nothing for a board without an organisation)."""
    if org_id is not None:
        await services(conn).store.set_board_org(board_id, org_id)


async def inherit(conn: HTTPConnection, source_id: str, board_id: str) -> None:
    """A board made from another (a fork, the next board) stays in the source's org."""
    await own(conn, board_id, await services(conn).store.board_org(source_id))
