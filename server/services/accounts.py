"""Facilitators' accounts: organisations, members and roles, passwords, sessions, links.

Passwords are hashed with argon2id (`argon2-cffi`). A session is a random id in an
HttpOnly cookie; the store keeps only its SHA-256, so a copy of the database opens no
session, and signing out (or a new password) revokes it. Links (invites, set-password)
are single use and expire.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from boards.schema import new_id, now_ms
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unauthenticated
from server.services.principals import Principal, Role, hash_secret, new_secret
from server.store import BoardRecord, LinkRecord, MembershipRecord, OrgRecord, Store, UserRecord

ROLES = ("owner", "facilitator")
SESSION_DAYS = 30
LINK_DAYS = 7
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_ORG_NAME = 120
_DAY_MS = 24 * 60 * 60 * 1000
# OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): a sign-in costs one core for tens
# of milliseconds, so a small shared server stays responsive while people sign in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so a wrong address costs as long as a
# wrong password and the timing does not tell which addresses have accounts.
_DUMMY_HASH = _hasher.hash("samsyn: no such account")


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in user and the organisations they belong to."""

    user: UserRecord
    memberships: tuple[MembershipRecord, ...]

    def role_in(self, org_id: str) -> str | None:
        return next((m.role for m in self.memberships if m.org.id == org_id), None)


