"""Access that cannot be lost, in real Chromium: every link the panel shows opens the
board in a fresh browser (no cookies), the co-facilitator link stops when revoked, and
"Mina tavlor" keeps the board even when the cookies are gone."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.boards import new_board
from tests.support.browser import watch
from tests.support.library import make_library, signed_in
from tests.support.servers import ServerProcess, free_port

pytestmark = pytest.mark.browser


def _fresh(browser: Any, problems: list[str], who: str) -> Any:
    """A page in a browser context of its own: no cookies, no localStorage."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page = context.new_page()
    watch(page, problems, who)
    return page


def _role(page: Any) -> str:
    config = json.loads(page.locator("#samsyn-config").text_content())
    role: str = config["role"]
    return role


def _connected(page: Any) -> None:
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )


def _panel_links(page: Any) -> tuple[str, str]:
    panel = page.locator("#samsyn-facil-panel")
    expect(panel.locator("[data-access-state]")).to_have_attribute("data-access-state", "ready")
    expect(panel.locator(".access-keep")).to_be_visible()
    own = panel.locator('[data-access="own"]').input_value()
    wall = panel.locator('[data-access="wall"]').input_value()
    return own, wall


def _facilitator(
    browser: Any, server: ServerProcess, problems: list[str], title: str
) -> tuple[Any, str, str, str]:
    """A fresh browser makes a board from the home page's form, as a facilitator does:
    its page, the board id, and the facilitator and wall links its panel shows."""
    page = _fresh(browser, problems, "facilitator")
    page.goto(server.url)
    page.get_by_label("Namn på tavlan").fill(title)
    page.locator("form[action='/'] button[type=submit]").click()
    expect(page.locator("#samsyn-facil-panel")).to_be_visible()
    board_id: str = page.url.rsplit("/", 1)[1]
    return (page, board_id, *_panel_links(page))


def test_panel_links_open_the_board_in_fresh_browsers(
    live_server: ServerProcess, browser: Any
) -> None:
    problems: list[str] = []
    facilitator, board_id, own, wall = _facilitator(browser, live_server, problems, "Målbild")
    assert own.startswith(f"{live_server.url}/b/{board_id}?key=")
    assert wall.startswith(f"{live_server.url}/b/{board_id}/wall?key=")
    qr = facilitator.locator(".access-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")

    # The facilitator on a new PC: the link alone brings back the board and the panel.
    new_pc = _fresh(browser, problems, "new pc")
    new_pc.goto(own)
    expect(new_pc).to_have_url(f"{live_server.url}/b/{board_id}")
    expect(new_pc.locator("#samsyn-facil-panel")).to_be_visible()
    _connected(new_pc)
    assert _role(new_pc) == "facilitator"

    # The projector's PC: the wall link opens the wall; without it, a page that says how.
    projector = _fresh(browser, problems, "projector")
    projector.goto(f"{live_server.url}/b/{board_id}/wall")
    expect(projector.locator("main")).to_contain_text("väggens länk under ”Behåll åtkomsten”")
    projector.goto(wall)
    expect(projector).to_have_url(f"{live_server.url}/b/{board_id}/wall")
    _connected(projector)
    assert _role(projector) == "wall"
    assert problems == []


def test_cofacilitator_link_works_until_revoked(live_server: ServerProcess, browser: Any) -> None:
    problems: list[str] = []
    facilitator, board_id, _, _ = _facilitator(browser, live_server, problems, "Personalmöte")
    panel = facilitator.locator("#samsyn-facil-panel")
    panel.locator('[data-action="issue-cofacilitator"]').click()
    co_field = panel.locator('[data-access="cofacilitator"]')
    expect(co_field).to_be_visible()
    co_link = co_field.input_value()
    assert co_link.startswith(f"{live_server.url}/b/{board_id}?key=")

    colleague = _fresh(browser, problems, "co-facilitator")
    colleague.goto(co_link)
    expect(colleague).to_have_url(f"{live_server.url}/b/{board_id}")
    _connected(colleague)
    co_panel = colleague.locator("#samsyn-facil-panel")
    own, _ = _panel_links(colleague)
    assert own == co_link
    expect(co_panel.locator('[data-action="issue-cofacilitator"]')).to_have_count(0)
    # The co-facilitator runs the workshop: the facilitator sees the phase change.
    co_panel.locator('[data-phase="cluster"]').click()
    expect(panel.locator('[data-phase="cluster"]')).to_have_attribute("aria-pressed", "true")

    # The link survives the facilitator's reload, then is revoked.
    facilitator.reload()
    expect(panel.locator('[data-access="cofacilitator"]')).to_have_value(co_link)
    panel.locator('[data-action="revoke-cofacilitator"]').click()
    expect(panel.locator("[data-co-active]")).to_have_attribute("data-co-active", "false")
    late = _fresh(browser, problems, "late")
    response = late.goto(co_link)
    assert response is not None and response.status == 401
    expect(late.locator("main")).to_contain_text("Länken för workshopledare är fel eller gammal")
    reloaded = colleague.reload()
    assert reloaded is not None and reloaded.status == 401
    assert problems == []


