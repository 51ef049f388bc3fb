"""The plan on a board in Chromium: the facilitator sees the målbild's actions as cards in
three status sections, drags one to Klar, and the målbild page's plan says it is done."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

ACTIONS = [
    {
        "id": "a1",
        "title": "Öppna entrén",
        "owner": "Eva Lund",
        "due": "2027-03-01",
        "status": "planned",
        "statement": "s1",
    },
    {
        "id": "a2",
        "title": "Kurser i e-legitimation",
        "owner": "Omar Said",
        "due": "",
        "status": "ongoing",
        "statement": None,
    },
    {
        "id": "a3",
        "title": "Nya soffor",
        "owner": "Kim",
        "due": "2026-11-30",
        "status": "done",
        "statement": None,
    },
]


def _plan_board(base_url: str) -> dict[str, Any]:
    board = new_board(base_url, "Planen för biblioteket", template="malbild-plan")
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as api:
        created = api.post(f"/api/boards/{board['id']}/vision", json={})
        assert created.status_code == 201, created.text
        vision = {
            **created.json()["vision"],
            "statements": [
                {"id": "s1", "theme": "Mötesplats", "text": "Biblioteket är en mötesplats"}
            ],
            "actions": ACTIONS,
        }
        saved = api.put(
            f"/api/boards/{board['id']}/vision",
            json={"rev": created.json()["rev"], "vision": vision},
        )
        assert saved.status_code == 200, saved.text
    return board


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] <= inner["x"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_the_facilitator_drags_a_card_to_done_and_the_plan_says_so(
    live_server: ServerProcess, browser: Any, tmp_path: Any
) -> None:
    board = _plan_board(live_server.url)
    problems: list[str] = []
    page = open_page(
        browser,
        urljoin(live_server.url, board["urls"]["facilitator"]),
        problems,
        "facilitator",
        (1600, 1000),
    )
    cards = page.locator(".note.plan-card")
    expect(cards).to_have_count(3)
    # Close up (88 %), panned to Planerad and Pågår: what a card shows.
    page.get_by_role("button", name="Ledarpanel").click()
    page.mouse.move(800, 500)
    page.mouse.wheel(1000, 0)
    expect(page.locator(".note-plan-who").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "plan-cards.png"))

    # Editing the card: its owner and date are fields under its title.
    card_a1 = page.locator('.note[data-plan-action="a1"]')
    card_a1.click()
    owner = card_a1.locator('[data-plan-field="owner"]')
    expect(owner).to_have_value("Eva Lund")
    expect(card_a1.locator('[data-plan-field="due"]')).to_have_value("2027-03-01")
    owner.fill("Lina Berg")
    page.screenshot(path=str(tmp_path / "plan-card-editing.png"))
    owner.press("Enter")
    expect(card_a1.locator(".note-plan-editor")).to_have_count(0)
    expect(card_a1.locator(".note-plan-who")).to_have_text("Lina Berg · 2027-03-01")
    # The whole board in view.
    page.get_by_role("button", name="Visa allt").click()
    sections = {
        title: page.locator(".board-section", has=page.locator(".section-title", has_text=title))
        for title in ("Planerad", "Pågår", "Klar")
    }
    card = {a["id"]: page.locator(f'.note[data-plan-action="{a["id"]}"]') for a in ACTIONS}
    expect(card["a1"].locator(".note-text")).to_have_text("Öppna entrén")
    expect(card["a1"].locator(".note-plan-who")).to_have_text("Lina Berg · 2027-03-01")
    expect(card["a1"].locator(".note-plan-serves")).to_have_text("→ Biblioteket är en mötesplats")
    expect(card["a2"].locator(".note-plan-who")).to_have_text("Omar Said · inget datum")
    for aid, title in (("a1", "Planerad"), ("a2", "Pågår"), ("a3", "Klar")):
        box, area = card[aid].bounding_box(), sections[title].bounding_box()
        assert box is not None and area is not None
        assert _inside(box, area), (aid, title, box, area)
    page.screenshot(path=str(tmp_path / "plan-board.png"))

    # Drag "Öppna entrén" from Planerad into Klar.
    box, target = card["a1"].bounding_box(), sections["Klar"].bounding_box()
    assert box is not None and target is not None
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    end_x, end_y = target["x"] + target["width"] * 0.7, target["y"] + target["height"] * 0.6
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move((start_x + end_x) / 2, (start_y + end_y) / 2, steps=8)
    page.mouse.move(end_x, end_y, steps=8)
    page.mouse.up()
    moved = card["a1"].bounding_box()
    assert moved is not None and _inside(moved, target), (moved, target)
    page.screenshot(path=str(tmp_path / "plan-board-moved.png"))

    # The målbild page's plan list shows it done (the server wrote the move back).
    vision_page = page.context.new_page()
    row = vision_page.locator(".vision-plan tbody tr").first
    row_status = row.locator('[data-field="status"]')
    for _ in range(20):
        vision_page.goto(f"{live_server.url}/b/{board['id']}/vision")
        expect(vision_page.locator('.vision-plan [data-field="title"]')).to_have_count(3)
        if row_status.input_value() == "done":
            break
        vision_page.wait_for_timeout(250)
    expect(row.locator('[data-field="title"]')).to_have_value("Öppna entrén")
    expect(row.locator('[data-field="owner"]')).to_have_value("Lina Berg")
    expect(row_status).to_have_value("done")
    expect(row_status.locator("option:checked")).to_have_text("Klar")
    vision_page.locator(".vision-plan").screenshot(path=str(tmp_path / "plan-list.png"))
    assert problems == []


def test_show_the_plan_on_an_english_board_from_the_panel(
    live_server: ServerProcess, browser: Any, tmp_path: Any
) -> None:
    board = new_board(live_server.url, "Library workshop", language="en")
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=10) as api:
        created = api.post(f"/api/boards/{board['id']}/vision", json={})
        assert created.status_code == 201, created.text
        vision = {**created.json()["vision"], "actions": ACTIONS[1:]}
        saved = api.put(
            f"/api/boards/{board['id']}/vision",
            json={"rev": created.json()["rev"], "vision": vision},
        )
        assert saved.status_code == 200, saved.text
    problems: list[str] = []
    page = open_page(
        browser,
        urljoin(live_server.url, board["urls"]["facilitator"]),
        problems,
        "facilitator",
        (1600, 1000),
    )
    toggle = page.locator('[data-action="toggle-plan"]')
    expect(toggle).to_have_text("Show the plan on the board")
    toggle.click()
    expect(page.locator(".facil-status")).to_have_text("The plan is shown: 2 actions.")
    expect(toggle).to_have_text("Take the plan off the board")
    expect(page.locator(".board-section .section-title")).to_have_text(
        ["Planned", "Ongoing", "Done"]
    )
    card = page.locator('.note[data-plan-action="a2"]')
    expect(card.locator(".note-plan-who")).to_have_text("Omar Said · no date")
    expect(card).to_have_attribute(
        "aria-label", "Action: Kurser i e-legitimation – Omar Said · no date – no statement"
    )
    page.screenshot(path=str(tmp_path / "plan-english.png"))
    toggle.click()
    expect(page.locator(".note.plan-card")).to_have_count(0)
    expect(page.locator(".board-section")).to_have_count(0)
    expect(toggle).to_have_text("Show the plan on the board")
    assert problems == []
