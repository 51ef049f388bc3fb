"""A board that stays tidy and readable with twenty people, measured in real Chromium:
geometry on screen (getBoundingClientRect), not just presence."""

from __future__ import annotations

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from pycrdt import Map, Text

from tests.support.boards import join_board, new_board
from tests.support.browser import WAIT_MS, open_page
from tests.support.servers import ServerProcess
from tests.support.yjs import YClient

pytestmark = pytest.mark.browser

# The readable bound: note text's computed font size x zoom, in screen px.
READABLE_PX = 11

# Everything a person would call a mess, as a list of what overlaps or sticks out (empty
# when tidy). Rects are on screen, so the check is what people see, transitions included:
# callers poll it until it holds.
MESS = (Path(__file__).with_name("mess.js")).read_text(encoding="utf-8")


def _shoot(page: Any, folder: Path, name: str) -> None:
    """Screenshots to look at (SAMSYN_SCREENSHOTS names a folder to keep them in), at the
    laptop's 1366x768 and the wall's 1920x1080."""
    folder = Path(os.environ.get("SAMSYN_SCREENSHOTS") or folder)
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1366, "height": 768})


def _tidy(page: Any) -> list[str]:
    """Wait (bounded) until nothing overlaps; the problems left if it never gets there."""
    # Measured once the board is at rest: no frame pending, no note gliding to its place
    # (a change drawn next frame, then a 0.3 s transition). On a timeout, report what is
    # wrong rather than the timeout.
    at_rest = "!window.samsyn.renderer._frame && document.getAnimations().length === 0"
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(f"() => {at_rest} && ({MESS})().length === 0", timeout=WAIT_MS)
    page.wait_for_function(f"() => {at_rest}", timeout=WAIT_MS)
    problems: list[str] = page.evaluate(f"() => ({MESS})()")
    return problems


async def _write_drafts(server: ServerProcess, board: dict[str, Any], people: int) -> None:
    """`people` participants each write three private notes, under three questions."""
    sections: list[str] = []
    async with YClient(f"{server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}") as fac:
        await fac.wait_for(lambda: len(fac.doc.get("sections", type=Map)) >= 3)
        by_order = sorted(fac.doc.get("sections", type=Map).items(), key=lambda kv: kv[1]["order"])
        sections = [sid for sid, _ in by_order[:3]]
    async with YClient(
        f"{server.ws_url}/ws/{board['id']}/session?token={board['facilitator_key']}"
    ) as session:
        for i in range(people):
            person = await join_board(server.url, board, f"Bibliotekarie {i + 1}")
            url = f"{server.ws_url}/ws/{board['id']}/drafts?token={person['token']}"
            async with YClient(url) as drafts:
                await drafts.wait_for(drafts.synced.is_set)
                for j in range(3):
                    drafts.doc.get("notes", type=Map)[f"d{i}x{j}"] = Map(
                        {
                            "text": Text(f"Tanke {j + 1} från bibliotekarie {i + 1}"),
                            "created": float(1_000_000 + 100 * j + i),
                            # One person's notes go to different questions.
                            "section": sections[(i + j) % 3],
                        }
                    )
                expected = 3 * (i + 1)
                await session.wait_for(
                    lambda n=expected: (
                        sum(
                            d["count"] for d in session.doc.get("drafts", type=Map).to_py().values()
                        )
                        == n
                    )
                )


def _group(page: Any, ids: list[str], title: str) -> str:
    """Select notes and press G (the command), then name the cluster."""
    page.evaluate("ids => window.samsyn.input.select({ notes: ids })", ids)
    # Keys pressed on the panels' buttons are theirs; a person works on the board.
    page.locator("[data-board-viewport]").focus()
    page.keyboard.press("g")
    field = page.locator(".cluster-title:focus")
    expect(field).to_be_visible()
    page.keyboard.type(title)
    page.keyboard.press("Escape")
    cluster_id: str = page.evaluate(
        "id => window.samsyn.doc.getMap('notes').get(id).get('cluster')", ids[0]
    )
    return cluster_id


