"""The library's members on the account page, in Chromium: an owner gives a colleague
another role or removes them, and the library always keeps an owner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.accounts import PASSWORD
from tests.support.browser import axe_violations
from tests.support.library import make_library, operator_cli, signed_in
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser


def test_an_owner_manages_the_library_s_members(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    problems: list[str] = []
    make_library(live_server, "Stadsbiblioteket", "anna@bib.se")
    for email in ("bo@bib.se", "cia@bib.se"):
        operator_cli(
            live_server,
            *("user", "add", email, "--org", "Stadsbiblioteket", "--role", "facilitator"),
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
    anna = signed_in(browser, live_server, "anna@bib.se", problems)
    members = anna.locator("[data-members]")
    expect(members.locator("tbody tr")).to_have_count(3)
    expect(members.locator("[data-member]")).to_have_text(
        [re_text("anna@bib.se"), re_text("bo@bib.se"), re_text("cia@bib.se")]
    )

    # Anna cannot step down while she is the only owner: the page says what to do.
    anna.get_by_label("Roll för anna@bib.se").select_option("facilitator")
    anna.locator('[data-member="anna@bib.se"]').get_by_role("button", name="Spara roll").click()
    expect(anna.locator("[data-member-error]")).to_have_text(
        "Biblioteket behöver minst en ägare. Gör någon annan till ägare först."
    )
    # She makes Bo an owner and removes Cia.
    anna.get_by_label("Roll för bo@bib.se").select_option("owner")
    anna.locator('[data-member="bo@bib.se"]').get_by_role("button", name="Spara roll").click()
    expect(anna.get_by_label("Roll för bo@bib.se")).to_have_value("owner")
    anna.get_by_role("button", name="Ta bort cia@bib.se ur biblioteket").click()
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(anna.get_by_label("Roll för anna@bib.se")).to_have_value("owner")
    anna.screenshot(path=str(screenshot_dir / "members.png"), full_page=True)
    assert axe_violations(anna) == []

    # Bo, now an owner, sees the controls; Cia no longer belongs to the library.
    bo = signed_in(browser, live_server, "bo@bib.se", problems)
    expect(bo.get_by_label("Roll för anna@bib.se")).to_be_visible()
    cia = signed_in(browser, live_server, "cia@bib.se", problems)
    expect(cia.locator("[data-members]")).to_have_count(0)
    assert problems == []


def re_text(email: str) -> re.Pattern[str]:
    """A member's row: their address first."""
    return re.compile(rf"^\s*{re.escape(email)}")
