"""Dot voting on every device in real Chromium: a laptop on the canvas at fit zoom and a
390x844 phone in the outline, touch-sized controls, a maximum per item, the facilitator's
"N av M har röstat", and a ranking every participant sees after the vote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import WAIT_MS, open_people
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

TITLES = ("Mötesplatser", "Öppettider", "Digital delaktighet")
TOUCH_PX = 44


def _make_clusters(page: Any) -> list[str]:
    """One cluster per title in the first sections, made through the page's model."""
    ids: list[str] = page.evaluate(
        """(titles) => {
          const { model, doc } = window.samsyn
          const sections = model.outline(doc).filter((g) => g.section).map((g) => g.section)
          return titles.map((title, i) => {
            const s = sections[i]
            const id = model.createCluster(doc, { x: s.x + 40, y: s.y + 120, section: s.id })
            model.clusterTitle(doc, id).insert(0, title)
            return id
          })
        }""",
        list(TITLES),
    )
    return ids


def _controls_at_least_touch_size(page: Any, selector: str) -> int:
    """Every visible vote button under `selector` measures at least 44x44 px; how many."""
    buttons = page.locator(f"{selector} .vote-button:visible")
    count = buttons.count()
    for index in range(count):
        box = buttons.nth(index).bounding_box()
        assert box is not None
        assert box["width"] >= TOUCH_PX and box["height"] >= TOUCH_PX, (selector, index, box)
    return count


def _settled(page: Any) -> None:
    page.wait_for_function(
        "() => window.samsyn.workshop.votes.state.pending === 0", timeout=WAIT_MS
    )


def test_voting_on_laptop_and_phone_with_results_for_everyone(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(live_server.url, "Röstning", template="malbild-workshop", phase="cluster")
    problems: list[str] = []
    people = {"facilitator": (1440, 900), "Anna": (1280, 800), "Bo": (390, 844)}
    fac, anna, bo = open_people(browser, live_server.url, board, problems, people).values()
    meeting, hours, digital = _make_clusters(fac)
    for page in (anna, bo):
        page.wait_for_function("() => window.samsyn.doc.getMap('clusters').size === 3")

    # At most two dots on one item; then the vote opens.
    fac.locator("#vote-max").fill("2")
    fac.locator("#vote-max").dispatch_event("change")
    fac.locator('.phase-button[data-phase="vote"]').click()
    expect(fac.locator(".facil-voted")).to_have_text("0 av 2 har röstat")
    expect(anna.locator(".votes-left")).to_have_text("5 röster kvar · högst 2 per sak")

    # The laptop, on the canvas at fit zoom: touch-sized controls on every cluster.
    anna.locator('[data-action="fit"]').click()
    zoom = anna.evaluate("() => window.samsyn.renderer.camera.zoom")
    assert zoom < 0.5, zoom  # the far-out view where the old buttons were 3-9 px
    expect(anna.locator(".vote-chip .vote-add:visible")).to_have_count(3)
    assert _controls_at_least_touch_size(anna, ".vote-chip") == 6
    chip = anna.locator(f'.vote-chip[data-vote-for="{meeting}"]')
    chip.locator(".vote-add").click()
    chip.locator(".vote-add").click()
    expect(chip.locator(".vote-dots")).to_have_text("●●")
    # The maximum is shown: no third dot on the same item.
    expect(chip.locator(".vote-add")).to_be_disabled()
    _settled(anna)
    expect(fac.locator(".facil-voted")).to_have_text("1 av 2 har röstat")
    expect(fac.locator(".facil-still-has")).to_have_text("Har röster kvar: Anna, Bo")
    anna.screenshot(path=str(screenshot_dir / "vote-laptop.png"))
    # Zoomed in to 100 %, the controls keep their size on screen.
    anna.locator('[data-action="zoom-reset"]').click()
    anna.wait_for_function("() => window.samsyn.renderer.camera.zoom === 1")
    assert _controls_at_least_touch_size(anna, ".vote-chip") == 6
    box = chip.locator(".vote-add").bounding_box()
    assert box is not None and box["width"] < 2 * TOUCH_PX, box

    # The phone, in the outline (its default): the same controls, as large. Its phase
    # pill numbers the phase it shows (it read "1 Samtal" when only one pill showed).
    expect(bo.locator("[data-outline]")).to_be_visible()
    pill = bo.locator('.phase-step[aria-current="step"]')
    expect(pill).to_have_text("Röstning")
    assert pill.evaluate("el => getComputedStyle(el, '::before').content") == '"3"'

    assert _controls_at_least_touch_size(bo, ".outline-vote") == 6
    bo_hours = bo.locator(f'.outline-vote[data-vote-for="{hours}"]')
    bo_hours.locator(".vote-add").click()
    bo_hours.locator(".vote-add").click()
    bo.locator(f'.outline-vote[data-vote-for="{digital}"] .vote-add').click()
    expect(bo_hours.locator(".vote-dots")).to_have_text("●●")
    expect(bo.locator(".votes-left")).to_have_text("2 röster kvar · högst 2 per sak")
    _settled(bo)
    bo.screenshot(path=str(screenshot_dir / "vote-phone.png"))
    expect(fac.locator(".facil-voted")).to_have_text("2 av 2 har röstat")
    expect(fac.locator(".facil-still-has")).to_have_text("Har röster kvar: Anna, Bo")
    fac.locator(".facil-still-has").scroll_into_view_if_needed()
    fac.screenshot(path=str(screenshot_dir / "vote-facilitator.png"))

    # Closing the ballot: a ranking for every participant, tied items sharing a rank.
    fac.locator('[data-action="toggle-voting"]').click()
    for page in (anna, bo):
        expect(page.locator(".phase-hint")).to_have_text("Röstningen är stängd. Se resultatet.")
        rows = page.locator(".results-panel .result")
        expect(rows).to_have_count(3)
        expect(rows.locator(".result-label")).to_have_text(
            ["Mötesplatser", "Öppettider", "Digital delaktighet"]
        )
        expect(rows.locator(".result-rank")).to_have_text(["1", "1", "3"])
        expect(rows.locator(".result-count")).to_have_text(["2 röster", "2 röster", "1 röst"])
        # Inside the screen, not under the toolbar or off the edge.
        box = page.locator(".results-panel").bounding_box()
        size = page.viewport_size
        assert box is not None and size is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], box
    # The phone's outline shows the votes too, after the ballot.
    expect(bo.locator(f'.outline-vote[data-vote-for="{hours}"] [data-tally-for]')).to_have_text(
        "2 röster"
    )
    anna.screenshot(path=str(screenshot_dir / "results-laptop.png"))
    bo.screenshot(path=str(screenshot_dir / "results-phone.png"))
    # It can be hidden and brought back.
    bo.locator(".results-hide").click()
    expect(bo.locator(".results-panel")).to_be_hidden()
    bo.locator(".results-show").click()
    expect(bo.locator(".results-panel")).to_be_visible()
    assert problems == []
    for page in (fac, anna, bo):
        page.context.close()
