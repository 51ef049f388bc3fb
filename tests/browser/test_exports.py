"""The HTML export in real Chromium: the headings a reader sees, hostile text as text."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.support import ROOT
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script> **fet** =SUM(A1)"


def _board_with_hostile_note(server: ServerProcess) -> dict[str, Any]:
    """The demo workshop imported, plus a hostile note pasted into its first section."""
    demo = (ROOT / "docs" / "malbild-demo.json").read_bytes()
    response = httpx.post(f"{server.url}/api/boards/import", content=demo, timeout=30)
    assert response.status_code == 201, response.text
    board: dict[str, Any] = response.json()
    section = json.loads(demo)["sections"][0]["id"]
    pasted = httpx.post(
        f"{server.url}/api/boards/{board['id']}/notes/bulk",
        json={"section": section, "lines": [HOSTILE]},
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=30,
    )
    assert pasted.status_code == 201, pasted.text
    return board


def test_html_export_reads_well_in_chromium(live_server: ServerProcess, browser: Any) -> None:
    board = _board_with_hostile_note(live_server)
    problems: list[str] = []
    page = browser.new_page()
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    url = f"{live_server.url}/b/{board['id']}/export.html?token={board['facilitator_key']}"
    response = page.goto(url)
    assert response is not None and response.status == 200

    expect(page.locator("h1")).to_have_text("Målbild 0.5 — Stadsbiblioteket Norrköping, dag 1–2")
    h2 = page.locator("h2").all_inner_texts()
    assert h2[:2] == ["Utkast till målbild", "Avsnitt för avsnitt"] and "Sparade lägen" in h2
    # The draft vision: an ordered list of the eight clusters, the most voted first.
    vision = page.locator("ol.vision > li > .cluster-title").all_inner_texts()
    assert len(vision) == 8
    assert vision[0].strip() == "Biblioteket som demokratins vardagsrum"
    assert vision[7].strip() == "Barn och unga först"
    # Then the board section by section, in template order.
    assert page.locator("h3").all_inner_texts()[:2] == [
        "Det digitala samhället och bibliotekets omvärld",
        "Kunder, intressenter och medarbetare",
    ]

    # The hostile note is shown as the text it is, and nothing in it ran.
    expect(page.get_by_text(HOSTILE, exact=True)).to_be_visible()
    assert page.locator("img, script").count() == 0
    assert problems == []

    # Print to PDF works from the page: A4, several pages.
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) > 1
    page.close()
