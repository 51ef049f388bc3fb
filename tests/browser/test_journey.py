"""Accounts and the journey in real Chromium: sign in, invite a colleague, another
library refused, and a journey from the knowledge import to the rolled-up proposal."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.accounts import PASSWORD, Member
from tests.support.backends import BACKENDS
from tests.support.browser import axe_violations, watch
from tests.support.journey import answer, cluster_workshop
from tests.support.library import make_library, signed_in
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

THEMES = {
    "Läsning för alla": ["Lättläst och talböcker", "Läsombud i hemtjänsten"],
    "Digital delaktighet": ["Hjälp med BankID", "Kurser för seniorer"],
}


@pytest.fixture(params=BACKENDS)
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """`samsyn serve` on a SQLite file, and on a fresh PostgreSQL database."""
    db = str(tmp_path / "live.db")
    if request.param == "postgresql":
        db = request.getfixturevalue("pg_url")
    # A SQLite file the test names must be made on purpose (`--create`).
    create = [] if request.param == "postgresql" else ["--create"]
    server = ServerProcess(tmp_path / "live.db", args=["--db", db, *create]).start()
    try:
        yield server
    finally:
        server.stop()


def _in_thread(run: Callable[[], Awaitable[None]]) -> None:
    """Run an async Yjs client beside Playwright's sync loop (in a thread of its own)."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the Yjs client did not finish within 60 s"
    if failure:
        raise failure[0]


def test_sign_in_invite_and_another_library_refused(
    live_server: ServerProcess, browser: Any
) -> None:
    problems: list[str] = []
    make_library(live_server, "Stadsbiblioteket", "anna@bib.se")
    make_library(live_server, "Grannbiblioteket", "cia@granne.se")
    anna = signed_in(browser, live_server, "anna@bib.se", problems)
    anna.get_by_label("Namn på resan").fill("Målbild 2027")
    anna.get_by_role("button", name="Skapa resa").click()
    expect(anna.locator("h1")).to_have_text("Målbild 2027")
    journey_url = anna.url
    anna.locator(".journey-actions").get_by_role("link", name="Mitt bibliotek").click()
    anna.get_by_role("button", name="Skapa inbjudningslänk").click()
    invite = anna.locator("[data-invite-url]").inner_text()

    colleague = browser.new_context(locale="sv-SE").new_page()
    watch(colleague, problems, "bo")
    colleague.goto(invite)
    expect(colleague.locator("h1")).to_have_text("Du är inbjuden till Stadsbiblioteket")
    colleague.get_by_label("E-postadress").fill("bo@bib.se")
    colleague.get_by_label("Lösenord").fill("bos eget lösenord")
    colleague.get_by_role("button", name="Spara och logga in").click()
    expect(colleague.locator("[data-account-email]")).to_have_text("bo@bib.se")
    # A facilitator finds the library's journey, and cannot invite (owners do).
    expect(colleague.get_by_role("link", name="Målbild 2027")).to_be_visible()
    expect(colleague.get_by_role("button", name="Skapa inbjudningslänk")).to_have_count(0)
    # The invite was single use.
    used = browser.new_context(locale="sv-SE").new_page()
    response = used.goto(invite)
    assert response is not None and response.status == 404

    cia = signed_in(browser, live_server, "cia@granne.se", problems)
    response = cia.goto(journey_url)
    assert response is not None and response.status == 403
    expect(cia.get_by_text("Den här resan tillhör ett annat bibliotek.")).to_be_visible()
    assert axe_violations(anna) == []

    # Months later, on a fresh browser: the journey link asks to sign in, then opens.
    fresh = browser.new_context(locale="sv-SE").new_page()
    watch(fresh, problems, "anna, later")
    fresh.goto(journey_url)
    fresh.get_by_label("E-postadress").fill("anna@bib.se")
    fresh.get_by_label("Lösenord").fill(PASSWORD)
    fresh.get_by_role("button", name="Logga in").click()
    expect(fresh.locator("h1")).to_have_text("Målbild 2027")
    # Deleting the journey asks for a confirmation, then it is gone from the library.
    fresh.locator(".journey-delete summary").click()
    fresh.get_by_label("Jag förstår att allt raderas för gott").check()
    fresh.locator(".journey-delete").get_by_role("button").click()
    expect(fresh.get_by_text("Ingen resa ännu.")).to_be_visible()
    response = fresh.goto(journey_url)
    assert response is not None and response.status == 404
    expect(fresh.get_by_text("Resan finns inte (längre).")).to_be_visible()
    assert problems == []


