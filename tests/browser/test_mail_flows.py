"""Mail in real Chromium, in Swedish, through a real SMTP sink: a forgotten password from
the sign-in page to the mailed link to signing in anew, and an owner's invite by e-mail."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import ROOT
from tests.support.accounts import PASSWORD
from tests.support.browser import axe_violations, watch
from tests.support.mailsink import MailSink, mail_sink
from tests.support.servers import ServerProcess, free_port

pytestmark = pytest.mark.browser

SAMSYN = ROOT / ".venv" / "bin" / "samsyn"
NEW_PASSWORD = "ett helt nytt lösenord"


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as running:
        yield running


@pytest.fixture
def mail_server(tmp_path: Path, sink: MailSink) -> Iterator[ServerProcess]:
    """`samsyn serve` mailing through the sink; its public address is its own."""
    port = free_port()
    env = {
        "SAMSYN_SMTP_URL": sink.url,
        "SAMSYN_MAIL_FROM": "Samsyn <samsyn@bib.se>",
        "SAMSYN_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    server = ServerProcess(tmp_path / "live.db", port=port, env=env).start()
    try:
        yield server
    finally:
        server.stop()


def _cli(server: ServerProcess, *args: str, stdin: str = "") -> None:
    subprocess.run(
        [str(SAMSYN), *args, "--db", str(server.db)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_forgotten_password_is_mailed_and_set_anew(
    mail_server: ServerProcess, sink: MailSink, browser: Any, screenshot_dir: Path
) -> None:
    _cli(mail_server, "org", "create", "Stadsbiblioteket")
    add = ["user", "add", "anna@bib.se", "--org", "Stadsbiblioteket", "--password-stdin"]
    _cli(mail_server, *add, stdin=PASSWORD + "\n")
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    watch(page, problems, "anna")
    page.goto(f"{mail_server.url}/login")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.locator("h1")).to_have_text("Glömt lösenordet")
    page.get_by_label("E-postadress").fill("anna@bib.se")
    page.screenshot(path=str(screenshot_dir / "forgot-password-form.png"), full_page=True)
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.get_by_role("status")).to_have_text(
        "Om det finns ett konto för anna@bib.se har vi skickat en länk dit. "
        "Titta i inkorgen (och i skräpposten)."
    )
    expect(page.get_by_label("E-postadress")).to_have_count(0)
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_dir / "forgot-password.png"), full_page=True)

    [mail] = sink.wait_for(1)
    assert mail.rcpt_to == ("anna@bib.se",)
    assert mail.message["Subject"] == "Nytt lösenord till Samsyn / A new password for Samsyn"
    [link] = set(mail.links())
    assert link.startswith(f"{mail_server.url}/password/")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Välj ett nytt lösenord")
    page.get_by_label("Lösenord", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara och logga in").click()
    expect(page.locator("[data-account-email]")).to_have_text("anna@bib.se")
    page.get_by_role("button", name="Logga ut").click()

    # The new password signs in; the old one no longer does.
    page.get_by_label("E-postadress").fill("anna@bib.se")
    page.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_have_text("Fel e-postadress eller lösenord.")
    page.get_by_label("Lösenord", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator("[data-account-email]")).to_have_text("anna@bib.se")
    # The mailed link was single use.
    response = page.goto(link)
    assert response is not None and response.status == 404
    assert problems == []
    context.close()


def test_an_owner_invites_a_colleague_by_e_mail(
    mail_server: ServerProcess, sink: MailSink, browser: Any, screenshot_dir: Path
) -> None:
    _cli(mail_server, "org", "create", "Stadsbiblioteket")
    add = ["user", "add", "anna@bib.se", "--org", "Stadsbiblioteket", "--role", "owner"]
    _cli(mail_server, *add, "--password-stdin", stdin=PASSWORD + "\n")
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    anna = context.new_page()
    watch(anna, problems, "anna")
    anna.goto(f"{mail_server.url}/login")
    anna.get_by_label("E-postadress").fill("anna@bib.se")
    anna.get_by_label("Lösenord", exact=True).fill(PASSWORD)
    anna.get_by_role("button", name="Logga in").click()
    anna.get_by_label("E-postadress (valfri)").fill("bo@bib.se")
    anna.get_by_role("button", name="Skapa inbjudningslänk").click()
    status = anna.get_by_role("status")
    expect(status).to_contain_text("Inbjudan skickad till bo@bib.se. Länken:")
    shown = anna.locator("[data-invite-url]").inner_text()
    anna.screenshot(path=str(screenshot_dir / "invite-mailed.png"), full_page=True)
    [mail] = sink.wait_for(1)
    assert mail.rcpt_to == ("bo@bib.se",) and set(mail.links()) == {shown}

    bo = browser.new_context(locale="sv-SE").new_page()
    watch(bo, problems, "bo")
    bo.goto(shown)
    expect(bo.locator("h1")).to_have_text("Du är inbjuden till Stadsbiblioteket")
    bo.get_by_label("E-postadress").fill("bo@bib.se")
    bo.get_by_label("Lösenord", exact=True).fill("bos eget lösenord")
    bo.get_by_role("button", name="Spara och logga in").click()
    expect(bo.locator("[data-account-email]")).to_have_text("bo@bib.se")
    expect(bo.get_by_role("heading", name="Stadsbiblioteket")).to_be_visible()
    assert problems == []
    context.close()