def test_my_boards_keeps_the_board_after_reload_and_without_cookies(
    live_server: ServerProcess, browser: Any
) -> None:
    problems: list[str] = []
    # The panel has shown the links, so it has remembered the board and its link.
    page, board_id, _, _ = _facilitator(browser, live_server, problems, "Stadsbibliotekets målbild")
    page.goto(live_server.url)
    mine = page.locator("[data-my-boards]")
    expect(mine).to_be_visible()
    expect(mine.locator(f'[data-board-id="{board_id}"]')).to_have_text("Stadsbibliotekets målbild")
    page.reload()
    expect(mine.locator(f'[data-board-id="{board_id}"]')).to_have_count(1)

    # Cookies cleared (or expired): the remembered link still opens the board as its own.
    page.context.clear_cookies()
    page.reload()
    entry = mine.locator(f'[data-board-id="{board_id}"] a')
    expect(entry).to_have_text("Stadsbibliotekets målbild")
    entry.click()
    expect(page).to_have_url(f"{live_server.url}/b/{board_id}")
    expect(page.locator("#samsyn-facil-panel")).to_be_visible()
    _connected(page)
    assert problems == []


class _AttackerPage(http.server.BaseHTTPRequestHandler):
    """A page on another port of the same host, which makes the facilitator's browser
    close their board with a no-cors fetch (the cookies ride along: same site)."""

    target = ""

    def do_GET(self) -> None:
        script = (
            f"fetch({json.dumps(self.target)}, {{method: 'POST', mode: 'no-cors',"
            " credentials: 'include', body: JSON.stringify({name: 'closed'})})"
            ".finally(() => { document.title = 'sent' })"
        )
        body = f"<!doctype html><title>…</title><script>{script}</script>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_page_on_another_port_cannot_close_the_board(
    live_server: ServerProcess, browser: Any
) -> None:
    board = new_board(live_server.url)
    page = _fresh(browser, [], "facilitator")
    page.goto(urljoin(live_server.url, board["urls"]["facilitator"]))
    _connected(page)
    _AttackerPage.target = f"{live_server.url}/api/boards/{board['id']}/phase"
    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _AttackerPage)
    thread = threading.Thread(target=attacker.serve_forever, daemon=True)
    thread.start()
    try:
        page.goto(f"http://127.0.0.1:{attacker.server_port}/")
        expect(page).to_have_title("sent")
    finally:
        attacker.shutdown()
        attacker.server_close()
        thread.join(timeout=10)
    session = httpx.get(
        f"{live_server.url}/api/boards/{board['id']}/session",
        headers={"Authorization": f"Bearer {board['facilitator_key']}"},
        timeout=10,
    )
    assert session.json()["phase"]["name"] == "brainstorm"
    # The forged request did arrive, and was refused as such (uvicorn's access log).
    assert f'"POST /api/boards/{board["id"]}/phase HTTP/1.1" 403' in live_server.log.read_text()


