"""Where the vote chips go, measured in real Chromium: on the 1920x1080 wall of a board of
twenty no badge covers a section's title at any zoom, and on a phone the 44 px chip
leaves the author line of every note readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import WAIT_MS, open_people
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

# The first four questions of the malbild-workshop template, each with a revealed grid of
# loose notes and three clusters made where their notes lay (G), as after a workshop of
# twenty; returns the cluster ids.
SEED = """() => {
  const { model, doc } = window.samsyn
  const sections = model.outline(doc).filter((g) => g.section).map((g) => g.section).slice(0, 4)
  const clusters = []
  let now = 1_000_000
  sections.forEach((s, si) => {
    const ids = model.packBelow(s, [], 18).map((p, i) => model.createNote(doc, {
      x: p.x, y: p.y, section: s.id, author: `Bibliotekarie ${(i + si * 5) % 20 + 1}`,
      text: `Tanke ${i + 1} om fråga ${si + 1}`, now: now++
    }))
    for (const [k, part] of [ids.slice(6, 10), ids.slice(10, 13), ids.slice(13, 18)].entries()) {
      clusters.push(model.groupIntoCluster(doc, part, { title: `Tema ${si + 1}.${k + 1}` }))
    }
  })
  return clusters
}"""

# Every vote chip's box against every section title and question on screen: the pairs
# that cross (empty when none does).
CROSSINGS = """() => {
  const cross = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
    a.top < b.bottom - 1 && b.top < a.bottom - 1
  const chips = [...document.querySelectorAll('.vote-chip')].filter((c) => c.offsetParent !== null)
  const titles = [...document.querySelectorAll('.section-title, .section-prompt')]
  const out = []
  for (const c of chips) {
    for (const t of titles) {
      const [a, b] = [c.getBoundingClientRect(), t.getBoundingClientRect()]
      if (cross(a, b)) out.push(`${c.textContent} on ${t.textContent}`)
    }
  }
  return out
}"""


def _vote_and_close(server: ServerProcess, board: dict[str, Any], clusters: list[str]) -> None:
    """Tallies on every cluster (the facilitator's dots), then the ballot closes."""
    key = {"Authorization": f"Bearer {board['facilitator_key']}"}
    api = f"{server.url}/api/boards/{board['id']}"
    with httpx.Client(headers=key, timeout=10) as client:
        assert client.post(f"{api}/phase", json={"name": "vote"}).status_code == 200
        assert client.post(f"{api}/voting", json={"budget": 100}).status_code == 200
        for index, cid in enumerate(clusters):
            for _ in range(1 + index % 7):
                vote = client.post(f"{api}/votes", json={"target": cid, "delta": 1})
                assert vote.status_code == 200, vote.text
        assert client.post(f"{api}/voting", json={"open": False}).status_code == 200


def _at_rest(page: Any) -> None:
    page.wait_for_function(
        "() => !window.samsyn.renderer._frame && document.getAnimations().length === 0",
        timeout=WAIT_MS,
    )


def test_no_vote_badge_covers_a_section_title_on_the_wall(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(live_server.url, "Tjugo", template="malbild-workshop", phase="cluster")
    problems: list[str] = []
    people = {"facilitator": (1440, 900), "wall": (1920, 1080)}
    fac, wall = open_people(browser, live_server.url, board, problems, people).values()
    clusters: list[str] = fac.evaluate(SEED)
    assert len(clusters) == 12
    wall.wait_for_function("() => window.samsyn.doc.getMap('clusters').size === 12")
    _vote_and_close(live_server, board, clusters)
    expect(wall.locator(".wall-results .result")).to_have_count(12)
    expect(wall.locator(".vote-chip")).to_have_count(12)
    _at_rest(wall)
    # The wall's own view is far out, where the badges covered the next question's title.
    zoom = wall.evaluate("() => window.samsyn.renderer.camera.zoom")
    assert zoom < 0.5, zoom
    assert wall.evaluate(CROSSINGS) == []
    wall.screenshot(path=str(screenshot_dir / "wall-badges.png"))
    # And at every zoom between that and the notes' readable size, on the same board.
    for level in (0.2, 0.35, 0.5, 0.7, 1.0):
        wall.evaluate(
            """zoom => {
              const { renderer, input, doc } = window.samsyn
              const first = [...doc.getMap('sections').values()].find((s) => s.get('order') === 1)
              const [x, y] = [40 - first.get('x') * zoom, 140 - first.get('y') * zoom]
              input.setCamera({ x, y, zoom })
            }""",
            level,
        )
        wall.wait_for_function("z => window.samsyn.renderer.camera.zoom === z", arg=level)
        _at_rest(wall)
        assert wall.evaluate(CROSSINGS) == [], level
    # Each badge is by its own cluster: inside it, or within a few px of its frame.
    far = wall.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.vote-chip')].map((c) => {
          const b = c.getBoundingClientRect()
          const k = document.querySelector(`.cluster[data-cluster-id="${c.dataset.voteFor}"]`)
            .getBoundingClientRect()
          return Math.max(0, b.left - k.right, k.left - b.right) +
            Math.max(0, b.top - k.bottom, k.top - b.bottom)
        }))"""
    )
    near = far <= 8
    assert near, far
    assert problems == []
    for page in (fac, wall):
        page.context.close()


# Author lines against vote chips on screen: the pairs that cross. With `ownOnly` (a vote
# on notes, where every chip is for a note in a grid of notes) only the chip's own note's
# author line and text; else every note's author line.
AUTHOR_CROSSINGS = """ownOnly => {
  const cross = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
  const chips = [...document.querySelectorAll('.vote-chip')].filter((c) => c.offsetParent !== null)
  const lines = [...document.querySelectorAll('.note .note-author')]
    .filter((a) => a.offsetParent !== null && a.textContent)
  const out = []
  for (const c of chips) {
    const own = document.querySelector(`.note[data-note-id="${c.dataset.voteFor}"]`)
    const mine = own ? [own.querySelector('.note-author'), own.querySelector('.note-text')] : []
    for (const a of ownOnly ? mine : lines) {
      const hit = cross(c.getBoundingClientRect(), a.getBoundingClientRect())
      const [r, q] = [c.getBoundingClientRect(), a.getBoundingClientRect()]
      const at = (b) => [b.left, b.top, b.right, b.bottom].map(Math.round).join(' ')
      if (hit) out.push(`${c.dataset.voteFor} on ${a.textContent}: ${at(r)} / ${at(q)}`)
    }
  }
  return out
}"""


@pytest.mark.parametrize("target", ["clusters", "notes"])
def test_the_phone_vote_chip_leaves_every_author_line_readable(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path, target: str
) -> None:
    board = new_board(live_server.url, "Telefon", template="malbild-workshop", phase="cluster")
    problems: list[str] = []
    people = {"facilitator": (1440, 900), "Bo": (390, 844)}
    fac, bo = open_people(browser, live_server.url, board, problems, people).values()
    clusters: list[str] = fac.evaluate(SEED)
    key = {"Authorization": f"Bearer {board['facilitator_key']}"}
    api = f"{live_server.url}/api/boards/{board['id']}"
    with httpx.Client(headers=key, timeout=10) as client:
        assert client.post(f"{api}/voting", json={"target": target}).status_code == 200
        assert client.post(f"{api}/phase", json={"name": "vote"}).status_code == 200
    # The canvas (phones start in the outline), close enough to read the author lines
    # (80 %: a cluster of four across the phone's width).
    bo.wait_for_function("() => window.samsyn.doc.getMap('clusters').size === 12")
    bo.locator('[data-action="toggle-view"]').click()
    expect(bo.locator("[data-board-viewport]")).to_be_visible()
    bo.evaluate(
        """id => {
          const { input, renderer } = window.samsyn
          input.setCamera({ ...renderer.camera, zoom: 0.8 })
          input.ensureVisible('cluster', id, { centre: true })
        }""",
        clusters[0],
    )
    expect(bo.locator(".vote-chip .vote-add:visible").first).to_be_visible()
    _at_rest(bo)
    bo.screenshot(path=str(screenshot_dir / f"vote-phone-canvas-{target}.png"))
    footers = bo.locator(".note .note-author:visible")
    assert footers.count() > 0
    # The chips are the 44 px touch targets of the vote ...
    boxes = bo.evaluate(
        """() => [...document.querySelectorAll('.vote-chip .vote-button')]
          .filter((b) => b.offsetParent !== null).map((b) => b.getBoundingClientRect())
          .filter((r) => r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth)
          .map((r) => [r.width, r.height])"""
    )
    assert boxes and all(w >= 44 and h >= 44 for w, h in boxes), boxes
    # ... and none lies on a note's author line: on a vote on clusters, no author line
    # at all; on a vote on notes, not its own note's author line nor its text.
    assert bo.evaluate(AUTHOR_CROSSINGS, target == "notes") == []
    bo.screenshot(path=str(screenshot_dir / f"vote-phone-canvas-{target}.png"))
    assert problems == []
    for page in (fac, bo):
        page.context.close()
