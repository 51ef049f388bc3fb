"""The facilitator's other tools in real Chromium pages: follow me, lock, the checkpoint
viewer, the export menu, bulk notes, "continue with the staff" and import on the home page.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import WAIT_MS, axe_violations, open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser


VIEW_NOW = "() => window.samsyn.workshop.follow.view()"
VIEW_IS = """v => {
  const f = window.samsyn.workshop.follow.view()
  return Math.abs(f.x - v.x) < 2 && Math.abs(f.y - v.y) < 2 && Math.abs(f.zoom - v.zoom) < 0.002
}"""


def _api(server: ServerProcess, board: Any, path: str, body: Any) -> Any:
    response = httpx.post(
        f"{server.url}/api/boards/{board['id']}{path}",
        json=body,
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


# Every Playwright action on these pages gives up after WAIT_MS too, not only `expect`.
_open = functools.partial(open_page, default_timeout_ms=WAIT_MS)


def _wheel(page: Any, dx: int, dy: int) -> None:
    box = page.locator("[data-board-viewport]").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(dx, dy)


def test_follow_me_break_away_and_lock(live_server: ServerProcess, browser: Any) -> None:
    board = new_board(live_server.url, "Följ mig", template="malbild-workshop")
    url, problems = live_server.url, []
    fac = _open(browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator")
    anna = _open(browser, urljoin(url, board["urls"]["join"]), problems, "Anna")
    wall = _open(browser, urljoin(url, board["urls"]["wall"]), problems, "wall", (1920, 1080))

    # Follow me: the facilitator zooms and pans; Anna and the wall come along.
    fac.locator('[data-action="follow-me"]').click()
    expect(fac.locator('[data-action="follow-me"]')).to_have_attribute("aria-pressed", "true")
    fac.locator('[data-action="zoom-in"]').click()
    _wheel(fac, 240, 160)
    first = fac.evaluate(VIEW_NOW)
    for page in (anna, wall):
        page.wait_for_function(VIEW_IS, arg=first, timeout=WAIT_MS)
    expect(anna.locator(".follow-status")).to_have_attribute("data-following", "true")

    # Anna breaks away; the wall keeps following, Anna's view stays hers.
    anna.locator(".follow-status button").click()
    expect(anna.locator(".follow-status")).to_have_attribute("data-following", "false")
    fac.locator('[data-action="zoom-out"]').click()
    _wheel(fac, -400, 0)
    second = fac.evaluate(VIEW_NOW)
    assert abs(second["x"] - first["x"]) > 2, (first, second)
    wall.wait_for_function(VIEW_IS, arg=second, timeout=WAIT_MS)
    anna.wait_for_function(
        "x => Math.abs(window.samsyn.workshop.session.state.follow.x - x) < 2",
        arg=second["x"],
        timeout=WAIT_MS,
    )
    assert anna.evaluate(VIEW_IS, first), "Anna's view moved after she broke away"
    # ... and can come back.
    anna.locator(".follow-status button").click()
    anna.wait_for_function(VIEW_IS, arg=second, timeout=WAIT_MS)

    # Lock: Anna's toolbar goes quiet and comes back after the unlock.
    add = anna.locator('[data-action="add-note"]')
    expect(add).to_be_enabled()
    fac.get_by_label("Lås tavlan").check()
    expect(add).to_be_disabled()
    expect(anna.locator("body")).to_have_class(re.compile(r"\bread-only\b"))
    expect(anna.locator(".lock-badge")).to_be_visible()
    expect(anna.locator('[data-action="add-cluster"]')).to_be_disabled()
    fac.get_by_label("Lås tavlan").uncheck()
    expect(add).to_be_enabled()
    expect(anna.locator("body")).not_to_have_class(re.compile(r"\bread-only\b"))
    expect(anna.locator(".lock-badge")).to_be_hidden()
    assert problems == []
    for page in (fac, anna, wall):
        page.context.close()


def test_checkpoint_viewer_is_read_only(live_server: ServerProcess, browser: Any) -> None:
    board = new_board(live_server.url, "Kontrollpunkt", template="malbild-workshop")
    saved = ["Fler mötesplatser", "Öppet sent", "Tysta rum"]
    _api(live_server, board, "/notes/bulk", {"section": None, "lines": saved})
    checkpoint = _api(live_server, board, "/checkpoints", {"name": "Slut på dag 1"})
    _api(live_server, board, "/notes/bulk", {"section": None, "lines": ["Efter kontrollen"]})

    problems: list[str] = []
    fac = _open(
        browser, urljoin(live_server.url, board["urls"]["facilitator"]), problems, "facilitator"
    )
    expect(fac.locator(".note")).to_have_count(4)
    fac.goto(f"{live_server.url}/b/{board['id']}/checkpoints/{checkpoint['id']}")
    expect(fac.locator(".checkpoint-banner")).to_contain_text("Slut på dag 1")
    for text in saved:
        expect(fac.locator(".note", has_text=text)).to_have_count(1)
    expect(fac.locator(".note")).to_have_count(3)
    expect(fac.locator('[data-action="add-note"]')).to_have_count(0)
    expect(fac.locator(".facil-panel")).to_have_count(0)
    fac.locator("[data-board-viewport]").focus()
    fac.keyboard.press("n")
    fac.locator(".note").first.dblclick()
    expect(fac.locator(".note-editor")).to_have_count(0)
    expect(fac.locator(".note")).to_have_count(3)
    assert problems == []
    fac.context.close()


def test_exports_bulk_notes_and_continue_with_staff(
    live_server: ServerProcess, browser: Any
) -> None:
    title = "Stadsbiblioteket"
    board = new_board(live_server.url, title, template="malbild-workshop")
    url, problems = live_server.url, []
    fac = _open(browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator")
    anna = _open(browser, urljoin(url, board["urls"]["join"]), problems, "Anna")

    # Bulk notes: pasted lines land in the chosen section, live on Anna's screen.
    lines = ["Unga saknar mötesplatser", "Lån per invånare sjunker", "Fler vill boka rum"]
    section = fac.locator("#bulk-section")
    section.select_option(index=1)
    section_id = section.input_value()
    fac.get_by_label("En lapp per rad").fill("\n".join(lines) + "\n\n")
    fac.get_by_role("button", name="Lägg in lapparna").click()
    expect(fac.locator(".bulk-status")).to_have_text("3 lappar har lagts in på tavlan.")
    for text in lines:
        note = anna.locator(".note", has_text=text)
        expect(note).to_have_count(1)
    placed = anna.evaluate(
        "() => [...window.samsyn.doc.getMap('notes').values()].map(n => n.get('section'))"
    )
    assert placed == [section_id] * 3

    # The export menu: Word downloads, the print page opens in a new tab.
    menu = anna.locator(".workshop-bar .export-menu")
    menu.locator("summary").click()
    with anna.expect_download() as download:
        menu.locator('[data-export="docx"]').click()
    assert download.value.suggested_filename.endswith(".docx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    menu.locator("summary").click()
    with anna.context.expect_page() as opened:
        menu.locator('[data-export="html"]').click()
    printable = opened.value
    expect(printable.locator("h1")).to_contain_text(title)
    expect(printable.locator("body")).to_contain_text(lines[0])
    printable.close()
    for fmt in ("md", "csv", "json", "svg"):
        expect(fac.locator(f'.facil-export [data-export="{fmt}"]')).to_have_attribute(
            "href", f"/b/{board['id']}/export.{fmt}"
        )

    # Two clusters, then "Fortsätt med medarbetarna": their titles become the sections.
    fac.evaluate(
        """([lines, titles]) => {
          const { doc, model } = window.samsyn
          const ids = {}
          for (const [id, note] of doc.getMap('notes')) ids[note.get('text').toString()] = id
          model.groupIntoCluster(doc, [ids[lines[0]], ids[lines[2]]], { title: titles[0] })
          model.groupIntoCluster(doc, [ids[lines[1]]], { title: titles[1] })
        }""",
        [lines, ["Mötesplatser", "Läsning"]],
    )
    expect(anna.locator(".cluster")).to_have_count(2)
    with fac.context.expect_page() as opened:
        fac.locator('[data-continue="deepening"]').click()
    staff = opened.value
    expect(fac.locator(".continue-status")).to_contain_text("är skapad")
    expect(staff.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    expect(staff.locator(".facil-panel")).to_be_visible()
    sections = staff.locator(".section-title")
    expect(sections.filter(has_text="Mötesplatser")).to_have_count(1)
    expect(sections.filter(has_text="Läsning")).to_have_count(1)
    assert "/b/" + board["id"] not in staff.url
    assert problems == []
    for page in (fac, anna):
        page.context.close()


def test_home_page_starts_a_board_from_a_json_export(
    live_server: ServerProcess, browser: Any, tmp_path: Path
) -> None:
    board = new_board(live_server.url, "Målbild från fil", template="malbild-workshop")
    _api(live_server, board, "/notes/bulk", {"section": None, "lines": ["Läsfrämjande", "Wifi"]})
    export = httpx.get(
        f"{live_server.url}/b/{board['id']}/export.json",
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=10,
    )
    assert export.status_code == 200, export.text
    path = tmp_path / "malbild.json"
    path.write_bytes(export.content)

    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda error: problems.append(f"home pageerror: {error}"))
    page.goto(f"{live_server.url}/?lang=sv")
    assert axe_violations(page, serious_only=True) == []
    form = page.locator("[data-import-form]")
    form.get_by_role("button", name="Starta en ny tavla från filen").click()
    expect(form.locator("[data-import-status]")).to_have_text("Välj en fil först.")
    page.get_by_label("Samsyn-fil (.json)").set_input_files(str(path))
    form.get_by_role("button", name="Starta en ny tavla från filen").click()
    page.wait_for_url(re.compile(r"/b/[^/?]+$"), timeout=WAIT_MS)
    assert board["id"] not in page.url
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    expect(page.locator("[data-board-title]")).to_have_text("Målbild från fil")
    expect(page.locator(".note", has_text="Läsfrämjande")).to_have_count(1)
    expect(page.locator(".note", has_text="Wifi")).to_have_count(1)
    expect(page.locator(".facil-panel")).to_be_visible()
    assert problems == []
    page.context.close()
