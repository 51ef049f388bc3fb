"""The målbild on every board: a participant's phone and the wall read it live, and in a
writing round participants write in the parts the facilitator opened."""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import axe_violations, open_page
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

PHONE = (390, 844)
SUMMARY = "Biblioteket är hela stadens vardagsrum."
DOCUMENT = {
    "library": "Stadsbiblioteket Norr",
    "summary": SUMMARY,
    "statements": [
        {"id": "meet", "theme": "Mötesplats", "text": "Biblioteket är en mötesplats"},
        {"id": "read", "theme": "Läslust", "text": "Biblioteket väcker läslust"},
    ],
    "questions": [{"id": "q1", "text": "Hur når vi de som inte kommer?"}],
}


def _board_with_vision(base_url: str) -> dict[str, Any]:
    board = new_board(base_url, "Målbild", template="malbild-workshop")
    headers = {"Authorization": f"Bearer {board['facilitator_key']}"}
    path = f"{base_url}/api/boards/{board['id']}/vision"
    with httpx.Client(headers=headers, timeout=10) as client:
        made = client.post(path, json={"library": DOCUMENT["library"]})
        assert made.status_code == 201, made.text
        saved = client.put(path, json={"rev": made.json()["rev"], "vision": DOCUMENT})
        assert saved.status_code == 200, saved.text
    return board


def _open_drawer(page: Any) -> Any:
    page.locator("[data-vision-open]").click()
    drawer = page.locator("[data-vision-body]")
    expect(drawer).to_be_visible()
    return drawer


