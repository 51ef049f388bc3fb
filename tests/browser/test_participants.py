"""Removing a participant from the facilitator's panel, in real Chromium: the facilitator
sees who joined, removes one after confirming, and the removed person's page says so
instead of reconnecting; the others stay connected."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

REMOVED_SV = "Du har tagits bort från tavlan av samtalsledaren."


def _row(page: Any, name: str) -> Any:
    name_only = page.locator(".facil-person-name").get_by_text(name, exact=True)
    return page.locator("#samsyn-facil-panel .facil-person").filter(has=name_only)


def test_the_facilitator_removes_a_participant_and_their_page_says_so(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    url = live_server.url
    board = new_board(url, "Deltagare", phase="cluster")
    problems: list[str] = []
    fac = open_page(
        browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator", (1440, 900)
    )
    anna = open_page(browser, urljoin(url, board["urls"]["join"]), problems, "Anna")
    bo = open_page(browser, urljoin(url, board["urls"]["join"]), problems, "Bo")

    # Anna writes a note on the board before she is removed.
    anna.locator('[data-action="add-note"]').click()
    anna.keyboard.type("Annas lapp")
    anna.keyboard.press("Escape")
    expect(fac.locator(".note", has_text="Annas lapp")).to_be_visible()

    expect(_row(fac, "Anna")).to_have_attribute("data-online", "true")
    expect(_row(fac, "Bo")).to_have_attribute("data-online", "true")
    expect(fac.locator("#samsyn-facil-panel .facil-person")).to_have_count(2)
    _row(fac, "Anna").get_by_role("button", name="Ta bort Anna från tavlan").click()
    confirm = fac.locator(".facil-remove-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Ta bort Anna?")
    # Cancelling removes nobody.
    confirm.get_by_role("button", name="Avbryt").click()
    expect(confirm).to_be_hidden()
    expect(anna.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    _row(fac, "Anna").get_by_role("button", name="Ta bort Anna från tavlan").click()
    fac.screenshot(path=str(screenshot_dir / "participants-confirm.png"))
    confirm.get_by_role("button", name="Ja, ta bort").click()

    # Anna's page says what happened and stops trying to reconnect.
    banner = anna.locator("[data-board-message]")
    expect(banner).to_be_visible()
    expect(banner).to_have_text(REMOVED_SV)
    expect(anna.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "offline"
    )
    anna.screenshot(path=str(screenshot_dir / "participants-removed.png"))

    # The panel lists only Bo now, and says the note stays.
    expect(fac.locator("#samsyn-facil-panel .facil-person")).to_have_count(1)
    expect(_row(fac, "Anna")).to_have_count(0)
    expect(_row(fac, "Bo")).to_be_visible()
    expect(fac.locator(".facil-status")).to_have_text(
        "Anna är borttagen. Hens lapp finns kvar på tavlan."
    )
    fac.screenshot(path=str(screenshot_dir / "participants-after.png"))
    expect(fac.locator(".note", has_text="Annas lapp")).to_be_visible()
    expect(bo.locator(".note", has_text="Annas lapp")).to_be_visible()
    expect(bo.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )

    # Reloading does not bring Anna back: the page tells her the same.
    anna.reload()
    expect(anna.locator("body")).to_contain_text(REMOVED_SV)
    cookies = {c["name"]: c["value"] for c in anna.context.cookies()}
    token = cookies[f"samsyn_p_{board['id']}"]
    vote = httpx.post(
        f"{url}/api/boards/{board['id']}/votes",
        json={"target": "x", "delta": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (vote.status_code, vote.json()["error"]) == (403, "participant_removed")
    assert problems == []
