"""The loose-note grid of a question keeps no holes, measured in real Chromium: notes that
go into a cluster leave holes that the next reveal fills first, and "arrange everything"
puts the loose notes in the first cells of the grid below the clusters."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect
from pycrdt import Map, Text

from boards.layout import LAYOUT_GAP, LAYOUT_PAD, SECTION_HEADER
from boards.schema import NOTE_H, NOTE_W
from tests.support.boards import join_board, new_board
from tests.support.browser import open_page
from tests.support.servers import ServerProcess
from tests.support.yjs import YClient

pytestmark = pytest.mark.browser


async def _write(server: ServerProcess, board: dict[str, Any], name: str, count: int) -> None:
    """`name` joins and writes `count` private notes under the first question."""
    key = board["facilitator_key"]
    async with YClient(f"{server.ws_url}/ws/{board['id']}?token={key}") as fac:
        await fac.wait_for(lambda: len(fac.doc.get("sections", type=Map)) >= 1)
        sections = fac.doc.get("sections", type=Map).items()
        first = min(sections, key=lambda kv: kv[1]["order"])[0]
    person = await join_board(server.url, board, name)
    async with (
        YClient(f"{server.ws_url}/ws/{board['id']}/session?token={key}") as session,
        YClient(f"{server.ws_url}/ws/{board['id']}/drafts?token={person['token']}") as drafts,
    ):
        await drafts.wait_for(drafts.synced.is_set)
        for i in range(count):
            drafts.doc.get("notes", type=Map)[f"{name}-{i}"] = Map(
                {"text": Text(f"{name} {i + 1}"), "created": float(i), "section": first}
            )
        await session.wait_for(
            lambda: any(
                d["name"] == name and d["count"] == count
                for d in session.doc.get("drafts", type=Map).to_py().values()
            )
        )


def _drafts(server: ServerProcess, board: dict[str, Any], name: str, count: int) -> None:
    # Playwright's sync API runs a loop on this thread: the websocket clients get their own.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _write(server, board, name, count)).result(timeout=60)


# The first question's box, its loose notes (id -> [x, y]) and its clusters' bottoms.
FIRST = """() => {
  const { model, doc } = window.samsyn
  const s = model.outline(doc).find((g) => g.section).section
  const layout = model.boardLayout(doc)
  const loose = {}
  for (const [id, n] of doc.getMap('notes')) {
    if (n.get('section') === s.id && !layout.notes.has(id)) loose[id] = [n.get('x'), n.get('y')]
  }
  const bottoms = [...layout.clusters.values()].filter((c) => c.section === s.id)
    .map((c) => c.y + c.h)
  return { section: { x: s.x, y: s.y, w: s.w }, loose, bottoms }
}"""


def _cells(section: dict[str, float], count: int, top: float | None = None) -> list[list[float]]:
    """The first `count` cells of a question's loose-note grid (from `top`)."""
    cols = int((section["w"] - 2 * LAYOUT_PAD + LAYOUT_GAP) // (NOTE_W + LAYOUT_GAP))
    start = section["y"] + SECTION_HEADER if top is None else top
    return [
        [
            section["x"] + LAYOUT_PAD + (i % cols) * (NOTE_W + LAYOUT_GAP),
            start + (i // cols) * (NOTE_H + LAYOUT_GAP),
        ]
        for i in range(count)
    ]


def _reveal(page: Any, total: int) -> None:
    page.locator('[data-action="reveal"]').click()
    expect(page.locator(".note")).to_have_count(total)


def test_holes_left_in_the_loose_grid_are_filled(live_server: ServerProcess, browser: Any) -> None:
    board = new_board(live_server.url, "Hål", template="malbild-workshop")
    _drafts(live_server, board, "Anna", 14)
    problems: list[str] = []
    fac = open_page(
        browser, urljoin(live_server.url, board["urls"]["facilitator"]), problems, "facilitator"
    )
    _reveal(fac, 14)
    first = fac.evaluate(FIRST)
    cells = _cells(first["section"], 14)
    assert sorted(first["loose"].values()) == sorted(cells)

    # Three notes from inside the grid go into a cluster: three holes where they were.
    by_cell = {tuple(xy): nid for nid, xy in first["loose"].items()}
    leaving = [by_cell[tuple(cells[i])] for i in (1, 4, 8)]
    holes = sorted(first["loose"][nid] for nid in leaving)
    cluster = fac.evaluate(
        "ids => window.samsyn.model.groupIntoCluster(window.samsyn.doc, ids)", leaving
    )
    expect(fac.locator(".cluster")).to_have_count(1)
    stayed = fac.evaluate(FIRST)["loose"]
    assert len(stayed) == 11 and not any(xy in holes for xy in stayed.values())

    # The next reveal fills the holes first, then goes on after the last note.
    _drafts(live_server, board, "Bo", 4)
    _reveal(fac, 18)
    after = fac.evaluate(FIRST)
    new = sorted(xy for nid, xy in after["loose"].items() if nid.startswith("Bo-"))
    assert len(new) == 4
    assert {tuple(xy) for xy in holes} <= {tuple(xy) for xy in new}, (new, holes)
    # No hole is left anywhere in the grid above the lowest loose note.
    taken = {tuple(xy) for xy in after["loose"].values()}
    lowest = max(y for _, y in taken)
    cluster_box = fac.evaluate(
        "id => { const c = window.samsyn.model.boardLayout(window.samsyn.doc).clusters.get(id);"
        " return [c.x, c.y, c.w, c.h] }",
        cluster,
    )
    for x, y in _cells(first["section"], 40):
        if y > lowest:
            break
        cx, cy, cw, ch = cluster_box
        beside_cluster = (
            x < cx + cw + LAYOUT_GAP
            and cx - LAYOUT_GAP < x + NOTE_W
            and (y < cy + ch + LAYOUT_GAP and cy - LAYOUT_GAP < y + NOTE_H)
        )
        assert (x, y) in taken or beside_cluster, ("hole", x, y)

    # Two more leave; then "arrange everything": the loose notes in the first cells below
    # the clusters' row, no hole.
    gone = sorted(after["loose"])[:2]
    fac.evaluate(
        """([ids, cluster]) => {
          const { model, doc } = window.samsyn
          for (const id of ids) model.moveNoteToCluster(doc, id, cluster)
        }""",
        [gone, cluster],
    )
    fac.locator('[data-action="arrange"]').click()
    fac.wait_for_function(
        """n => {
          const { model, doc } = window.samsyn
          const layout = model.boardLayout(doc)
          return [...layout.clusters.values()][0].count === n
        }""",
        arg=5,
    )
    arranged = fac.evaluate(FIRST)
    top = max(arranged["bottoms"]) + LAYOUT_GAP
    loose = sorted(arranged["loose"].values())
    assert len(loose) == 13
    assert loose == sorted(_cells(arranged["section"], 13, top))
    assert problems == []
