"""Playwright helpers shared by the browser tests: Chromium, axe-core, CSP and page watchers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from playwright.sync_api import expect, sync_playwright

from tests.support import ROOT
from tests.support.tools import CHROMIUM, require_chromium

WAIT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright, closed when the generator ends."""
    require_chromium()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


AXE = ROOT / "static" / "node_modules" / "axe-core" / "axe.min.js"


def inject_axe(page: Any) -> None:
    """Load axe-core into a page. Evaluated, not added as a <script>: the pages' content
    security policy rightly refuses inline scripts, and the tests run under it."""
    page.evaluate(AXE.read_text(encoding="utf-8"))


def axe_violations(page: Any, *, serious_only: bool = False) -> list[str]:
    """Run axe-core's WCAG 2 A/AA rules on the page; one line per violating node.

    `serious_only` keeps the serious and critical ones, the bar for the live board.
    """
    inject_axe(page)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21aa"],
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in result["violations"]
        if not serious_only or v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def note_csp_violations(page: Any, problems: list[str]) -> None:
    """Collect console reports of refused scripts, styles, images or connections:
    under the content security policy they would break a page silently."""

    def check(message: Any) -> None:
        if "Content Security Policy" in message.text:
            problems.append(f"csp: {message.text}")

    page.on("console", check)


def watch(page: Any, problems: list[str], who: str = "") -> None:
    """Collect what a person would never want to see: script errors, refused content
    and alert boxes, each prefixed with `who` when several pages share `problems`."""
    tag = f"{who} " if who else ""
    page.on("pageerror", lambda error: problems.append(f"{tag}pageerror: {error}"))
    note_csp_violations(page, problems)
    page.on(
        "dialog",
        lambda dialog: (problems.append(f"{tag}dialog: {dialog.message}"), dialog.dismiss()),
    )


def open_page(
    browser: Any,
    url: str,
    problems: list[str],
    who: str,
    size: tuple[int, int] = (1280, 800),
    *,
    default_timeout_ms: int | None = None,
) -> Any:
    """A page in its own browser context, connected to its board: the facilitator and the
    wall open their links directly; anyone else is `who`, joining by name."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    if default_timeout_ms is not None:
        page.set_default_timeout(default_timeout_ms)
    watch(page, problems, who)
    page.goto(url)
    if who not in ("facilitator", "wall"):
        page.get_by_label("Ditt namn").fill(who)
        page.locator("form button[type=submit]").click()
    expect(page.locator("[data-connection-state]")).to_have_attribute(
        "data-connection-state", "connected"
    )
    return page