def test_reveal_and_clustering_of_sixty_notes_stay_tidy(
    live_server: ServerProcess, browser: Any, tmp_path: Path
) -> None:
    board = new_board(live_server.url, "Tjugo bibliotekarier", template="malbild-workshop")
    # Playwright's sync API runs a loop on this thread: the websocket clients get their own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _write_drafts(live_server, board, people=20)).result(timeout=120)
    problems: list[str] = []
    fac = open_page(
        browser,
        urljoin(live_server.url, board["urls"]["facilitator"]),
        problems,
        "facilitator",
        size=(1366, 768),
    )
    fac.locator('[data-action="reveal"]').click()
    expect(fac.locator(".note")).to_have_count(60)
    assert _tidy(fac) == []
    _shoot(fac, tmp_path, "reveal")

    # The first view: readable. Note text's computed size x zoom >= READABLE_PX.
    shown = fac.evaluate(
        """() => {
          const text = document.querySelector('.note .note-text')
          return parseFloat(getComputedStyle(text).fontSize) * window.samsyn.renderer.camera.zoom
        }"""
    )
    assert shown >= READABLE_PX, shown

    # Clustering: groups in two questions, some notes from across the section.
    fac.locator('.phase-button[data-phase="cluster"]').click()
    notes_by_section: dict[str, list[str]] = fac.evaluate(
        """() => {
          const out = {}
          const notes = [...window.samsyn.doc.getMap('notes').entries()]
            .sort((a, b) => a[1].get('created') - b[1].get('created'))
          for (const [id, n] of notes) (out[n.get('section')] ||= []).push(id)
          return out
        }"""
    )
    first, second = list(notes_by_section.values())[:2]
    titles = ["Digital delaktighet för seniorer och nyanlända", "Mötesplatser", "Läsfrämjande"]
    _group(fac, first[0:5], titles[0])
    _group(fac, [first[9], first[6], first[15]], titles[1])
    _group(fac, first[10:14], titles[2])
    _group(fac, second[2:9], "Öppettider")
    _group(fac, second[12:14], "Meröppet")
    expect(fac.locator(".cluster")).to_have_count(5)
    assert _tidy(fac) == []
    # A long name wraps onto a second line instead of being cut off.
    wraps = fac.evaluate(
        """t => {
          const field = [...document.querySelectorAll('.cluster-title')].find((f) => f.value === t)
          return field.scrollHeight <= field.clientHeight + 1 &&
            field.scrollWidth <= field.clientWidth + 1
        }""",
        titles[0],
    )
    assert wraps
    _shoot(fac, tmp_path, "clusters")

    # Far out (semantic zoom; 30 %: the whole three-question board across a 1366 px
    # screen), clusters show their names with counts in readable type.
    fac.evaluate(
        """() => {
          const { input, doc } = window.samsyn
          const first = [...doc.getMap('sections').values()].find((s) => s.get('order') === 0)
          input.setCamera({ x: 24 - first.get('x') * 0.3, y: 80 - first.get('y') * 0.3, zoom: 0.3 })
        }"""
    )
    label = fac.locator(".cluster", has=fac.locator(".cluster-label-title", has_text="Öppettider"))
    expect(label.locator(".cluster-label")).to_be_visible()
    expect(label.locator(".cluster-label-count")).to_have_text("7 lappar")
    label_px = fac.evaluate(
        """() => Math.min(...[...document.querySelectorAll('.cluster-label-title')].map((el) =>
          parseFloat(getComputedStyle(el).fontSize) * window.samsyn.renderer.camera.zoom))"""
    )
    assert label_px >= READABLE_PX, label_px
    expect(fac.locator(".note.clustered").first).to_be_hidden()
    _shoot(fac, tmp_path, "far")

    # Arrange everything (the facilitator's command) keeps it all tidy too.
    fac.locator('[data-action="arrange"]').click()
    fac.evaluate("() => window.samsyn.input.firstView()")
    assert _tidy(fac) == []
    _shoot(fac, tmp_path, "arranged")
    assert problems == []