def clean_email(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("invalid_field", "email must be a string")
    email = value.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > 254 or " " in email:
        raise InvalidInput("invalid_field", f"expected an e-mail address, got {value!r}")
    return email


def _clean_password(value: object) -> str:
    if not isinstance(value, str) or not (MIN_PASSWORD <= len(value) <= MAX_PASSWORD):
        raise InvalidInput(
            "weak_password", f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters"
        )
    return value


def _clean_role(value: object) -> str:
    if value not in ROLES:
        raise InvalidInput("invalid_field", f"role: expected one of {list(ROLES)}, got {value!r}")
    assert isinstance(value, str)
    return value


async def hash_password(password: object) -> str:
    clean = _clean_password(password)
    # argon2 takes tens of milliseconds of CPU on purpose: off the event loop.
    return await asyncio.to_thread(_hasher.hash, clean)


async def _verify(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return False

    ok = await asyncio.to_thread(check)
    return ok and password_hash is not None


# -- organisations and users (the operator's CLI and invites) ---------------------------


async def create_org(store: Store, name: object) -> OrgRecord:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_ORG_NAME:
        raise InvalidInput("invalid_field", f"name: 1 to {MAX_ORG_NAME} characters")
    org = OrgRecord(new_id(), " ".join(name.split()), now_ms())
    try:
        await store.create_org(org)
    except sqlite3.IntegrityError:
        raise Conflict("org_exists", f"an organisation named {org.name!r} exists") from None
    return org


async def find_org(store: Store, id_or_name: str) -> OrgRecord:
    found = await store.get_org(id_or_name) or await store.org_by_name(id_or_name)
    if found is None:
        raise NotFound("org_not_found", f"no organisation {id_or_name!r}")
    return found


async def add_member(
    store: Store, org: OrgRecord, email: object, role: object, password: object | None = None
) -> UserRecord:
    """The user of `email` (made if new) as a member of `org` with `role`."""
    clean = clean_email(email)
    clean_role = _clean_role(role)
    user = await store.user_by_email(clean)
    if user is None:
        hashed = await hash_password(password) if password is not None else None
        user = UserRecord(new_id(), clean, hashed, now_ms())
        await _create_user(store, user)
    elif password is not None:
        await store.set_password_hash(user.id, await hash_password(password))
    await store.set_membership(org.id, user.id, clean_role)
    return user


async def password_link(store: Store, user: UserRecord) -> str:
    """A single-use token that sets `user`'s password (the CLI prints it as a link)."""
    token = new_secret()
    link = LinkRecord("password", None, user.id, None, now_ms() + LINK_DAYS * _DAY_MS)
    await store.create_link(hash_secret(token), link)
    return token


async def invite(store: Store, account: Account, org_id: str, role: object) -> str:
    """An invite token into `org_id`; only its owners may invite."""
    if account.role_in(org_id) != "owner":
        raise NotAllowed("forbidden", "only an owner of the organisation may invite")
    link = LinkRecord("invite", org_id, None, _clean_role(role), now_ms() + LINK_DAYS * _DAY_MS)
    token = new_secret()
    await store.create_link(hash_secret(token), link)
    return token


async def peek(store: Store, token: str) -> LinkRecord:
    found = await store.peek_link(hash_secret(token), now_ms())
    if found is None:
        raise NotFound("link_not_found", "the link is unknown, used or expired")
    return found


async def redeem(store: Store, token: str, email: object, password: object) -> UserRecord:
    """Use an invite (e-mail and password of the new member) or a set-password link.

    An invite's new account is made before the link is spent: when another process
    makes an account of the same e-mail at the same moment, this one answers 409 and
    the link still works (with that account's password)."""
    hashed = await hash_password(password)
    peeked = await peek(store, token)
    user: UserRecord | None = None
    if peeked.kind == "invite":
        clean = clean_email(email)
        user = await store.user_by_email(clean)
        if user is None:
            user = UserRecord(new_id(), clean, hashed, now_ms())
            await _create_user(store, user)
        elif not await _verify(user.password_hash, str(password)):
            # An invite adds an existing account to the org only with that account's password.
            raise NotAllowed("wrong_password", "this e-mail has an account: use its password")
    link = await store.use_link(hash_secret(token), now_ms())
    if link is None:
        raise NotFound("link_not_found", "the link is unknown, used or expired")
    if link.kind == "password":
        assert link.user_id is not None
        user = await store.get_user(link.user_id)
        if user is None:
            raise NotFound("link_not_found", "the account of this link is gone")
        await store.set_password_hash(user.id, hashed)
        return user
    assert link.org_id is not None and link.role is not None and user is not None
    await store.set_membership(link.org_id, user.id, link.role)
    return user


async def _create_user(store: Store, user: UserRecord) -> None:
    try:
        await store.create_user(user)
    except sqlite3.IntegrityError:
        # Another request (on this process or another) made this e-mail's account first.
        raise Conflict(
            "email_exists", f"an account of {user.email} was just made; sign in with it"
        ) from None


# -- signing in ---------------------------------------------------------------------------


async def sign_in(store: Store, email: object, password: object) -> tuple[str, UserRecord]:
    """A new session token for the right e-mail and password; 401 otherwise."""
    clean = clean_email(email) if isinstance(email, str) else ""
    user = await store.user_by_email(clean) if clean else None
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""
    if not await _verify(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("wrong_credentials", "wrong e-mail or password")
    token = new_secret()
    now = now_ms()
    await store.create_user_session(hash_secret(token), user.id, now, now + SESSION_DAYS * _DAY_MS)
    return token, user


async def sign_out(store: Store, token: str) -> None:
    if token:
        await store.delete_user_session(hash_secret(token))


async def account_of(store: Store, token: str) -> Account | None:
    """The signed-in account of a session token, or None."""
    if not token:
        return None
    user_id = await store.session_user(hash_secret(token), now_ms())
    user = await store.get_user(user_id) if user_id else None
    if user is None:
        return None
    return Account(user, tuple(await store.memberships_of(user.id)))


async def member_principal(store: Store, board: BoardRecord, token: str) -> Principal | None:
    """The facilitator principal of a signed-in member of the org that owns `board`."""
    if not token:
        return None
    org_id = await store.board_org(board.id)
    if org_id is None:
        return None
    account = await account_of(store, token)
    if account is None or account.role_in(org_id) is None:
        return None
    return Principal(board.id, Role.FACILITATOR, name=account.user.email)


def require_member(account: Account | None, org_id: str) -> Account:
    """The account if it belongs to `org_id`: 401 when signed out, 403 for another org."""
    if account is None:
        raise Unauthenticated("unauthorized", "sign in first")
    if account.role_in(org_id) is None:
        raise NotAllowed("forbidden", "you are not a member of this organisation")
    return account


async def claim(store: Store, account: Account | None, board: BoardRecord, org_id: str) -> None:
    """Put a board (whose facilitator key the caller showed) into one of their orgs."""
    require_member(account, org_id)
    owner = await store.board_org(board.id)
    if owner is not None and owner != org_id:
        raise Conflict("board_claimed", "the board belongs to another organisation")
    await store.set_board_org(board.id, org_id)


async def members(store: Store, account: Account | None, org_id: str) -> list[MembershipRecord]:
    """Everyone in `org_id`, for its members."""
    require_member(account, org_id)
    return await store.members_of(org_id)


async def change_member(
    store: Store, account: Account | None, org_id: str, user_id: str, role: object | None
) -> None:
    """An owner gives a member another role, or removes them (`role` None); anyone may
    leave an organisation themselves. The last owner can do neither: someone must be
    able to invite and manage the library's facilitators."""
    account = require_member(account, org_id)
    clean = None if role is None else _clean_role(role)
    leaving = role is None and user_id == account.user.id
    if account.role_in(org_id) != "owner" and not leaving:
        raise NotAllowed("forbidden", "only an owner of the organisation may change its members")
    outcome = await store.change_membership(org_id, user_id, clean)
    if outcome == "not_member":
        raise NotFound("member_not_found", f"no member {user_id!r} in this organisation")
    if outcome == "last_owner":
        raise Conflict(
            "last_owner",
            "the organisation needs an owner: make someone else an owner first",
        )
