"""The wall at 1920x1080 in real Chromium: every result of ten clusters on screen, the
lock and the phase in view, and a join panel that can be shrunk and hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import facilitator_post, new_board
from tests.support.browser import open_people
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

# Long titles on purpose: a result must wrap, not run off the wall.
TITLES = [
    "Mötesplats för alla åldrar",
    "Digital delaktighet och BankID-hjälp",
    "Läsfrämjande för barn och unga",
    "Meröppet och längre öppettider",
    "Tysta läsplatser",
    "Samarbete med skolan",
    "Kurser för seniorer",
    "Makerspace och skaparverkstad",
    "Flerspråkiga medier",
    "Lokaler som går att boka",
]


def _inside(box: dict[str, float] | None, width: int, height: int) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    )


def test_the_wall_shows_every_result_and_can_hide_the_join_panel(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(live_server.url, "Väggen", template="malbild-workshop", phase="cluster")
    problems: list[str] = []
    people = {"facilitator": (1440, 900), "wall": (1920, 1080)}
    fac, wall = open_people(browser, live_server.url, board, problems, people).values()
    ids: list[str] = fac.evaluate(
        """(titles) => {
          const { model, doc } = window.samsyn
          return titles.map((title, i) => {
            const at = { x: 100 + (i % 5) * 700, y: 3000 + Math.floor(i / 5) * 600 }
            const id = model.createCluster(doc, at)
            model.clusterTitle(doc, id).insert(0, title)
            return id
          })
        }""",
        TITLES,
    )
    key = {"Authorization": f"Bearer {board['facilitator_key']}"}
    api = f"{live_server.url}/api/boards/{board['id']}"
    with httpx.Client(headers=key, timeout=10) as client:
        assert client.post(f"{api}/phase", json={"name": "vote"}).status_code == 200
        assert client.post(f"{api}/voting", json={"budget": 60}).status_code == 200
        # Ten different tallies, 10 down to 1, from the facilitator's dots.
        for index, cid in enumerate(ids):
            for _ in range(10 - index):
                vote = client.post(f"{api}/votes", json={"target": cid, "delta": 1})
                assert vote.status_code == 200, vote.text
        assert client.post(f"{api}/voting", json={"open": False}).status_code == 200
        assert client.post(f"{api}/lock", json={"content": True}).status_code == 200

    results = wall.locator(".wall-results .result")
    expect(results).to_have_count(10)
    expect(results.locator(".result-label")).to_have_text(TITLES)
    for index in range(10):
        expect(results.nth(index)).to_be_visible()
        assert _inside(results.nth(index).bounding_box(), 1920, 1080), index
    expect(wall.locator(".wall-more")).to_be_hidden()
    # The phase and the lock are in view.
    expect(wall.locator("[data-phase-current]")).to_have_text("Röstning")
    expect(wall.locator(".wall-lock")).to_be_visible()
    assert _inside(wall.locator(".wall-lock").bounding_box(), 1920, 1080)
    wall.screenshot(path=str(screenshot_dir / "wall-results.png"))

    # Shrink, then hide the join panel: the code gets smaller, then goes; results stay.
    join = wall.locator(".wall-join")
    full = join.bounding_box()
    wall.locator('[data-action="wall-join"]').click()
    small = join.bounding_box()
    assert full is not None and small is not None
    assert small["height"] < full["height"] * 0.8, (full, small)
    wall.locator('[data-action="wall-join"]').click()
    expect(join).to_be_hidden()
    expect(results).to_have_count(10)
    for index in range(10):
        assert _inside(results.nth(index).bounding_box(), 1920, 1080), index
    wall.screenshot(path=str(screenshot_dir / "wall-no-join.png"))
    # Remembered on this projector.
    wall.reload()
    expect(wall.locator(".wall-results .result")).to_have_count(10)
    expect(wall.locator(".wall-join")).to_be_hidden()
    wall.locator('[data-action="wall-join"]').click()
    expect(wall.locator(".wall-join")).to_be_visible()
    expect(wall.locator('[data-action="wall-fullscreen"]')).to_have_text("Helskärm")
    assert problems == []
    for page in (fac, wall):
        page.context.close()


def test_without_results_a_hidden_join_panel_gives_the_board_the_width(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(live_server.url, "Tom vägg", template="malbild-workshop")
    problems: list[str] = []
    (wall,) = open_people(
        browser, live_server.url, board, problems, {"wall": (1920, 1080)}
    ).values()
    # The question put up shows on the wall (once the wall has the board's sections: it
    # may be connected a moment before the state arrives).
    wall.wait_for_function(
        "() => window.samsyn.model.outline(window.samsyn.doc).some((g) => g.section)",
        timeout=10_000,
    )
    section: dict[str, Any] = wall.evaluate(
        "() => window.samsyn.model.outline(window.samsyn.doc).find((g) => g.section).section"
    )
    facilitator_post(live_server.url, board, "/settings", {"question": section["id"]})
    expect(wall.locator(".wall-question")).to_have_text(section["title"])
    wall.screenshot(path=str(screenshot_dir / "wall-question.png"))
    viewport = wall.locator("[data-board-viewport]")
    before = viewport.bounding_box()
    wall.locator('[data-action="wall-join"]').click()
    wall.locator('[data-action="wall-join"]').click()
    expect(wall.locator(".wall-side")).to_be_hidden()
    after = viewport.bounding_box()
    assert before is not None and after is not None
    assert before["width"] < 1600 and after["width"] == 1920, (before, after)
    assert problems == []
    wall.context.close()
