"""Browsers on two processes behind nginx edit one board; killing a process loses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import open_page
from tests.support.cluster import running_cluster
from tests.support.services import RedisServer, nginx_in_front

pytestmark = pytest.mark.browser


def _add_note(page: Any, text: str) -> str:
    before = page.locator(".note").count()
    page.locator('[data-action="add-note"]').click()
    expect(page.locator(".note")).to_have_count(before + 1)
    page.keyboard.type(text)
    page.keyboard.press("Escape")
    note = page.locator(".note", has_text=text)
    note_id: str = note.get_attribute("data-note-id")
    return note_id


def test_browsers_on_two_processes_edit_together_and_survive_a_kill(
    tmp_path: Path, pg_url: str, redis_server: RedisServer, browser: Any
) -> None:
    with (
        running_cluster(tmp_path, pg_url, redis_server, 2) as nodes,
        nginx_in_front([n.port for n in nodes]) as proxy,
    ):
        board = new_board(proxy.url, "Målbild 0.5 – Regionen", phase="cluster")
        problems: list[str] = []
        # A through nginx; B straight on the process that nginx did not pick for A.
        page_a = open_page(
            browser, urljoin(proxy.url, board["urls"]["facilitator"]), problems, "facilitator"
        )
        host = next(n for n in nodes if f"/ws/{board['id']}" in n.log.read_text())
        other = next(n for n in nodes if n is not host)
        page_b = open_page(browser, urljoin(other.url, board["urls"]["join"]), problems, "Björn")
        for page in (page_a, page_b):
            expect(page.locator("[data-presence-count]")).to_have_attribute(
                "data-presence-count", "2"
            )
        first = _add_note(page_a, "Idé från A")
        expect(page_b.locator(f'.note[data-note-id="{first}"] .note-text')).to_have_text(
            "Idé från A"
        )
        second = _add_note(page_b, "Svar från B")
        expect(page_a.locator(f'.note[data-note-id="{second}"] .note-text')).to_have_text(
            "Svar från B"
        )
        assert problems == []

        # A's process dies: A reconnects through nginx to B's process and goes on.
        host.kill()
        expect(page_a.locator("[data-connection-state]")).to_have_attribute(
            "data-connection-state", "connected"
        )
        third = _add_note(page_a, "Efter kraschen")
        expect(page_b.locator(f'.note[data-note-id="{third}"] .note-text')).to_have_text(
            "Efter kraschen"
        )
        for page in (page_a, page_b):
            expect(page.locator(".note")).to_have_count(2 + 1)
        for page in (page_a, page_b):
            page.context.close()
