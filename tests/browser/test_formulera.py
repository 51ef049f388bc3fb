"""The formulera round in real Chromium: the facilitator opens it in the panel, two
participants (one on a phone) write proposals, the wall shows them large, and the
facilitator's "Välj den här" puts the chosen text in the theme's statement on everyone's
board. And the wall's geometry: twenty proposals fit, legibly, on a 1920x1080 wall."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import facilitator_post, new_board
from tests.support.browser import WAIT_MS, axe_violations, open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

_open = functools.partial(open_page, default_timeout_ms=WAIT_MS)

ANNA = "Biblioteket är en öppen mötesplats"
BO = "Biblioteket är kommunens vardagsrum"
# Smallest text on the wall, in CSS px, that the back of a room still reads at 1080p.
LEGIBLE_PX = 22

MAKE_THEME = """(title) => {
  const { model, doc } = window.samsyn
  const id = model.createCluster(doc, { x: 200, y: 2600 })
  model.clusterTitle(doc, id).insert(0, title)
  return id
}"""


def _write(page: Any, by: str, text: str) -> None:
    tray = page.locator("#samsyn-formulera")
    expect(tray).to_be_visible()
    tray.locator('[data-action="write-proposal"]').click()
    field = tray.locator(".formulera-text")
    expect(field).to_be_focused()
    field.press_sequentially(text)
    group = tray.locator(".formulera-by-field")
    group.fill(by)
    group.press("Tab")


def test_a_round_from_the_panel_to_the_wall_to_everyones_statement(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    url, problems = live_server.url, []
    board = new_board(url, "Formulera", template="malbild-workshop", phase="discuss")
    fac = _open(
        browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator", (1440, 900)
    )
    anna = _open(browser, urljoin(url, board["urls"]["join"]), problems, "Anna")
    bo = _open(browser, urljoin(url, board["urls"]["join"]), problems, "Bo", (390, 844))
    wall = _open(browser, urljoin(url, board["urls"]["wall"]), problems, "wall", (1920, 1080))
    theme = fac.evaluate(MAKE_THEME, "Mötesplats")

    # No round yet: nobody has a tray, and the wall shows the board.
    expect(anna.locator("#samsyn-formulera")).to_be_hidden()
    expect(wall.locator(".formulera-wall")).to_be_hidden()

    panel = fac.locator(".facil-formulera")
    panel.scroll_into_view_if_needed()
    panel.locator("#formulera-theme").select_option(label="Mötesplats")
    panel.locator('[data-action="toggle-formulera"]').click()
    expect(panel.locator("[data-formulera-state]")).to_have_attribute(
        "data-formulera-state", "open"
    )
    expect(panel.locator('[data-action="toggle-formulera"]')).to_have_text("Avsluta rundan")

    _write(anna, "Grupp 1", ANNA)
    _write(bo, "Grupp 2", BO)

    # Each sees the other's proposal live; the wall shows both, large.
    expect(anna.locator(".formulera-other .formulera-other-text")).to_have_text([BO])
    expect(bo.locator(".formulera-other .formulera-other-text")).to_have_text([ANNA])
    cards = wall.locator(".formulera-wall-card")
    expect(cards.locator(".formulera-wall-text")).to_have_text([ANNA, BO])
    expect(cards.locator(".formulera-wall-by")).to_have_text(["Grupp 1", "Grupp 2"])
    expect(wall.locator(".formulera-wall-title")).to_have_text(["Mötesplats"])
    size = wall.locator(".formulera-wall-text").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 32, size  # two proposals: the largest text
    wall.screenshot(path=str(screenshot_dir / "formulera-wall.png"))
    bo.screenshot(path=str(screenshot_dir / "formulera-phone.png"))
    anna.screenshot(path=str(screenshot_dir / "formulera-participant.png"))
    # The trays, the panel and the wall view pass the live board's accessibility bar.
    for page in (anna, bo, fac, wall):
        assert axe_violations(page, serious_only=True) == []

    # The facilitator chooses Bo's group's wording.
    items = panel.locator(".formulera-facil-item")
    expect(items.locator(".formulera-other-text")).to_have_text([ANNA, BO])
    items.filter(has_text=BO).locator("button", has_text="Välj den här").click()
    expect(items.filter(has_text=BO)).to_have_attribute("data-chosen", "true")
    expect(panel.locator(".formulera-current")).to_have_attribute("data-statement", BO)
    panel.screenshot(path=str(screenshot_dir / "formulera-panel.png"))

    # Anna's canvas shows it in the theme's statement field; Bo's phone (the outline)
    # under the theme, and in his tray; the wall marks the chosen card.
    statement = anna.locator(f'[data-cluster-id="{theme}"] .cluster-statement')
    expect(statement).to_have_value(BO)
    expect(statement).to_be_visible()
    expect(
        bo.locator(f'.outline-cluster[data-cluster-id="{theme}"] .outline-statement-text')
    ).to_have_text(BO)
    expect(bo.locator(".formulera-current")).to_have_attribute("data-statement", BO)
    expect(
        wall.locator('.formulera-wall-card[data-chosen="true"] .formulera-wall-text')
    ).to_have_text(BO)
    bo.screenshot(path=str(screenshot_dir / "formulera-phone-chosen.png"))

    # Closing the round hides the trays and the wall's view; the proposals stay.
    panel.locator('[data-action="toggle-formulera"]').click()
    expect(anna.locator("#samsyn-formulera")).to_be_hidden()
    expect(wall.locator(".formulera-wall")).to_be_hidden()
    expect(items).to_have_count(2)
    exported = httpx.get(
        f"{url}/b/{board['id']}/export.json",
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=10,
    ).json()
    cluster = next(c for c in exported["clusters"] if c["id"] == theme)
    assert cluster["statement"] == BO
    assert sorted(p["by"] for p in cluster["proposals"]) == ["Grupp 1", "Grupp 2"]
    assert problems == []


def test_twenty_proposals_fit_the_wall_legibly(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    url, problems = live_server.url, []
    board = new_board(url, "Tjugo förslag", template="malbild-workshop", phase="discuss")
    fac = _open(
        browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator", (1440, 900)
    )
    wall = _open(browser, urljoin(url, board["urls"]["wall"]), problems, "wall", (1920, 1080))
    theme = fac.evaluate(MAKE_THEME, "Digital delaktighet för alla åldrar")
    facilitator_post(url, board, "/formulera", {"open": True, "cluster": theme})
    # Twenty groups' drafts of realistic length (a sentence each), written on the board.
    texts = [
        f"Biblioteket är platsen där alla i kommunen får hjälp med det digitala, grupp {i + 1}"
        for i in range(20)
    ]
    fac.wait_for_function(
        "id => window.samsyn.model.hasProposals(window.samsyn.doc, id)", arg=theme
    )
    fac.evaluate(
        """([id, texts]) => {
          const { model, doc } = window.samsyn
          texts.forEach((text, i) =>
            model.createProposal(doc, id, { by: `Grupp ${i + 1}`, text, now: 1000 + i }))
        }""",
        [theme, texts],
    )
    cards = wall.locator(".formulera-wall-card")
    expect(cards).to_have_count(20)
    expect(cards.locator(".formulera-wall-text")).to_have_text(texts)
    body = wall.locator(".formulera-wall-body").bounding_box()
    assert body is not None
    boxes = [cards.nth(i).bounding_box() for i in range(20)]
    for i, box in enumerate(boxes):
        assert box is not None
        # Every card whole on the wall, inside the round's area, none on another.
        assert (
            box["x"] >= body["x"] - 0.5
            and box["x"] + box["width"] <= body["x"] + body["width"] + 0.5
        ), i
        assert (
            box["y"] >= body["y"] - 0.5
            and box["y"] + box["height"] <= body["y"] + body["height"] + 0.5
        ), i
        assert body["y"] + body["height"] <= 1080
        for j, other in enumerate(boxes[:i]):
            assert other is not None
            apart = (
                box["x"] >= other["x"] + other["width"] - 0.5
                or other["x"] >= box["x"] + box["width"] - 0.5
                or box["y"] >= other["y"] + other["height"] - 0.5
                or other["y"] >= box["y"] + box["height"] - 0.5
            )
            assert apart, (i, j)
    # No text cut off: each card holds all of its lines, at a size read from the back.
    clipped = wall.evaluate(
        """() => [...document.querySelectorAll('.formulera-wall-card')].filter(
          (c) => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1).length"""
    )
    assert clipped == 0
    sizes = wall.evaluate(
        """() => [...document.querySelectorAll('.formulera-wall-text, .formulera-wall-by')].map(
          (e) => parseFloat(getComputedStyle(e).fontSize))"""
    )
    assert min(sizes[::2]) >= LEGIBLE_PX, sizes[:2]
    assert min(sizes[1::2]) >= 0.75 * LEGIBLE_PX - 0.5, sizes[:2]
    wall.screenshot(path=str(screenshot_dir / "formulera-wall-twenty.png"))
    assert problems == []
