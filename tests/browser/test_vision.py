"""The målbild in the browser: statements written together on the board."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context().new_page()
    page.goto(url)
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    return page


def test_two_people_typing_in_one_statement_keep_both_texts(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = new_board(live_server.url, "Målbild", phase="discuss")
    url = urljoin(live_server.url, board["urls"]["facilitator"])
    page_a, page_b = _open(browser, url), _open(browser, url)
    page_a.locator('[data-action="add-cluster"]').click()
    page_a.keyboard.type("Mötesplats")
    page_a.keyboard.press("Enter")
    statement_a = page_a.locator(".cluster-statement")
    statement_b = page_b.locator(".cluster-statement")
    # In the discuss phase every cluster shows its statement field, empty or not.
    expect(statement_b).to_be_visible()
    statement_a.click()
    page_a.keyboard.type("Biblioteket är")
    expect(statement_b).to_have_value("Biblioteket är")
    statement_b.click()
    page_b.keyboard.press("End")
    # Both carets are at the end; each person types without waiting for the other.
    page_a.keyboard.type(" en mötesplats")
    page_b.keyboard.type(" för alla")
    page_a.keyboard.type("!")
    full = len("Biblioteket är en mötesplats för alla!")
    expect(statement_a).to_have_value(re.compile(rf"^.{{{full}}}$"))
    value = statement_a.input_value()
    expect(statement_b).to_have_value(value)
    assert value.startswith("Biblioteket är"), value
    assert " en mötesplats!" in value, value
    assert " för alla" in value, value
    # The cluster's title was not touched by the statement's typing.
    expect(page_b.locator(".cluster-title")).to_have_value("Mötesplats")
    page_b.screenshot(path=str(screenshot_dir / "statement-on-board.png"))
    for page in (page_a, page_b):
        page.context.close()


def test_a_facilitator_takes_the_vision_from_05_to_10_in_the_browser(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = new_board(live_server.url, "Stadsbiblioteket", phase="discuss")
    page = _open(browser, urljoin(live_server.url, board["urls"]["facilitator"]))
    page.locator('[data-action="add-cluster"]').click()
    page.keyboard.type("Mötesplats")
    page.keyboard.press("Enter")
    page.locator(".cluster-statement").click()
    page.keyboard.type("Biblioteket är en mötesplats")
    page.locator("[data-vision-link]").click()
    expect(page.locator("h1")).to_have_text("Målbilden")
    page.locator("#vision-library-new").fill("Stadsbiblioteket Norr")
    page.locator('[data-action="create-vision"]').click()
    statement = page.locator('.vision-statement [data-field="text"]')
    expect(statement).to_have_value("Biblioteket är en mötesplats")
    page.locator("#vision-version-name").fill("0.5")
    page.locator('[data-action="save-version"]').click()
    expect(page.locator("[data-vision-status]")).to_have_text("Version 0.5 sparad.")

    statement.fill("Biblioteket är en mötesplats för alla")
    page.locator('[data-action="add-action"]').click()
    page.locator('.vision-plan [data-field="title"]').fill("Öppna entrén")
    page.locator('.vision-plan [data-field="owner"]').fill("Eva Lund")
    page.locator('.vision-plan [data-field="statement"]').select_option(label="Mötesplats")
    page.locator("#vision-version-name").fill("1.0")
    page.locator('[data-action="save-version"]').click()
    expect(page.locator("[data-vision-status]")).to_have_text("Version 1.0 sparad.")

    page.locator("#compare-from").select_option("0.5")
    page.locator("#compare-to").select_option("1.0")
    page.locator('[data-action="compare"]').click()
    change = page.locator('.vision-change[data-kind="reworded"]')
    expect(change).to_contain_text(
        "Omformulerat: ”Biblioteket är en mötesplats” blev ”Biblioteket är en mötesplats för alla”"
    )
    page.screenshot(path=str(screenshot_dir / "vision-page.png"), full_page=True)

    # Reloaded, the page shows what was saved, in English too.
    page.goto(urljoin(live_server.url, f"/b/{board['id']}/vision?lang=en"))
    expect(page.locator("h1")).to_have_text("The vision")
    expect(page.locator('.vision-plan [data-field="owner"]')).to_have_value("Eva Lund")
    page.context.close()


def test_a_guest_comments_without_an_account_and_the_facilitator_sees_it(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = new_board(live_server.url, "Stadsbiblioteket")
    auth = {"Authorization": f"Bearer {board['facilitator_key']}"}
    api = f"{live_server.url}/api/boards/{board['id']}/vision"
    with httpx.Client(timeout=10, headers=auth) as client:
        made = client.post(api, json={"library": "Stadsbiblioteket Norr"}).json()
        made["vision"]["statements"] = [
            {"id": "s1", "theme": "Mötesplats", "text": "Biblioteket är en mötesplats för alla"}
        ]
        saved = client.put(api, json={"rev": made["rev"], "vision": made["vision"]})
        assert saved.status_code == 200, saved.text
        link = client.post(f"{api}/comments").json()["url"]
    guest = browser.new_context().new_page()
    guest.goto(link)
    card = guest.locator(".vision-statement-card")
    expect(card.locator("blockquote")).to_have_text("Biblioteket är en mötesplats för alla")
    card.get_by_label("Otydligt", exact=True).check()
    card.locator("textarea").fill("Vad menas med alla?")
    card.get_by_role("button", name="Skicka").click()
    expect(guest.locator(".form-ok")).to_have_text("Tack! Din reaktion är sparad.")
    guest.screenshot(path=str(screenshot_dir / "comment-round.png"), full_page=True)
    guest.context.close()

    page = browser.new_context().new_page()
    page.goto(urljoin(live_server.url, board["urls"]["facilitator"]))
    page.goto(urljoin(live_server.url, f"/b/{board['id']}/vision"))
    reactions = page.locator('[data-reactions="s1"]')
    expect(reactions).to_contain_text("Otydligt: 1")
    expect(reactions).to_contain_text("Vad menas med alla?")
    page.context.close()