def test_a_participant_on_a_phone_reads_the_vision_and_sees_a_save_live(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = _board_with_vision(live_server.url)
    problems: list[str] = []
    links = board["urls"]
    ada = open_page(browser, urljoin(live_server.url, links["join"]), problems, "Ada", PHONE)
    # The button is on the phone's screen, not pushed out of it by the header.
    button = ada.locator("[data-vision-open]").bounding_box()
    assert button is not None and button["x"] >= 0, button
    assert button["x"] + button["width"] <= PHONE[0], button
    ada.screenshot(path=str(screenshot_dir / "vision-button-phone.png"))
    drawer = _open_drawer(ada)
    meet = drawer.locator('[data-part="statement:meet"]')
    expect(meet.locator("h4")).to_have_text("Mötesplats")
    expect(meet.locator("blockquote")).to_have_text("Biblioteket är en mötesplats")
    expect(drawer.locator('[data-part="statement:read"] blockquote')).to_have_text(
        "Biblioteket väcker läslust"
    )
    expect(drawer.locator('[data-part="summary"] .vision-text')).to_have_text(SUMMARY)
    # Read only outside a round: no field to write in.
    expect(drawer.locator("textarea")).to_have_count(0)
    # On a phone the drawer is the whole width of the screen.
    box = ada.locator("#samsyn-vision-drawer").bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == PHONE[0], box

    # The facilitator rewords a statement on the målbild page and saves.
    facilitator = open_page(
        browser, urljoin(live_server.url, links["facilitator"]), problems, "facilitator"
    )
    facilitator.locator("[data-vision-link]").click()
    statement = facilitator.locator(
        '.vision-statement[data-statement-id="meet"] [data-field="text"]'
    )
    expect(statement).to_have_value("Biblioteket är en mötesplats")
    statement.fill("Biblioteket är en mötesplats för alla")
    facilitator.locator('[data-action="save-vision"]').first.click()
    expect(facilitator.locator("[data-vision-status]")).to_have_text("Sparat.")
    # The phone shows it without a reload.
    expect(meet.locator("blockquote")).to_have_text("Biblioteket är en mötesplats för alla")
    ada.screenshot(path=str(screenshot_dir / "vision-drawer-phone.png"))

    # The wall shows the same document, large.
    wall = open_page(browser, urljoin(live_server.url, links["wall"]), problems, "wall")
    wall_drawer = _open_drawer(wall)
    expect(wall_drawer.locator('[data-part="statement:meet"] blockquote')).to_have_text(
        "Biblioteket är en mötesplats för alla"
    )
    wall.screenshot(path=str(screenshot_dir / "vision-drawer-wall.png"))
    assert problems == []
    for page in (ada, facilitator, wall):
        page.context.close()


def test_in_a_round_participants_write_the_opened_parts_and_keep_both_texts(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = _board_with_vision(live_server.url)
    problems: list[str] = []
    links = board["urls"]
    facilitator = open_page(
        browser, urljoin(live_server.url, links["facilitator"]), problems, "facilitator"
    )
    ada = open_page(browser, urljoin(live_server.url, links["join"]), problems, "Ada", PHONE)
    bo = open_page(browser, urljoin(live_server.url, links["join"]), problems, "Bo", PHONE)
    ada_drawer, bo_drawer = _open_drawer(ada), _open_drawer(bo)
    expect(ada_drawer.locator('[data-part="questions"] li')).to_have_text(
        ["Hur når vi de som inte kommer?"]
    )

    # The facilitator opens the open questions and the summary, from the board.
    drawer = _open_drawer(facilitator)
    drawer.locator('[data-open-part="questions"]').check()
    expect(ada.locator('[data-vision-open][data-round="open"]')).to_be_visible()
    drawer.locator('[data-open-part="summary"]').check()
    expect(ada_drawer.locator('[data-part="summary"] textarea')).to_have_value(SUMMARY)
    # Parts not opened stay read only.
    expect(ada_drawer.locator('[data-part="statement:meet"] textarea')).to_have_count(0)
    expect(ada_drawer.locator('[data-part="statement:meet"] blockquote')).to_have_text(
        "Biblioteket är en mötesplats"
    )

    # Ada adds an open question; the facilitator's drawer shows it without a reload.
    new_question = ada_drawer.locator('[data-editor="questions|"] textarea')
    new_question.fill("Vad behöver personalen lära sig?")
    ada_drawer.locator('[data-editor="questions|"] [data-action="save-part"]').click()
    expect(drawer.locator('[data-part="questions"] li')).to_have_text(
        ["Hur når vi de som inte kommer?", "Vad behöver personalen lära sig?"]
    )
    ada.screenshot(path=str(screenshot_dir / "vision-round-phone.png"))
    # The drawer with its fields passes the live board's accessibility bar.
    assert axe_violations(ada, serious_only=True) == []

    # Bo starts on the summary, Ada saves hers first: Bo's save gets both texts to merge.
    bo_summary = bo_drawer.locator('[data-part="summary"] textarea')
    bo_summary.fill(f"{SUMMARY} Med digitala tjänster.")
    ada_summary = ada_drawer.locator('[data-part="summary"] textarea')
    ada_summary.fill(f"{SUMMARY} Öppet för alla.")
    ada_drawer.locator('[data-part="summary"] [data-action="save-part"]').click()
    expect(drawer.locator('[data-part="summary"] .vision-text')).to_have_text(
        f"{SUMMARY} Öppet för alla."
    )
    # Bo's unsaved words survived the reload that Ada's save caused.
    expect(bo_summary).to_have_value(f"{SUMMARY} Med digitala tjänster.")
    bo_drawer.locator('[data-part="summary"] [data-action="save-part"]').click()
    expect(bo_drawer.locator('[data-part="summary"] .vision-editor-status')).to_have_text(
        re.compile("Någon sparade samtidigt")
    )
    expect(bo_summary).to_have_value(
        f"{SUMMARY} Öppet för alla.\n\n{SUMMARY} Med digitala tjänster."
    )
    bo.screenshot(path=str(screenshot_dir / "vision-round-merge.png"))
    bo_summary.fill(f"{SUMMARY} Öppet för alla, med digitala tjänster.")
    bo_drawer.locator('[data-part="summary"] [data-action="save-part"]').click()
    expect(drawer.locator('[data-part="summary"] .vision-text')).to_have_text(
        f"{SUMMARY} Öppet för alla, med digitala tjänster."
    )
    expect(ada_drawer.locator('[data-part="summary"] textarea')).to_have_value(
        f"{SUMMARY} Öppet för alla, med digitala tjänster."
    )

    # Closed again: the participants' fields go away.
    drawer.locator('[data-open-part="summary"]').uncheck()
    drawer.locator('[data-open-part="questions"]').uncheck()
    expect(ada_drawer.locator("textarea")).to_have_count(0)
    expect(ada.locator('[data-vision-open][data-round="open"]')).to_have_count(0)
    facilitator.screenshot(path=str(screenshot_dir / "vision-drawer-facilitator.png"))
    assert problems == []
    for page in (facilitator, ada, bo):
        page.context.close()


def _png(width: int = 120, height: int = 40) -> bytes:
    """A real PNG (blue), made here so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x0b\x5c\xad" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_the_facilitator_uploads_the_logo_and_a_wrong_file_is_refused(
    live_server: ServerProcess, browser: Any, screenshot_dir: Any
) -> None:
    board = _board_with_vision(live_server.url)
    problems: list[str] = []
    page = open_page(
        browser, urljoin(live_server.url, board["urls"]["facilitator"]), problems, "facilitator"
    )
    page.locator("[data-vision-link]").click()
    status = page.locator("[data-vision-status]")
    logo = page.locator("[data-logo]")
    expect(logo.locator("p.vision-sources")).to_have_text("Ingen logotyp ännu.")
    expect(logo.locator('[data-action="remove-logo"]')).to_be_hidden()

    page.set_input_files(
        "#vision-logo-file",
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"not an image"}],
    )
    logo.locator('[data-action="upload-logo"]').click()
    expect(status).to_have_text("Logotypen måste vara en PNG- eller JPEG-bild.")
    big = _png() + b"\x00" * (600 * 1024)
    page.set_input_files(
        "#vision-logo-file", files=[{"name": "big.png", "mimeType": "image/png", "buffer": big}]
    )
    logo.locator('[data-action="upload-logo"]').click()
    expect(status).to_have_text(re.compile("högst 512 KiB"))
    expect(logo.locator("img")).to_be_hidden()

    page.set_input_files(
        "#vision-logo-file",
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}],
    )
    logo.locator('[data-action="upload-logo"]').click()
    expect(status).to_have_text("Logotypen är sparad.")
    preview = logo.locator("img")
    expect(preview).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('.vision-logo-preview').naturalWidth === 120"
    )
    logo.screenshot(path=str(screenshot_dir / "vision-logo.png"))
    # Reloaded, the page still has it; removed, it is gone.
    page.reload()
    expect(page.locator("[data-logo] img")).to_be_visible()
    page.locator('[data-logo] [data-action="remove-logo"]').click()
    expect(status).to_have_text("Logotypen är borttagen.")
    expect(page.locator("[data-logo] img")).to_be_hidden()
    assert problems == []
    page.context.close()


def test_the_facilitators_page_shows_a_participants_save_and_keeps_unsaved_typing(
    live_server: ServerProcess, browser: Any
) -> None:
    board = _board_with_vision(live_server.url)
    problems: list[str] = []
    page = open_page(
        browser, urljoin(live_server.url, board["urls"]["facilitator"]), problems, "facilitator"
    )
    page.locator("[data-vision-link]").click()
    summary = page.locator('[data-field="summary"]')
    expect(summary).to_have_value(SUMMARY)
    key = {"Authorization": f"Bearer {board['facilitator_key']}"}
    base = f"{live_server.url}/api/boards/{board['id']}"
    joined = httpx.post(
        f"{base}/participants", json={"name": "Ada", "join_code": board["join_code"]}, timeout=10
    ).json()
    ada = {"Authorization": f"Bearer {joined['token']}"}
    opened = httpx.post(
        f"{base}/vision/round", json={"open": True, "parts": ["summary"]}, headers=key, timeout=10
    )
    assert opened.status_code == 200, opened.text

    def save(base_text: str, text: str) -> None:
        body = {"part": "summary", "base": base_text, "text": text}
        reply = httpx.put(f"{base}/vision/part", json=body, headers=ada, timeout=10)
        assert reply.status_code == 200, reply.text

    # Ada saves the summary: the facilitator's page shows it without a reload.
    save(SUMMARY, f"{SUMMARY} Öppet för alla.")
    expect(summary).to_have_value(f"{SUMMARY} Öppet för alla.")
    # With unsaved typing on the page, the next save is announced and the typing kept.
    purpose = page.locator('[data-field="purpose"]')
    purpose.fill("Vårt syfte")
    save(f"{SUMMARY} Öppet för alla.", f"{SUMMARY} Öppet för alla, varje dag.")
    expect(page.locator("[data-vision-status]")).to_have_text(re.compile("medan du skrev"))
    expect(purpose).to_have_value("Vårt syfte")
    expect(summary).to_have_value(f"{SUMMARY} Öppet för alla.")
    assert problems == []
    page.context.close()