def test_two_people_dropping_one_note_into_two_clusters_agree(
    live_server: ServerProcess, browser: Any
) -> None:
    board = new_board(live_server.url, "Samtidigt", phase="cluster")
    join = urljoin(live_server.url, board["urls"]["join"])
    problems: list[str] = []
    anna = open_page(browser, join, problems, "Anna")
    bo = open_page(browser, join, problems, "Bo")
    ids = anna.evaluate(
        """() => {
          const { doc, model } = window.samsyn
          const sec = [...model.roots(doc).sections.keys()][0]
          const a = model.createNote(doc, { x: 100, y: 300, text: 'A' })
          const b = model.createNote(doc, { x: 700, y: 300, text: 'B' })
          const loose = model.createNote(doc, { x: 450, y: 700, text: 'Flytta mig' })
          const [k1, k2] = [model.groupIntoCluster(doc, [a]), model.groupIntoCluster(doc, [b])]
          return { k1, k2, loose, sec }
        }"""
    )
    for page in (anna, bo):
        expect(page.locator(".cluster")).to_have_count(2)
        page.evaluate("() => window.samsyn.input.firstView()")
    # Both offline, so the drops are truly concurrent; then both come back.
    for page, target in ((anna, ids["k1"]), (bo, ids["k2"])):
        page.context.set_offline(True)
        expect(page.locator("[data-connection-state]")).not_to_have_attribute(
            "data-connection-state", "connected"
        )
        note = page.locator(f'.note[data-note-id="{ids["loose"]}"]')
        cluster = page.locator(f'.cluster[data-cluster-id="{target}"]')
        a, b = note.bounding_box(), cluster.bounding_box()
        page.mouse.move(a["x"] + 20, a["y"] + 20)
        page.mouse.down()
        page.mouse.move(a["x"] + 40, a["y"] + 40, steps=3)
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=8)
        page.mouse.up()
        expect(note).to_have_attribute("data-cluster", target)
    for page in (anna, bo):
        page.context.set_offline(False)
        expect(page.locator("[data-connection-state]")).to_have_attribute(
            "data-connection-state", "connected"
        )
    # Each has everything the other wrote (Yjs state: the other's client id and clock).
    own = "() => { const d = window.samsyn.doc; return [d.clientID, _clock(d, d.clientID)] }"
    has = "([id, clock]) => _clock(window.samsyn.doc, id) >= clock"
    clock = """(d, id) => {
      const structs = d.store.clients.get(id)
      const last = structs && structs[structs.length - 1]
      return last ? last.id.clock + last.length : 0
    }"""
    for page, other in ((anna, bo), (bo, anna)):
        state = other.evaluate(f"(() => {{ const _clock = {clock}; return ({own})() }})()")
        page.wait_for_function(f"s => {{ const _clock = {clock}; return ({has})(s) }}", arg=state)
    winner = anna.evaluate(
        "id => window.samsyn.doc.getMap('notes').get(id).get('cluster')", ids["loose"]
    )
    assert winner in (ids["k1"], ids["k2"])
    for page in (anna, bo):
        note = page.locator(f'.note[data-note-id="{ids["loose"]}"]')
        expect(note).to_have_attribute("data-cluster", winner)
        expect(page.locator(f'.cluster[data-cluster-id="{winner}"]')).to_have_attribute(
            "data-count", "2"
        )
        assert _tidy(page) == []
    assert problems == []


POSITIONS = """() => {
  const out = {}
  for (const root of ['notes', 'clusters']) {
    for (const [id, m] of window.samsyn.doc.getMap(root)) out[id] = [m.get('x'), m.get('y')]
  }
  return out
}"""


