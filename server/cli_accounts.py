"""The operator's account commands: `samsyn org create`, `samsyn user add`, `samsyn user
reset-password`, and `samsyn retention`. Links are printed to hand over; with
SAMSYN_SMTP_URL, `reset-password --mail` also mails its link."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from boards.schema import now_ms
from server.app import room_config
from server.errors import SamsynError
from server.services import accounts
from server.services.erasure import apply_retention
from server.services.mail import Mailer, MailError, compose
from server.settings import Settings, SettingsError
from server.storage import offline_store
from server.sync.rooms import Rooms

DEFAULT_URL = "http://127.0.0.1:8000"


class AccountCliError(Exception):
    """Shown as "samsyn: <message>" with exit code 2 (as the other offline tools)."""


async def _org_create(path: Path | str, name: str) -> str:
    async with offline_store(path) as store:
        return (await accounts.create_org(store, name)).id


async def _user_add(
    path: Path | str, email: str, org: str, role: str, password: str | None
) -> tuple[str, str | None]:
    async with offline_store(path) as store:
        found = await accounts.find_org(store, org)
        user = await accounts.add_member(store, found, email, role, password)
        token = None if password is not None else await accounts.password_link(store, user)
    return user.email, token


async def _reset(path: Path | str, email: str) -> str:
    async with offline_store(path) as store:
        user = await store.user_by_email(accounts.clean_email(email))
        if user is None:
            raise AccountCliError(f"no account {email!r}")
        return await accounts.password_link(store, user)


async def _retention(path: Path | str, days: int) -> int:
    async with offline_store(path) as store, Rooms(store, room_config(Settings())) as rooms:
        return await apply_retention(store, rooms, days, now_ms())


def _run(fn: Callable[[], object]) -> object:
    try:
        return fn()
    except SamsynError as exc:
        raise AccountCliError(exc.detail) from None


def _link_line(url: str, token: str) -> str:
    return f"set-password link (single use, {accounts.LINK_DAYS} days): {url}/password/{token}"


def cmd_org(args: argparse.Namespace, path: Path | str) -> int:
    org_id = _run(lambda: asyncio.run(_org_create(path, args.name)))
    print(f"organisation: {org_id}\t{args.name}")
    return 0


def cmd_user_add(args: argparse.Namespace, path: Path | str) -> int:
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
    result = _run(lambda: asyncio.run(_user_add(path, args.email, args.org, args.role, password)))
    assert isinstance(result, tuple)
    email, token = result
    print(f"user: {email} ({args.role} of {args.org})")
    if token is not None:
        print(_link_line(args.url, token))
    return 0


def _mailer() -> Mailer:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise AccountCliError(str(exc)) from None
    if not settings.smtp_url:
        raise AccountCliError("--mail needs a mail server: set SAMSYN_SMTP_URL")
    return Mailer(
        settings.smtp_url, settings.mail_from, settings.public_url, settings.smtp_timeout_s
    )


def cmd_user_reset(args: argparse.Namespace, path: Path | str) -> int:
    mailer = _mailer() if args.mail else None
    url = args.url or (mailer.public_url if mailer else DEFAULT_URL)
    token = _run(lambda: asyncio.run(_reset(path, args.email)))
    print(_link_line(url, str(token)))
    if mailer is not None:
        email = accounts.clean_email(args.email)
        mail = compose("password", email, f"{url}/password/{token}")
        try:
            asyncio.run(mailer.send(mail))
        except MailError as exc:
            raise AccountCliError(f"the link was not mailed to {email}: {exc}") from None
        print(f"mailed to {email}")
    return 0


def cmd_retention(args: argparse.Namespace, path: Path | str) -> int:
    renamed = _run(lambda: asyncio.run(_retention(path, args.days)))
    print(f"renamed {renamed} participants who joined more than {args.days} days ago")
    return 0


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    db_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    org = commands.add_parser("org", help="organisations (a library, a region's libraries)")
    org_commands = org.add_subparsers(dest="org_command", required=True)
    create = org_commands.add_parser("create", help="create an organisation")
    create.add_argument("name", help="its name, e.g. 'Stadsbiblioteket'")
    db_option(create)
    create.set_defaults(account_handler=cmd_org)

    user = commands.add_parser("user", help="facilitators' accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add a user to an organisation")
    add.add_argument("email")
    add.add_argument("--org", required=True, help="organisation id or name")
    add.add_argument("--role", choices=accounts.ROLES, default="facilitator")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (no link)"
    )
    add.add_argument("--url", default=DEFAULT_URL, help="the server's address, for the link")
    db_option(add)
    add.set_defaults(account_handler=cmd_user_add)
    reset = user_commands.add_parser("reset-password", help="print a set-password link")
    reset.add_argument("email")
    reset.add_argument(
        "--url",
        help="the server's address, for the link (default: with --mail $SAMSYN_PUBLIC_URL, "
        f"else {DEFAULT_URL})",
    )
    reset.add_argument(
        "--mail", action="store_true", help="also mail the link to EMAIL (SAMSYN_SMTP_URL)"
    )
    db_option(reset)
    reset.set_defaults(account_handler=cmd_user_reset)

    retention = commands.add_parser(
        "retention", help="replace names of participants older than --days by 'Deltagare N'"
    )
    retention.add_argument("--days", type=int, required=True)
    db_option(retention)
    retention.set_defaults(account_handler=cmd_retention)