def test_a_key_in_a_link_is_never_kept_in_the_offline_cache(
    live_server: ServerProcess, browser: Any
) -> None:
    """The service worker caches the board page for offline use, but under its path
    alone: the facilitator's key from the link must not rest in the device's cache."""
    board = new_board(live_server.url, "Nyckeln")
    problems: list[str] = []
    page = _fresh(browser, problems, "facilitator")
    page.goto(urljoin(live_server.url, board["urls"]["facilitator"]))
    _connected(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
    # Through the worker now: a navigation that carries the key again.
    page.goto(urljoin(live_server.url, board["urls"]["facilitator"]))
    _connected(page)
    page.wait_for_function(
        "async () => (await caches.match(location.origin + location.pathname)) !== undefined",
        timeout=10_000,
    )
    cached = page.evaluate(
        """async () => {
          const urls = []
          for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url)
          }
          return urls
        }"""
    )
    assert any(f"/b/{board['id']}" in url for url in cached), cached
    assert not any(board["facilitator_key"] in url or "key=" in url for url in cached), cached
    assert problems == []
    page.context.close()


def test_a_signed_in_facilitator_moves_the_board_into_the_library_then_deletes_it(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    problems: list[str] = []
    make_library(live_server, "Stadsbiblioteket", "anna@bib.se")
    board = new_board(live_server.url, title="Personalmöte i Kvarnby")
    anna = signed_in(browser, live_server, "anna@bib.se", problems)
    anna.goto(board["urls"]["facilitator"])
    panel = anna.locator("#samsyn-facil-panel")
    org = panel.locator(".access-org")
    expect(org).to_contain_text("Tavlan hör inte till något bibliotek ännu")
    org.get_by_label("Flytta tavlan till").select_option(label="Stadsbiblioteket")
    org.get_by_role("button", name="Flytta tavlan").click()
    expect(org).to_contain_text("Tavlan hör till Stadsbiblioteket.")
    panel.locator(".access-delete").scroll_into_view_if_needed()
    anna.screenshot(path=str(screenshot_dir / "access-org-and-delete.png"))

    # Months later, signed in on another PC and without the link: the library's board.
    later = signed_in(browser, live_server, "anna@bib.se", problems)
    later.goto(f"{live_server.url}/b/{board['id']}")
    expect(later.locator("#samsyn-facil-panel")).to_be_visible()
    _connected(later)
    assert _role(later) == "facilitator"

    # Deleting asks for the confirmation first; then the board is gone for everyone.
    erase = later.locator("#samsyn-facil-panel .access-delete")
    erase.locator("summary").click()
    button = erase.get_by_role("button", name="Radera tavlan")
    expect(button).to_be_disabled()
    erase.get_by_label("Jag förstår att allt raderas för gott").check()
    button.click()
    expect(later).to_have_url(f"{live_server.url}/")
    expect(anna.get_by_text("Tavlan finns inte längre.")).to_be_visible()
    gone = httpx.get(f"{live_server.url}/b/{board['id']}?key={board['facilitator_key']}")
    assert gone.status_code == 404
    assert problems == []


def test_a_new_join_code_reaches_the_wall_and_the_old_one_stops(
    live_server: ServerProcess, browser: Any, screenshot_dir: Path
) -> None:
    problems: list[str] = []
    facilitator, board_id, _, wall_link = _facilitator(browser, live_server, problems, "Kvarnby")
    panel = facilitator.locator("#samsyn-facil-panel")
    old = panel.locator("[data-join-code]").get_attribute("data-join-code")
    assert old and len(old) == 6
    projector = _fresh(browser, problems, "projector")
    projector.goto(wall_link)
    _connected(projector)
    expect(projector.locator(".wall-code")).to_have_attribute("data-join-code", old)

    # Asked first; cancelling keeps the code.
    panel.locator('[data-action="renew-join-code"]').click()
    panel.get_by_role("button", name="Avbryt").click()
    expect(panel.locator("[data-join-code]")).to_have_attribute("data-join-code", old)
    panel.locator('[data-action="renew-join-code"]').click()
    panel.get_by_role("button", name="Ja, ny kod").click()
    expect(panel.locator("[data-join-code]")).not_to_have_attribute("data-join-code", old)
    new = panel.locator("[data-join-code]").get_attribute("data-join-code")
    assert new and len(new) == 6
    expect(panel.locator(".join-url")).to_have_text(f"{live_server.url}/j/{new}")
    # The wall shows the new code without a reload, with a QR code of it.
    expect(projector.locator(".wall-code")).to_have_attribute("data-join-code", new)
    qr = projector.locator(".wall-qr")
    expect(qr).to_have_attribute("src", f"/b/{board_id}/qr.svg?code={new}")
    projector.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle()
    )
    projector.screenshot(path=str(screenshot_dir / "wall-new-code.png"))

    # Someone typing the old code is turned away; the new code lets them in.
    late = _fresh(browser, problems, "late")
    response = late.goto(f"{live_server.url}/j/{old}")
    assert response is not None and response.status == 404
    response = late.goto(f"{live_server.url}/j/{new}")
    assert response is not None and response.status == 200
    assert problems == []
