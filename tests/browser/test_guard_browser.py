"""Issue 10 in real Chromium: in the cluster phase a participant may move everyone's notes
but change only their own, the page offers exactly that, and an edit the server takes
back (from a client that skips the page's rules) is undone on screen with a message."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.support import ROOT
from tests.support.boards import new_board
from tests.support.browser import open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

_SV = json.loads((ROOT / "static" / "src" / "i18n" / "sv.json").read_text(encoding="utf-8"))


def _add_note(page: Any, text: str) -> str:
    before = page.locator(".note").count()
    page.locator('[data-action="add-note"]').click()
    expect(page.locator(".note")).to_have_count(before + 1)
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    note = page.locator(".note", has_text=text)
    note_id: str = note.get_attribute("data-note-id")
    return note_id


def test_a_participant_changes_only_their_own_notes_and_is_told_when_refused(
    live_server: ServerProcess, browser: Any
) -> None:
    board = new_board(live_server.url, "Vem får ändra", phase="cluster", language="sv")
    problems: list[str] = []
    base, links = live_server.url, board["urls"]
    fac = open_page(browser, urljoin(base, links["facilitator"]), problems, "facilitator")
    bea = open_page(browser, urljoin(base, links["join"]), problems, "Bea")
    theirs = _add_note(fac, "Facilitatorns idé")
    their_note = bea.locator(f'.note[data-note-id="{theirs}"]')
    expect(their_note.locator(".note-text")).to_have_text("Facilitatorns idé")

    # Bea's own note: written, and seen by the facilitator with her name on it.
    mine = _add_note(bea, "Beas idé")
    expect(fac.locator(f'.note[data-note-id="{mine}"] .note-text')).to_have_text("Beas idé")
    expect(fac.locator(f'.note[data-note-id="{mine}"] .note-author')).to_have_text("Bea")

    # The facilitator's note: a click selects it but opens no editor, Delete leaves it.
    their_note.click()
    expect(bea.locator(".note-editor")).to_have_count(0)
    bea.keyboard.press("Delete")
    bea.keyboard.type("x")
    expect(fac.locator(f'.note[data-note-id="{theirs}"] .note-text')).to_have_text(
        "Facilitatorns idé"
    )
    expect(bea.locator(".note")).to_have_count(2)

    # A client that ignores the page's rules: the server takes the change back, the page
    # shows the note as it was and says why, in the board's language.
    bea.evaluate(
        """(id) => {
          const doc = window.samsyn.doc
          doc.transact(() => {
            doc.getMap('notes').delete(id)
            doc.getMap('meta').set('title', 'PWNED')
          })
        }""",
        theirs,
    )
    banner = bea.locator("[data-board-message]")
    expect(banner).to_have_attribute("data-refusal", "guard.not_allowed")
    expect(banner).to_have_text(_SV["guard.not_allowed"])
    expect(their_note.locator(".note-text")).to_have_text("Facilitatorns idé")
    title = bea.evaluate("() => window.samsyn.doc.getMap('meta').get('title')")
    assert title == "Vem får ändra"
    expect(fac.locator(".note")).to_have_count(2)
    for page in (fac, bea):
        page.context.close()
    assert problems == []
