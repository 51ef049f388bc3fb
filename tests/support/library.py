"""A library's facilitators for browser tests: made with the operator's own commands on
the server's database (as an operator does), and signed in through the /login page."""

from __future__ import annotations

import subprocess
from typing import Any

from playwright.sync_api import expect

from tests.support.accounts import PASSWORD
from tests.support.browser import watch
from tests.support.servers import ServerProcess
from tests.support.tools import SAMSYN


def operator_cli(server: ServerProcess, *args: str, stdin: str = "") -> str:
    """`samsyn ARGS` on the server's own database: its file or its URL."""
    db = server.args[server.args.index("--db") + 1]
    done = subprocess.run(
        [str(SAMSYN), *args, "--db", db],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def make_library(server: ServerProcess, name: str, email: str) -> str:
    """An organisation `name` with `email` as its owner; the organisation's id."""
    org_id = operator_cli(server, "org", "create", name).split()[1]
    operator_cli(
        server,
        "user",
        "add",
        email,
        "--org",
        name,
        "--role",
        "owner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    return org_id


def signed_in(browser: Any, server: ServerProcess, email: str, problems: list[str]) -> Any:
    """A fresh Swedish browser signed in as `email` on the login page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    watch(page, problems, email)
    page.goto(f"{server.url}/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("[data-account-email]")).to_have_text(email)
    return page
