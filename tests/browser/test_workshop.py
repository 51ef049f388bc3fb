"""One whole workshop round in four real Chromium pages: facilitator, two participants, wall.

Silent brainstorm -> reveal -> clustering -> dot voting with a secret ballot -> checkpoint,
and every screen shows the same phase, timer and results.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import WAIT_MS, axe_violations, open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser


ANNA = ("Fler mötesplatser för unga", "Kafé och soffor i entrén", "Tysta läsplatser")
BO = ("Öppet sent på fredagar", "Meröppet alla dagar", "Boka rum i appen")


def _current_phase(page: Any) -> Any:
    return page.locator('[aria-current="step"]')


def _write_drafts(page: Any, texts: tuple[str, ...]) -> None:
    # The toolbar's "Ny lapp" opens a private note in the silent brainstorm.
    page.locator('[data-action="add-note"]').click()
    for index, text in enumerate(texts):
        if index:
            page.locator(".drafts-add").click()
        field = page.locator(".draft-text").nth(index)
        expect(field).to_be_focused()
        page.keyboard.type(text)
    expect(page.locator(".draft-text")).to_have_count(len(texts))


def _group(page: Any, texts: tuple[str, ...], title: str) -> str:
    """Shift-click the notes, press G, name the new cluster; returns its id."""
    page.locator("[data-board-viewport]").focus()
    page.keyboard.press("Escape")
    for text in texts:
        page.locator(".note", has_text=text).click(modifiers=["Shift"])
    expect(page.locator(".note.selected")).to_have_count(len(texts))
    page.keyboard.press("g")
    field = page.locator(".cluster-title:focus")
    expect(field).to_have_count(1)
    field.fill(title)
    cluster = page.locator(".cluster", has=page.locator(".cluster-title:focus"))
    cluster_id: str = cluster.get_attribute("data-cluster-id") or ""
    page.keyboard.press("Escape")
    expect(page.locator(f'.cluster[data-cluster-id="{cluster_id}"]')).to_be_focused()
    return cluster_id


def _vote(page: Any, cluster_id: str, dots: int) -> None:
    chip = page.locator(f'.vote-chip[data-vote-for="{cluster_id}"]')
    for _ in range(dots):
        chip.locator(".vote-add").click()


def _seconds(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_whole_workshop_round_in_four_browsers(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    board = new_board(
        live_server.url, "Målbild 0.5 – Stadsbiblioteket", template="malbild-workshop"
    )
    problems: list[str] = []
    url = live_server.url

    fac = open_page(
        browser, urljoin(url, board["urls"]["facilitator"]), problems, "facilitator", (1440, 900)
    )
    anna = open_page(browser, urljoin(url, board["urls"]["join"]), problems, "Anna", (1280, 800))
    bo = open_page(browser, urljoin(url, board["urls"]["join"]), problems, "Bo", (1280, 800))
    wall = open_page(browser, urljoin(url, board["urls"]["wall"]), problems, "wall", (1920, 1080))
    pages = {"facilitator": fac, "Anna": anna, "Bo": bo, "wall": wall}

    # Everyone starts in the silent brainstorm; the wall shows how to join.
    for page in pages.values():
        expect(_current_phase(page)).to_have_text("Tyst brainstorm")
    code = board["join_code"]
    expect(wall.locator(".wall-code")).to_have_text(f"{code[:3]} {code[3:]}")
    expect(wall.locator(".wall-qr")).to_have_attribute("src", f"/b/{board['id']}/qr.svg")
    # Participants online, from the session doc: Anna and Bo (not the facilitator or wall).
    expect(wall.locator("[data-participant-count]")).to_have_attribute(
        "data-participant-count", "2"
    )

    # Private drafts: written in each person's own tray, counted for the facilitator.
    _write_drafts(anna, ANNA)
    _write_drafts(bo, BO)
    anna_id = anna.evaluate("window.samsyn.config.participant_id")
    bo_id = bo.evaluate("window.samsyn.config.participant_id")
    expect(fac.locator(f'[data-drafts-for="{anna_id}"]')).to_have_attribute("data-count", "3")
    expect(fac.locator(f'[data-drafts-for="{bo_id}"]')).to_have_text("3 privata lappar")
    for page in (fac, bo, wall):
        assert ANNA[0] not in page.content()
        expect(page.locator(".note")).to_have_count(0)
    assert BO[0] not in anna.content()

    # Reveal: every draft lands on the board, on every screen; the trays empty.
    fac.locator('[data-action="reveal"]').click()
    for page in pages.values():
        expect(page.locator(".note")).to_have_count(6)
        expect(page.locator(".note", has_text=ANNA[0])).to_have_count(1)
        expect(page.locator(".note", has_text=BO[2])).to_have_count(1)
    expect(anna.locator(".draft-text")).to_have_count(0)
    expect(fac.locator(f'[data-drafts-for="{anna_id}"]')).to_have_attribute("data-count", "0")

    # Clustering: the facilitator groups the notes into two named clusters.
    fac.locator('.phase-button[data-phase="cluster"]').click()
    for page in pages.values():
        expect(_current_phase(page)).to_have_text("Gruppering")
    meeting = _group(fac, ANNA, "Mötesplatser")
    hours = _group(fac, BO, "Öppettider")
    for _ in range(2):  # the second cluster, still selected, moves clear of the first
        fac.keyboard.press("Shift+ArrowRight")
    for page in pages.values():
        expect(page.locator(".cluster")).to_have_count(2)
        expect(page.locator(f'.cluster[data-cluster-id="{hours}"] .cluster-title')).to_have_value(
            "Öppettider"
        )

    # Voting: dots from the participants, a secret ballot until the facilitator closes it.
    fac.locator('.phase-button[data-phase="vote"]').click()
    for page in pages.values():
        expect(_current_phase(page)).to_have_text("Röstning")
    expect(anna.locator(".votes-left")).to_have_text("5 röster kvar")
    _vote(anna, meeting, 3)
    _vote(anna, hours, 2)
    _vote(bo, hours, 2)
    expect(anna.locator(".votes-left")).to_have_text("0 röster kvar")
    expect(anna.locator(f'.vote-chip[data-vote-for="{meeting}"] .vote-add')).to_be_disabled()
    expect(anna.locator(f'.vote-chip[data-vote-for="{meeting}"] .vote-dots')).to_have_text("●●●")
    expect(bo.locator(".votes-left")).to_have_text("3 röster kvar")
    for page in (anna, bo):
        page.wait_for_function(
            "() => window.samsyn.workshop.votes.state.pending === 0", timeout=WAIT_MS
        )
    for page in pages.values():
        expect(page.locator(".vote-tally:visible")).to_have_count(0)
    expect(fac.locator(".facil-voting .results .result")).to_have_count(0)
    expect(wall.locator(".wall-results")).to_be_hidden()

    fac.locator('[data-action="toggle-voting"]').click()
    for page in pages.values():
        expect(page.locator(f'[data-tally-for="{hours}"]')).to_have_text("4 röster")
        expect(page.locator(f'[data-tally-for="{meeting}"]')).to_have_text("3 röster")
        expect(page.locator(f'.vote-chip[data-vote-for="{hours}"]')).to_have_attribute(
            "data-rank", "1"
        )
    for page in (fac, wall):
        results = page.locator(".results .result")
        expect(results).to_have_count(2)
        expect(results.nth(0)).to_contain_text("Öppettider")
        expect(results.nth(0)).to_contain_text("4 röster")
        expect(results.nth(1)).to_contain_text("Mötesplatser")

    # A checkpoint for the next workshop in the journey.
    fac.locator("#checkpoint-name").fill("Målbild 0.5")
    fac.locator(".checkpoint-form button[type=submit]").click()
    expect(fac.locator(".checkpoint-name")).to_have_text(["Målbild 0.5"])

    # A five-minute timer: the same phase and the same time on every screen.
    fac.locator('[data-timer-minutes="5"]').click()
    texts = {}
    for page in pages.values():
        expect(page.locator(".timer-text")).to_have_text(re.compile(r"^0[45]:\d\d$"))
        expect(_current_phase(page)).to_have_text("Röstning")
    for who, page in pages.items():
        texts[who] = page.locator(".timer-text").inner_text()
    seconds = [_seconds(text) for text in texts.values()]
    assert max(seconds) - min(seconds) <= 1, texts
    assert all(285 <= s <= 300 for s in seconds), texts

    wall.screenshot(path=str(screenshot_dir / "wall.png"))

    # The facilitator panel, open, passes axe (no serious or critical WCAG A/AA issue).
    expect(fac.locator(".facil-panel")).to_be_visible()
    assert axe_violations(fac, serious_only=True) == []
    assert problems == []
    for page in pages.values():
        page.context.close()
