"""Restoring a checkpoint from the facilitator's panel, in real Chromium pages: a deleted
note comes back on every screen, on the same board."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import WAIT_MS, open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

_open = functools.partial(open_page, default_timeout_ms=WAIT_MS)


def _write_note(page: Any, text: str) -> None:
    page.locator("[data-board-viewport]").focus()
    count = page.locator(".note").count()
    page.keyboard.press("n")
    expect(page.locator(".note")).to_have_count(count + 1)
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    expect(page.locator(".note-text", has_text=text)).to_have_count(1)


def _texts(page: Any) -> Any:
    return expect(page.locator(".note .note-text"))


def test_restore_brings_a_deleted_note_back_for_everyone(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(live_server.url, "Återställning", template="malbild-workshop")
    url, problems = live_server.url, []
    fac = _open(browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator")
    anna = _open(browser, urljoin(url, board["urls"]["join"]), problems, "Anna")
    _write_note(fac, "Läscirklar för alla")
    _write_note(fac, "Öppet hus på lördagar")
    both = re.compile(r"^(Läscirklar för alla|Öppet hus på lördagar)$")
    for page in (fac, anna):
        expect(page.locator(".note .note-text", has_text=both)).to_have_count(2)

    # A checkpoint, then the note is deleted: gone for Anna too.
    fac.locator("#checkpoint-name").fill("Före pausen")
    fac.locator(".checkpoint-form button[type=submit]").click()
    expect(fac.locator(".checkpoint-name")).to_have_text(["Före pausen"])
    gone = fac.locator(".note", has_text="Öppet hus på lördagar")
    gone.click()
    fac.keyboard.press("Escape")
    expect(gone).to_have_class(re.compile(r"\bselected\b"))
    fac.keyboard.press("Delete")
    for page in (fac, anna):
        _texts(page).to_have_text(["Läscirklar för alla"])

    # Restore asks first; cancelling changes nothing.
    row = fac.locator(".checkpoint", has_text="Före pausen")
    row.locator('[data-action="restore"]').click()
    expect(row.locator(".checkpoint-question")).to_have_text(
        "Återställa tavlan till ”Före pausen”? Alla ser ändringen direkt."
        " Det som står på tavlan nu sparas först som en kontrollpunkt."
    )
    expect(row.locator('[data-action="cancel-restore"]')).to_be_focused()
    row.locator('[data-action="cancel-restore"]').click()
    expect(row.locator(".checkpoint-question")).to_have_count(0)
    expect(row.locator('[data-action="restore"]')).to_be_focused()
    _texts(fac).to_have_text(["Läscirklar för alla"])

    row.locator('[data-action="restore"]').click()
    row.locator(".checkpoint-question").scroll_into_view_if_needed()
    fac.screenshot(path=str(screenshot_dir / "restore-confirm.png"))
    row.locator('[data-action="confirm-restore"]').click()

    # The note is back on both canvases, with its text; the same board in both pages.
    for page in (fac, anna):
        expect(page.locator(".note .note-text", has_text=both)).to_have_count(2)
        expect(page.locator(".note-text", has_text="Öppet hus på lördagar")).to_be_visible()
        assert f"/b/{board['id']}" in page.url
    expect(fac.locator(".facil-status")).to_contain_text(
        "Tavlan är återställd till ”Före pausen”."
        " Det som stod där innan finns i kontrollpunkten"
        " ”Före återställning till Före pausen”."
    )
    # The checkpoint the restore took first is listed, newest first.
    expect(fac.locator(".checkpoint-name")).to_have_text(
        ["Före återställning till Före pausen", "Före pausen"]
    )
    fac.screenshot(path=str(screenshot_dir / "restore-done.png"))
    anna.screenshot(path=str(screenshot_dir / "restore-participant.png"))
    assert problems == []
    for page in (fac, anna):
        page.context.close()