def test_panning_over_a_cluster_moves_no_content(live_server: ServerProcess, browser: Any) -> None:
    board = new_board(live_server.url, "Panorera", phase="cluster")
    problems: list[str] = []
    page = open_page(browser, urljoin(live_server.url, board["urls"]["join"]), problems, "Anna")
    cluster = page.evaluate(
        """() => {
          const { doc, model } = window.samsyn
          const ids = [0, 1, 2].map((i) =>
            model.createNote(doc, { x: 100 + i, y: 600, text: 'L' + i, now: i }))
          return model.groupIntoCluster(doc, ids, { title: 'Stor' })
        }"""
    )
    # Zoomed in on the cluster: it fills the view, as on a laptop close up.
    page.evaluate(
        """id => {
          const { input, renderer } = window.samsyn
          input.setCamera({ ...renderer.camera, zoom: 2 })
          input.ensureVisible('cluster', id, { centre: true })
        }""",
        cluster,
    )
    # An empty spot inside the cluster, between its notes, once the new cluster is drawn
    # at its size in the view (a frame or two after the change).
    slot = page.wait_for_function(
        """id => {
          const el = document.querySelector(`.cluster[data-cluster-id="${id}"]`)
          if (!el) return null
          const r = el.getBoundingClientRect()
          // Its empty area: the first point, from the lower right, that is the cluster's
          // own background and in the window (not a note, not the toolbar).
          for (const fy of [0.8, 0.9, 0.7, 0.6, 0.5]) {
            for (const fx of [0.75, 0.9, 0.6, 0.5, 0.25, 0.1]) {
              const x = r.left + r.width * fx, y = r.top + r.height * fy
              if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue
              const at = document.elementFromPoint(x, y)
              if (at === el) return [x, y]
            }
          }
          return null
        }""",
        arg=cluster,
    )
    x, y = slot.json_value()
    before = page.evaluate(POSITIONS)
    camera = page.evaluate("() => ({ ...window.samsyn.renderer.camera })")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y - 100, steps=6)
    page.mouse.up()
    page.mouse.wheel(0, 200)
    page.keyboard.down(" ")
    page.mouse.down()
    page.mouse.move(x - 250, y - 150, steps=4)
    page.mouse.up()
    page.keyboard.up(" ")
    after_camera = page.evaluate("() => ({ ...window.samsyn.renderer.camera })")
    assert (after_camera["x"], after_camera["y"]) != (camera["x"], camera["y"]), "it panned"
    assert page.evaluate(POSITIONS) == before
    assert problems == []


@pytest.mark.parametrize(
    ("who", "button"),
    [
        ("Anna", '[data-action="zoom-in"]'),  # the board's own toolbar
        ("facilitator", '.phase-button[data-phase="cluster"]'),  # a panel that keeps its keys
    ],
)
def test_undo_works_with_a_toolbar_button_focused(
    live_server: ServerProcess, browser: Any, who: str, button: str
) -> None:
    board = new_board(live_server.url, "Ångra", phase="cluster")
    problems: list[str] = []
    link = board["urls"]["facilitator" if who == "facilitator" else "join"]
    page = open_page(browser, urljoin(live_server.url, link), problems, who)
    page.locator('[data-action="add-note"]').click()
    expect(page.locator(".note-editor")).to_be_focused()
    page.keyboard.type("Ångra mig")
    page.keyboard.press("Escape")
    expect(page.locator(".note", has_text="Ångra mig")).to_have_count(1)
    page.locator(button).focus()
    expect(page.locator(button)).to_be_focused()
    page.keyboard.press("Control+z")
    expect(page.locator(".note", has_text="Ångra mig")).to_have_count(0)
    assert problems == []


def test_a_new_note_lands_in_view_in_free_space(live_server: ServerProcess, browser: Any) -> None:
    board = new_board(live_server.url, "Ny lapp", phase="cluster")
    problems: list[str] = []
    page = open_page(browser, urljoin(live_server.url, board["urls"]["join"]), problems, "Anna")
    camera = page.evaluate("() => ({ ...window.samsyn.renderer.camera })")
    # A double-click near the bottom edge: the note stays fully in view, the view stays put.
    viewport = page.locator("[data-board-viewport]").bounding_box()
    page.mouse.dblclick(viewport["x"] + 300, viewport["y"] + viewport["height"] - 6)
    expect(page.locator(".note-editor")).to_be_focused()
    page.keyboard.press("Escape")
    for _ in range(3):  # N three times at the same centre: three notes side by side
        page.keyboard.press("n")
        expect(page.locator(".note-editor")).to_be_focused()
        page.keyboard.press("Escape")
    expect(page.locator(".note")).to_have_count(4)
    assert page.evaluate("() => ({ ...window.samsyn.renderer.camera })") == camera
    inside = page.evaluate(
        """() => {
          const v = document.querySelector('[data-board-viewport]').getBoundingClientRect()
          return [...document.querySelectorAll('.note')].every((n) => {
            const r = n.getBoundingClientRect()
            return r.left >= v.left && r.top >= v.top && r.right <= v.right && r.bottom <= v.bottom
          })
        }"""
    )
    assert inside
    assert _tidy(page) == []
    assert problems == []
