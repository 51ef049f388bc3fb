"""The board people use all day, driven through real Chromium against `samsyn serve`:
clusters built together, offline edits, own-only undo, the outline view, find, Swedish
throughout, and axe-core on both views."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support import ROOT
from tests.support.boards import new_board
from tests.support.browser import AXE, WAIT_MS, axe_violations
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

I18N = ROOT / "static" / "src" / "i18n"
HOSTILE = "<img src=x onerror=window.__pwned=1>"


def _room(
    browser: Any, server: ServerProcess, title: str, *names: str
) -> tuple[dict[str, Any], list[Any]]:
    """A new board in the clustering phase, where everyone writes straight on the board,
    and a connected page for each of `names`, joined in that order."""
    board = new_board(server.url, title, phase="cluster")
    return board, [_join(browser, server, board, name) for name in names]


def _join(
    browser: Any, server: ServerProcess, board: dict[str, Any], name: str, **context: Any
) -> Any:
    """A participant in their own browser profile, joined by the code link, connected."""
    ctx = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **context})
    page = ctx.new_page()
    page.on("pageerror", lambda error: pytest.fail(f"{name}: page error: {error}"))
    page.on("dialog", lambda dialog: pytest.fail(f"{name}: dialog: {dialog.message}"))
    page.goto(urljoin(server.url, board["urls"]["join"]))
    page.get_by_label("Ditt namn").fill(name)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{server.url}/b/{board['id']}")
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    return page


def _write_note(page: Any, x: int, y: int, text: str) -> Any:
    """Double-click the background at viewport point (x, y) and write a note there."""
    box = page.locator("[data-board-viewport]").bounding_box()
    page.mouse.dblclick(box["x"] + x, box["y"] + y)
    expect(page.locator(".note-editor")).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    note = page.locator(".note", has_text=text)
    expect(note).to_have_count(1)
    return note


def _drag(page: Any, source: Any, target: Any) -> None:
    a = source.bounding_box()
    b = target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] - 10)
    page.mouse.down()
    page.mouse.move(a["x"] + a["width"] / 2 + 20, a["y"] + a["height"] / 2 + 20, steps=3)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 60, steps=8)
    page.mouse.up()


def test_two_participants_build_a_cluster_together(
    live_server: ServerProcess, browser: Any
) -> None:
    _, (anna, bjorn) = _room(browser, live_server, "Kluster tillsammans", "Anna", "Björn")

    reading = _write_note(anna, 250, 260, "Läsning")
    writing = _write_note(anna, 520, 260, "Skrivande")
    telling = _write_note(bjorn, 420, 600, "Berättande")
    expect(anna.locator(".note")).to_have_count(3)
    expect(reading.locator(".note-author")).to_have_text("Anna")

    # Anna selects her two notes (click, shift-click) and groups them (G), then names it.
    reading.click()
    writing.click(modifiers=["Shift"])
    expect(anna.locator(".note.selected")).to_have_count(2)
    anna.keyboard.press("g")
    title = anna.locator(".cluster-title")
    expect(title).to_be_focused()
    anna.keyboard.type("Språk")
    anna.keyboard.press("Escape")

    cluster_b = bjorn.locator(".cluster")
    expect(cluster_b).to_have_count(1)
    expect(cluster_b.locator(".cluster-title")).to_have_value("Språk")
    expect(cluster_b).to_have_attribute("data-count", "2")
    expect(cluster_b.locator(".cluster-count")).to_have_text("2 lappar")
    cluster_id = cluster_b.get_attribute("data-cluster-id")

    # Björn drops his note into the cluster; Anna sees it join.
    bjorn_note = bjorn.locator(".note", has_text="Berättande")
    _drag(bjorn, bjorn_note, cluster_b)
    expect(bjorn_note).to_have_attribute("data-cluster", cluster_id or "")
    cluster_a = anna.locator(".cluster")
    expect(cluster_a).to_have_attribute("data-count", "3")
    expect(telling).to_have_attribute("data-cluster", cluster_id or "")

    # Anna tidies the cluster (T): Björn sees the three notes in a grid inside it.
    cluster_a.locator(".cluster-count").click()
    expect(cluster_a).to_have_class(re.compile(r"\bselected\b"))
    anna.keyboard.press("t")
    bjorn.wait_for_function(
        """() => {
          const c = document.querySelector('.cluster')
          const cx = +c.dataset.x, cy = +c.dataset.y, w = c.offsetWidth, h = c.offsetHeight
          const notes = [...document.querySelectorAll('.note')]
          const xs = new Set(notes.map((n) => n.dataset.x))
          const ys = new Set(notes.map((n) => n.dataset.y))
          return xs.size === 2 && ys.size === 2 && notes.every((n) =>
            +n.dataset.x >= cx && +n.dataset.y >= cy &&
            +n.dataset.x + n.offsetWidth <= cx + w && +n.dataset.y + n.offsetHeight <= cy + h)
        }""",
        timeout=WAIT_MS,
    )

    # Dragging the cluster moves its notes along, for both.
    x_before = int(telling.get_attribute("data-x") or "0")
    header = cluster_a.locator(".cluster-count").bounding_box()
    anna.mouse.move(header["x"] - 20, header["y"] + 5)
    anna.mouse.down()
    anna.mouse.move(header["x"] + 60, header["y"] + 25, steps=4)
    anna.mouse.move(header["x"] + 180, header["y"] + 45, steps=4)
    anna.mouse.up()
    expect(bjorn_note).to_have_attribute("data-x", str(x_before + 200))

    # Björn deletes the cluster: the notes stay, in no cluster.
    cluster_b.locator(".cluster-count").click()
    bjorn.keyboard.press("Delete")
    expect(anna.locator(".cluster")).to_have_count(0)
    expect(anna.locator(".note")).to_have_count(3)
    expect(anna.locator('.note[data-cluster=""]')).to_have_count(3)
    for page in (anna, bjorn):
        page.context.close()


def test_offline_edits_merge_after_reconnecting(live_server: ServerProcess, browser: Any) -> None:
    _, (anna, bjorn) = _room(browser, live_server, "Ostadigt nät", "Anna", "Björn")
    state = anna.locator("[data-connection-state]")

    anna.context.set_offline(True)
    expect(state).to_have_attribute("data-connection-state", "offline")
    expect(state).to_contain_text("Frånkopplad")
    _write_note(anna, 300, 300, "Skrivet utan nät")
    _write_note(bjorn, 700, 300, "Skrivet under tiden")
    expect(bjorn.locator(".note")).to_have_count(1)
    # Kept in the browser: IndexedDB has Anna's note before any server saw it.
    anna.wait_for_function(
        """async () => {
          const dbs = await indexedDB.databases()
          return dbs.some((d) => d.name.startsWith('samsyn-board-'))
        }""",
        timeout=WAIT_MS,
    )

    anna.context.set_offline(False)
    expect(state).to_have_attribute("data-connection-state", "connected")
    expect(bjorn.locator(".note", has_text="Skrivet utan nät")).to_have_count(1)
    expect(anna.locator(".note", has_text="Skrivet under tiden")).to_have_count(1)
    for page in (anna, bjorn):
        page.context.close()


def test_reloading_offline_still_shows_the_board(live_server: ServerProcess, browser: Any) -> None:
    assert httpx.get(f"{live_server.url}/sw.js", timeout=10).status_code == 200
    board, (anna,) = _room(browser, live_server, "Tåget", "Anna")
    # The service worker has the page and its bundle (it caches them when it starts).
    anna.wait_for_function(
        """async () => {
          const page = await caches.match(location.href, { ignoreVary: true })
          const bundle = await caches.match(document.querySelector('script[src]').src)
          return Boolean(page && bundle)
        }""",
        timeout=WAIT_MS,
    )
    _write_note(anna, 300, 300, "Syns även offline")
    # IndexedDB runs readwrite transactions on a store in order: once this empty one
    # completes, every update y-indexeddb queued before it is on disk.
    anna.evaluate(
        """async (name) => {
          const db = await new Promise((resolve, reject) => {
            const request = indexedDB.open(name)
            request.onsuccess = () => resolve(request.result)
            request.onerror = () => reject(request.error)
          })
          await new Promise((resolve, reject) => {
            const tx = db.transaction(['updates'], 'readwrite')
            tx.oncomplete = resolve
            tx.onerror = () => reject(tx.error)
            tx.objectStore('updates').count()
          })
          db.close()
        }""",
        f"samsyn-board-{board['id']}",
    )
    anna.context.set_offline(True)
    anna.reload()
    expect(anna.locator("h1")).to_have_text("Tåget")
    expect(anna.locator(".note", has_text="Syns även offline")).to_have_count(1)
    expect(anna.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "offline"
    )
    anna.context.close()


def test_undo_only_undoes_my_own_changes(live_server: ServerProcess, browser: Any) -> None:
    _, (anna, bjorn) = _room(browser, live_server, "Ångra", "Anna", "Björn")
    _write_note(anna, 300, 300, "Annas lapp")
    _write_note(bjorn, 700, 300, "Björns lapp")
    expect(anna.locator(".note")).to_have_count(2)

    anna.locator("[data-board-viewport]").focus()
    for _ in range(3):  # more presses than Anna has steps: Björn's note must survive them
        anna.keyboard.press("Control+z")
    for page in (anna, bjorn):
        expect(page.locator(".note", has_text="Annas lapp")).to_have_count(0)
        expect(page.locator(".note", has_text="Björns lapp")).to_have_count(1)

    anna.keyboard.press("Control+Shift+z")
    expect(bjorn.locator(".note")).to_have_count(2)
    for page in (anna, bjorn):
        page.context.close()


def test_outline_view_reflects_and_edits_the_same_board(
    live_server: ServerProcess, browser: Any
) -> None:
    board, (anna,) = _room(browser, live_server, "Lista", "Anna")
    anna.locator('[data-action="add-cluster"]').click()
    anna.keyboard.type("Läsfrämjande")
    anna.keyboard.press("Escape")
    _write_note(anna, 900, 500, "Bokcirklar")
    anna.evaluate(
        "text => { const s = window.samsyn; s.model.createNote(s.doc, {x: 900, y: 700, text}) }",
        HOSTILE,
    )

    bjorn = _join(browser, live_server, board, "Björn")
    bjorn.locator('[data-action="toggle-view"]').click()
    outline = bjorn.locator("[data-outline]")
    expect(outline).to_be_visible()
    expect(bjorn.locator("[data-board-viewport]")).to_be_hidden()
    cluster = outline.locator(".outline-cluster")
    expect(cluster.get_by_role("heading", level=3)).to_contain_text("Läsfrämjande")
    rows = outline.locator(".outline-loose .outline-note")
    expect(rows).to_have_count(2)
    values = [rows.nth(i).locator("textarea").input_value() for i in range(2)]
    assert sorted(values) == sorted(["Bokcirklar", HOSTILE]), values
    # Hostile text is a value in a field, never markup.
    expect(outline.locator("img")).to_have_count(0)
    assert bjorn.evaluate("window.__pwned") is None

    # Move "Bokcirklar" into the cluster with its select: Anna's canvas follows.
    row = rows.nth(values.index("Bokcirklar"))
    row.get_by_label("Kluster").select_option(label="Läsfrämjande")
    cluster_id = anna.locator(".cluster").get_attribute("data-cluster-id")
    note_a = anna.locator(".note", has_text="Bokcirklar")
    expect(note_a).to_have_attribute("data-cluster", cluster_id or "")
    expect(cluster.locator(".outline-note")).to_have_count(1)

    # Only its author edits its words (tests/browser/test_guard_browser.py); Björn edits
    # his own note in the list below, and Anna sees the words arrive.
    expect(note_a.locator(".note-text")).to_have_text("Bokcirklar")

    # Add a note straight into the cluster from the list.
    cluster.get_by_role("button", name="Ny lapp i klustret").click()
    expect(cluster.locator("textarea").nth(1)).to_be_focused()
    bjorn.keyboard.type("Från listan")
    new_note = anna.locator(".note", has_text="Från listan")
    expect(new_note).to_have_attribute("data-cluster", cluster_id or "")
    expect(anna.locator(".cluster")).to_have_attribute("data-count", "2")

    # On a phone the list is what opens first.
    phone = _join(
        browser,
        live_server,
        board,
        "Cecilia",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    expect(phone.locator("body")).to_have_attribute("data-view", "outline")
    expect(phone.locator(".outline-cluster textarea")).to_have_count(2)
    for page in (anna, bjorn, phone):
        page.context.close()


def test_find_highlights_matches_and_pans_to_them(live_server: ServerProcess, browser: Any) -> None:
    _, (anna,) = _room(browser, live_server, "Sök", "Anna")
    anna.evaluate(
        """() => {
          const { doc, model } = window.samsyn
          model.createNote(doc, { x: 100, y: 100, text: 'Meröppet bibliotek' })
          model.createNote(doc, { x: 6000, y: 4000, text: 'Biblioteket som mötesplats' })
          model.createNote(doc, { x: 300, y: 100, text: 'Läsning' })
        }"""
    )
    expect(anna.locator(".note")).to_have_count(3)
    anna.locator("[data-board-viewport]").focus()
    anna.keyboard.press("Control+f")
    find = anna.locator("[data-find]")
    expect(find).to_be_focused()
    find.fill("bibliotek")
    expect(anna.locator(".note.match")).to_have_count(2)
    expect(anna.locator("[data-find-status]")).to_have_text("1 av 2")
    find.press("Enter")
    expect(anna.locator("[data-find-status]")).to_have_text("2 av 2")
    far = anna.locator(".note.match-current")
    expect(far).to_have_text(re.compile("mötesplats"))
    expect(far).to_be_in_viewport()
    find.press("Escape")
    expect(anna.locator(".note.match")).to_have_count(0)
    anna.context.close()


def _english_only() -> list[re.Pattern[str]]:
    """en.json values that differ from sv.json, as patterns matching a whole string."""
    sv = json.loads((I18N / "sv.json").read_text(encoding="utf-8"))
    en = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    patterns = []
    for key, value in en.items():
        if value == sv.get(key) or len(value) < 3:
            continue
        parts = re.split(r"\{\w+\}", value)
        patterns.append(re.compile(".*".join(re.escape(p) for p in parts), re.S))
    return patterns


_VISIBLE_STRINGS = """() => {
  const out = new Set()
  const add = (s) => { s = (s || '').trim(); if (s) out.add(s) }
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('script, style, noscript, [hidden]')) continue
    for (const node of el.childNodes) if (node.nodeType === 3) add(node.textContent)
    for (const a of ['aria-label', 'title', 'placeholder']) add(el.getAttribute(a))
  }
  add(document.title)
  return [...out]
}"""


def test_swedish_interface_shows_no_english(live_server: ServerProcess, browser: Any) -> None:
    _, (anna, bjorn) = _room(browser, live_server, "Bara svenska", "Anna", "Björn")
    expect(anna.locator("html")).to_have_attribute("lang", "sv")
    _write_note(anna, 300, 300, "Idé")
    anna.locator(".note").click()  # Anna edits her note: Björn sees "Anna skriver"
    expect(bjorn.locator(".note-editing-by")).to_have_text("Anna skriver")
    anna.locator(".help summary").click()
    anna.locator(".presence summary").click()
    anna.locator('[data-action="add-cluster"]').click()
    anna.keyboard.press("Escape")
    seen = set(anna.evaluate(_VISIBLE_STRINGS))
    anna.locator('[data-action="toggle-view"]').click()
    expect(anna.locator(".outline-note")).to_have_count(1)
    seen |= set(anna.evaluate(_VISIBLE_STRINGS))
    english = _english_only()
    leaks = sorted(s for s in seen for p in english if p.fullmatch(s))
    # The link to the English interface is English on purpose.
    assert [s for s in leaks if s != "In English"] == []
    assert len(seen) > 40, seen
    for page in (anna, bjorn):
        page.context.close()


def test_axe_finds_nothing_serious_on_canvas_or_outline(
    live_server: ServerProcess, browser: Any
) -> None:
    assert AXE.exists(), f"{AXE} is missing: run `make setup` (npm ci in static/)"
    _, (anna,) = _room(browser, live_server, "Tillgänglig tavla", "Anna")
    first = _write_note(anna, 300, 300, "Läsning för alla")
    _write_note(anna, 560, 300, "Digital delaktighet")
    first.click()
    anna.locator(".note", has_text="Digital delaktighet").click(modifiers=["Shift"])
    anna.keyboard.press("g")
    anna.keyboard.type("Demokrati")
    anna.keyboard.press("Escape")
    anna.locator("[data-find]").fill("läsning")
    anna.locator(".help summary").click()
    found = {"canvas": axe_violations(anna, serious_only=True)}
    anna.locator('[data-action="toggle-view"]').click()
    expect(anna.locator(".outline-note")).to_have_count(2)
    found["outline"] = axe_violations(anna, serious_only=True)
    assert found == {"canvas": [], "outline": []}
    anna.context.close()


def test_canvas_pans_and_zooms_by_keyboard_and_wheel(
    live_server: ServerProcess, browser: Any
) -> None:
    _, (anna,) = _room(browser, live_server, "Zoom", "Anna")
    note = _write_note(anna, 400, 300, "Mitt i")
    level = anna.locator("[data-zoom-level]")
    viewport = anna.locator("[data-board-viewport]")
    viewport.focus()
    anna.keyboard.press("Escape")
    anna.keyboard.press("+")
    expect(level).to_have_text("125 %")
    anna.keyboard.press("0")
    expect(level).to_have_text("100 %")
    before = note.bounding_box()
    anna.keyboard.press("ArrowRight")  # nothing selected: the view pans
    expect(note).not_to_have_class(re.compile(r"\bselected\b"))
    after = note.bounding_box()
    assert after["x"] < before["x"], (before, after)
    # Ctrl + wheel (and trackpad pinch) zooms around the pointer; a plain wheel pans.
    box = viewport.bounding_box()
    anna.mouse.move(box["x"] + 300, box["y"] + 300)
    anna.mouse.wheel(0, 200)
    expect(note).not_to_have_css("transform", "none")
    anna.keyboard.down("Control")
    anna.mouse.wheel(0, 100)
    anna.keyboard.up("Control")
    expect(level).not_to_have_text("100 %")
    anna.locator('[data-action="fit"]').click()
    expect(note).to_be_in_viewport()
    anna.context.close()