def test_a_journey_from_knowledge_to_the_roll_up(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    problems: list[str] = []
    org_id = make_library(live_server, "Stadsbiblioteket", "anna@bib.se")
    page = signed_in(browser, live_server, "anna@bib.se", problems)
    page.get_by_label("Namn på resan").fill("Målbild 2027")
    page.get_by_role("button", name="Skapa resa").click()
    step = {n: page.locator(f'[data-step="{n}"]') for n in range(1, 11)}
    expect(page.locator("[data-step]")).to_have_count(10)

    step[2].get_by_label("Fynd att importera").fill(
        "Intervju: unga vill ha kvällsöppet\nStatistik: e-lån +40 % på tre år"
    )
    step[2].get_by_role("button", name="Starta steget").click()
    expect(step[2].locator("[data-status]")).to_have_text("Pågår")
    step[3].get_by_role("button", name="Starta steget").click()
    workshop = step[3].locator("[data-board]").get_attribute("data-board")
    assert workshop

    cookie = next(c for c in page.context.cookies() if c["name"] == "samsyn_account")
    member = Member("anna@bib.se", org_id, None)  # type: ignore[arg-type]

    async def cluster() -> None:
        import httpx

        async with httpx.AsyncClient(base_url=live_server.url) as c:
            c.cookies.set("samsyn_account", cookie["value"])
            member.client = c
            await cluster_workshop(live_server, member, workshop, THEMES)
            made = await c.post(f"/api/boards/{workshop}/checkpoints", json={"name": "Målbild 0.5"})
            assert made.status_code == 201

    _in_thread(cluster)
    page.reload()
    expect(step[3].get_by_role("link", name="Målbild 0.5")).to_be_visible()

    step[5].get_by_label("Grupper eller filialer").fill("Barn och unga\nFilial Norr")
    step[5].get_by_role("button", name="Starta steget").click()
    groups = step[5].locator("[data-board]")
    expect(groups).to_have_count(2)
    expect(groups.nth(0).locator(".board-link")).to_have_text("Barn och unga")
    children = groups.nth(0).get_attribute("data-board")
    code = groups.nth(0).locator("code").inner_text()
    # A member of staff joins the children's board with its own code.
    staff = browser.new_context(locale="sv-SE").new_page()
    staff.goto(f"{live_server.url}/j/{code}")
    staff.get_by_label("Ditt namn").fill("Lina")
    staff.locator("form button[type=submit]").click()
    expect(staff.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )

    async def deepen() -> None:
        import httpx

        async with httpx.AsyncClient(base_url=live_server.url) as c:
            c.cookies.set("samsyn_account", cookie["value"])
            member.client = c
            await answer(
                live_server, member, children, "Läsning för alla", "Vad saknas?", "Poddar om böcker"
            )

    _in_thread(deepen)
    step[7].get_by_role("button", name="Starta steget").click()
    proposal = step[7].locator("[data-board]").get_attribute("data-board")
    page.reload()
    expect(step[5].locator("[data-took-part]")).to_have_text("1 deltog")

    exported = page.context.request.get(f"{live_server.url}/b/{proposal}/export.json").json()
    found = [n for n in exported["notes"] if n["text"] == "Vad saknas?: Poddar om böcker"]
    assert [n["source"] for n in found] == [{"board": children, "group": "Barn och unga"}]
    board = page.context.new_page()
    board.goto(f"{live_server.url}/b/{proposal}")
    expect(board.get_by_text("Vad saknas?: Poddar om böcker").first).to_be_attached()

    step[1].locator("summary").click()
    step[1].get_by_label("Status").select_option("done")
    step[1].get_by_label("Från").fill("2026-09-01")
    step[1].get_by_label("Till").fill("2026-09-15")
    step[1].get_by_role("button", name="Spara").click()
    expect(step[1].locator("[data-status]")).to_have_text("Klar")
    page.locator("#step-1-title").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "journey.png"), full_page=True)
    assert axe_violations(page) == []
    assert problems == []
