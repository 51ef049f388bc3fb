"""Writing notes from the keyboard in real Chromium: private notes in the brainstorm tray
and notes on the board. Enter saves and goes on, Shift+Enter is a new line, Escape and a
click on the board leave the note, N after a note makes a new one, and nothing typed is
lost; each private note is written under a question and revealed into its section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.support import ROOT
from tests.support.boards import facilitator_post, new_board
from tests.support.browser import open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser


def _drafts(page: Any) -> list[dict[str, Any]]:
    """The participant's private notes as stored in their drafts doc, oldest first."""
    result: list[dict[str, Any]] = page.evaluate(
        """() => {
          const doc = window.samsyn.workshop.drafts.doc
          return [...doc.getMap('notes').values()]
            .map((n) => ({ text: n.get('text').toString(), section: n.get('section'),
                           created: n.get('created') }))
            .sort((a, b) => a.created - b.created)
            .map(({ text, section }) => ({ text, section }))
        }"""
    )
    return result


# The questions of the workshop template the boards here are made from.
WORKSHOP_SECTIONS = len(
    json.loads((ROOT / "boards" / "templates" / "malbild-workshop.json").read_text())["sections"]
)


def _sections(page: Any) -> list[str]:
    """The board's section ids in outline order, once the page has synced all of the
    workshop template's questions (the page shows before its first sync ends)."""
    script = """() => window.samsyn.model.outline(window.samsyn.doc)
        .filter((g) => g.section).map((g) => g.section.id)"""
    page.wait_for_function(f"n => ({script})().length === n", arg=WORKSHOP_SECTIONS)
    ids: list[str] = page.evaluate(script)
    return ids


def _joined(
    server: ServerProcess, browser: Any, who: str, size: tuple[int, int] = (1280, 800), **board: Any
) -> tuple[dict[str, Any], list[str], Any]:
    """A new board (`board`: new_board's options), and `who` joined on a page of `size`."""
    created = new_board(server.url, **board)
    problems: list[str] = []
    page = open_page(browser, urljoin(server.url, created["urls"]["join"]), problems, who, size)
    return created, problems, page


def test_private_notes_from_the_keyboard(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board, problems, page = _joined(
        live_server, browser, "Ada", title="Tangentbordet", template="malbild-workshop"
    )
    expect(page.locator(".drafts-tray")).to_be_visible()
    sections = _sections(page)
    # The facilitator puts up question 3: new private notes start under it.
    facilitator_post(live_server.url, board, "/settings", {"question": sections[2]})

    viewport = page.locator("[data-board-viewport]")
    viewport.focus()
    page.keyboard.press("n")
    first = page.locator(".draft-text").nth(0)
    expect(first).to_be_focused()
    expect(page.locator(".draft-question").nth(0)).to_have_value(sections[2])
    page.keyboard.type("Hjälp med BankID")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("och e-legitimation")
    # Enter saves and starts the next note, under the same question.
    page.keyboard.press("Enter")
    second = page.locator(".draft-text").nth(1)
    expect(second).to_be_focused()
    page.keyboard.type("Kurser för seniorer")
    # Escape leaves the note: the next N is a new note, not an "n" in this one.
    page.keyboard.press("Escape")
    expect(second).not_to_be_focused()
    page.keyboard.press("n")
    third = page.locator(".draft-text").nth(2)
    expect(third).to_be_focused()
    page.keyboard.type("Lugna läsplatser")
    # A click on the board leaves it too.
    box = viewport.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] - 80, box["y"] + box["height"] - 120)
    expect(third).not_to_be_focused()
    page.keyboard.press("n")
    fourth = page.locator(".draft-text").nth(3)
    expect(fourth).to_be_focused()
    # This one is for question 2: the picker moves it.
    page.locator(".draft-question").nth(3).select_option(sections[1])
    fourth.click()
    page.keyboard.type("Bokcirklar för unga")
    page.keyboard.press("Escape")

    expected = [
        {"text": "Hjälp med BankID\noch e-legitimation", "section": sections[2]},
        {"text": "Kurser för seniorer", "section": sections[2]},
        {"text": "Lugna läsplatser", "section": sections[2]},
        {"text": "Bokcirklar för unga", "section": sections[1]},
    ]
    page.wait_for_function(
        "n => window.samsyn.workshop.drafts.doc.getMap('notes').size === n", arg=4
    )
    assert _drafts(page) == expected
    expect(page.locator(".draft-text")).to_have_count(4)
    # The tray's button is still in view with many notes, and the tray covers no section.
    for _ in range(6):
        page.locator(".drafts-add").click()
        page.keyboard.type("Fler lappar")
        page.keyboard.press("Escape")
    expect(page.locator(".drafts-add")).to_be_in_viewport()
    tray = page.locator(".drafts-tray").bounding_box()
    board_box = viewport.bounding_box()
    assert tray is not None and board_box is not None
    assert tray["x"] + tray["width"] <= board_box["x"] + 1, (tray, board_box)
    # The shortcuts popover opens and closes by mouse beside the open tray.
    help_summary = page.locator(".help summary")
    help_summary.click()
    expect(page.locator(".help-list")).to_be_visible()
    help_summary.click()
    expect(page.locator(".help-list")).to_be_hidden()
    page.screenshot(path=str(screenshot_dir / "drafts-laptop.png"))

    # The reveal puts each note into the section it was written under.
    facilitator_post(live_server.url, board, "/reveal", {})
    expect(page.locator(".note")).to_have_count(10)
    placed = page.evaluate(
        """() => Object.fromEntries([...window.samsyn.doc.getMap('notes').values()]
             .map((n) => [n.get('text').toString(), n.get('section')]))"""
    )
    assert placed["Hjälp med BankID\noch e-legitimation"] == sections[2]
    assert placed["Bokcirklar för unga"] == sections[1]
    assert problems == []
    page.context.close()


def test_a_phone_writes_private_notes_from_the_list(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    _, problems, page = _joined(
        live_server, browser, "Bo", (390, 844), title="Mobilen", template="malbild-workshop"
    )
    expect(page.locator("[data-outline]")).to_be_visible()
    sections = _sections(page)
    # "Ny lapp" under question 2 in the list opens a private note under question 2.
    page.locator(f"#outline-section-{sections[1]}").locator("..").locator(".outline-add").click()
    field = page.locator(".draft-text").nth(0)
    expect(field).to_be_focused()
    page.keyboard.type("Sagostund på lördagar")
    page.keyboard.press("Enter")
    expect(page.locator(".draft-text").nth(1)).to_be_focused()
    page.keyboard.type("Läxhjälp")
    page.keyboard.press("Escape")
    page.wait_for_function(
        "n => window.samsyn.workshop.drafts.doc.getMap('notes').size === n", arg=2
    )
    assert _drafts(page) == [
        {"text": "Sagostund på lördagar", "section": sections[1]},
        {"text": "Läxhjälp", "section": sections[1]},
    ]
    # The tray sits below the list, not over it.
    tray = page.locator(".drafts-tray").bounding_box()
    listing = page.locator("[data-outline]").bounding_box()
    assert tray is not None and listing is not None
    assert listing["y"] + listing["height"] <= tray["y"] + 1, (listing, tray)
    expect(page.locator(".drafts-add")).to_be_in_viewport()
    page.screenshot(path=str(screenshot_dir / "drafts-phone.png"))

    # Offline (in Swedish), a note typed then is kept and reaches the server once online.
    page.context.set_offline(True)
    expect(page.locator("[data-connection-label]")).to_have_text("Frånkopplad")
    page.locator(".drafts-add").click()
    page.keyboard.type("Skrivet utan nät")
    page.keyboard.press("Escape")
    page.context.set_offline(False)
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    page.wait_for_function("() => window.samsyn.workshop.drafts.provider.synced === true")
    page.reload()
    expect(page.locator(".draft-text")).to_have_count(3)
    expect(page.locator(".draft-text").nth(2)).to_have_value("Skrivet utan nät")
    assert problems == []
    page.context.close()


def test_notes_on_the_board_from_the_keyboard(live_server: ServerProcess, browser: Any) -> None:
    _, problems, page = _joined(live_server, browser, "Cy", title="Tavlan", phase="cluster")
    viewport = page.locator("[data-board-viewport]")
    viewport.focus()
    page.keyboard.press("n")
    editor = page.locator(".note-editor")
    expect(editor).to_be_focused()
    page.keyboard.type("Första raden")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("andra raden")
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0)
    expect(page.locator(".note.selected")).to_be_focused()
    page.keyboard.press("n")
    expect(editor).to_be_focused()
    page.keyboard.type("Nästa lapp")
    # A click on the empty board leaves the note; N then makes a third.
    box = viewport.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 60, box["y"] + box["height"] - 60)
    expect(editor).to_have_count(0)
    page.keyboard.press("n")
    expect(editor).to_be_focused()
    page.keyboard.type("Tredje")
    page.keyboard.press("Escape")
    expect(editor).to_have_count(0)
    page.wait_for_function("n => window.samsyn.doc.getMap('notes').size === n", arg=3)
    texts = page.evaluate(
        """() => [...window.samsyn.doc.getMap('notes').values()]
             .sort((a, b) => a.get('created') - b.get('created'))
             .map((n) => n.get('text').toString())"""
    )
    assert texts == ["Första raden\nandra raden", "Nästa lapp", "Tredje"]
    assert problems == []
    page.context.close()
