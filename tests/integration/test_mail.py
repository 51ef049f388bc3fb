"""Mail over a real SMTP conversation: a real server sends owners' invites and
forgotten-password links to a sink on loopback, and the mailed links work."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from server.services.mail import Mailer, MailError, compose
from server.settings import Settings
from tests.integration.test_cli import samsyn
from tests.support.accounts import PASSWORD, member_of
from tests.support.mailsink import MailSink, Received, mail_sink
from tests.support.servers import InProcessServer, free_port, run_server

PUBLIC = "https://samsyn.bib.se"
NEW_PASSWORD = "ett helt nytt lösenord"


@pytest.fixture
def sink() -> Iterator[MailSink]:
    with mail_sink() as running:
        yield running


def _mail_settings(tmp_path: Path, smtp_url: str) -> Settings:
    return Settings(
        db=tmp_path / "samsyn.db",
        unload_grace_s=0.2,
        smtp_url=smtp_url,
        mail_from="Samsyn <samsyn@bib.se>",
        public_url=PUBLIC,
        smtp_timeout_s=5.0,
    )


async def _mails(sink: MailSink, count: int) -> list[Received]:
    return await asyncio.to_thread(sink.wait_for, count)


def _path(link: str) -> str:
    """The link's path: mailed links name the public address, the test server is local."""
    assert link.startswith(f"{PUBLIC}/"), f"expected a link on {PUBLIC}, got {link!r}"
    return urlsplit(link).path


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> int:
    response = await client.post("/api/session", json={"email": email, "password": password})
    return response.status_code


async def test_an_invite_mailed_to_a_colleague_makes_them_a_member(
    tmp_path: Path, sink: MailSink
) -> None:
    async with run_server(_mail_settings(tmp_path, sink.url)) as server:
        anna = await member_of(server, "Stadsbiblioteket", "anna@bib.se")
        response = await anna.client.post(
            f"/api/orgs/{anna.org_id}/invites", json={"role": "facilitator", "email": "Bo@Bib.se"}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["mail"] == {
            "to": "bo@bib.se",
            "sent": True,
            "detail": "Invitation sent to bo@bib.se",
        }
        [mail] = await _mails(sink, 1)
        assert mail.rcpt_to == ("bo@bib.se",)
        assert mail.message["From"] == "Samsyn <samsyn@bib.se>"
        assert mail.message["Subject"] == (
            "Inbjudan till Stadsbiblioteket i Samsyn / Invitation to Stadsbiblioteket on Samsyn"
        )
        # Both languages in one mail, Swedish first; the link the owner was shown is the one mailed.
        assert mail.text.index("anna@bib.se bjuder in dig till Stadsbiblioteket") < mail.text.index(
            "anna@bib.se invites you to Stadsbiblioteket"
        )
        assert set(mail.links()) == {body["url"]}
        assert f'href="{body["url"]}"' in mail.html
        link = _path(body["url"])
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as bo:
            page = await bo.get(link)
            assert page.status_code == 200 and "Du är inbjuden till Stadsbiblioteket" in page.text
            joined = await bo.post(
                f"/api/links/{link.removeprefix('/invite/')}",
                json={"email": "bo@bib.se", "password": PASSWORD},
            )
            assert joined.status_code == 201, joined.text
            assert joined.json()["orgs"] == [
                {"id": anna.org_id, "name": "Stadsbiblioteket", "role": "facilitator"}
            ]
            again = await bo.post(
                f"/api/links/{link.removeprefix('/invite/')}",
                json={"email": "cia@bib.se", "password": PASSWORD},
            )
            assert again.status_code == 404
        # The owner's page says it in words, with the link beside.
        page = await anna.client.post(
            "/account",
            data={"org": anna.org_id, "action": "invite", "role": "owner", "email": "cia@bib.se"},
        )
        assert page.status_code == 200
        assert "Inbjudan skickad till cia@bib.se." in page.text
        [_, second] = await _mails(sink, 2)
        assert second.rcpt_to == ("cia@bib.se",)
        assert f"<code data-invite-url>{second.links()[0]}</code>" in page.text
        await anna.client.aclose()


async def test_a_forgotten_password_is_mailed_as_a_link_that_sets_a_new_one(
    tmp_path: Path, sink: MailSink
) -> None:
    async with run_server(_mail_settings(tmp_path, sink.url)) as server:
        anna = await member_of(server, "Stadsbiblioteket", "anna@bib.se")
        await anna.client.aclose()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            asked = await client.post("/api/password-resets", json={"email": " Anna@Bib.se "})
            assert asked.status_code == 202
            [mail] = await _mails(sink, 1)
            assert mail.rcpt_to == ("anna@bib.se",)
            assert (
                mail.message["Subject"] == "Nytt lösenord till Samsyn / A new password for Samsyn"
            )
            assert "bad om ett nytt lösenord till kontot anna@bib.se" in mail.text
            [link] = set(mail.links())
            path = _path(link)
            assert path.startswith("/password/")
            form = await client.get(path)
            assert form.status_code == 200 and "Välj ett nytt lösenord" in form.text
            done = await client.post(path, data={"password": NEW_PASSWORD})
            assert done.status_code == 303 and done.headers["location"] == "/account"
            assert await _sign_in(client, "anna@bib.se", NEW_PASSWORD) == 200
            assert await _sign_in(client, "anna@bib.se", PASSWORD) == 401
            # Single use: the link is spent.
            assert (await client.get(path)).status_code == 404
            # Asked from the English page, the mail says it in English first.
            await client.post("/forgot-password?lang=en", data={"email": "anna@bib.se"})
            [_, english] = await _mails(sink, 2)
            assert english.text.startswith("Hello,\n\nSomeone, hopefully you, asked")
            assert english.message["Subject"] == (
                "A new password for Samsyn / Nytt lösenord till Samsyn"
            )


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    tmp_path: Path, sink: MailSink
) -> None:
    async with run_server(_mail_settings(tmp_path, sink.url)) as server:
        anna = await member_of(server, "Stadsbiblioteket", "anna@bib.se")
        await anna.client.aclose()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            unknown = await client.post("/api/password-resets", json={"email": "nobody@bib.se"})
            known = await client.post("/api/password-resets", json={"email": "anna@bib.se"})
            assert (unknown.status_code, unknown.content) == (known.status_code, known.content)
            assert unknown.status_code == 202
            page_unknown = await client.post("/forgot-password", data={"email": "nobody@bib.se"})
            page_known = await client.post("/forgot-password", data={"email": "anna@bib.se"})
            assert page_unknown.status_code == page_known.status_code == 200
            assert "Om det finns ett konto för nobody@bib.se har vi skickat" in page_unknown.text
            assert page_unknown.text.replace("nobody@bib.se", "anna@bib.se") == page_known.text
            mails = await _mails(sink, 2)
            assert [m.rcpt_to for m in mails] == [("anna@bib.se",), ("anna@bib.se",)]
            # A third request for an address is still answered; the fourth waits, known or not.
            for email in ["anna@bib.se", "nobody@bib.se"]:
                ok = await client.post("/api/password-resets", json={"email": email})
                assert ok.status_code == 202
            for email in ["anna@bib.se", "nobody@bib.se"]:
                refused = await client.post("/api/password-resets", json={"email": email})
                assert refused.status_code == 429
                assert refused.json()["error"] == "too_many_attempts"
                assert int(refused.headers["retry-after"]) > 0
            page = await client.post("/forgot-password", data={"email": "nobody@bib.se"})
            assert page.status_code == 429 and "För många beställda länkar" in page.text
            assert [m.rcpt_to for m in await _mails(sink, 3)][2] == ("anna@bib.se",)
            bad = await client.post("/api/password-resets", json={"email": "inte en adress"})
            assert bad.status_code == 400 and bad.json()["error"] == "invalid_field"
        assert all(m.rcpt_to == ("anna@bib.se",) for m in sink.received)
        assert len(sink.received) == 3


async def test_with_the_mail_server_down_the_invite_still_answers_with_its_link(
    tmp_path: Path,
) -> None:
    down = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    async with run_server(_mail_settings(tmp_path, down)) as server:
        anna = await member_of(server, "Stadsbiblioteket", "anna@bib.se")
        response = await anna.client.post(
            f"/api/orgs/{anna.org_id}/invites", json={"role": "facilitator", "email": "bo@bib.se"}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["url"].startswith(f"{PUBLIC}/invite/")
        assert body["mail"]["sent"] is False and body["mail"]["to"] == "bo@bib.se"
        assert body["mail"]["detail"].startswith(
            "the invitation could not be mailed to bo@bib.se: the mail server could not be reached"
        )
        page = await anna.client.post(
            "/account",
            data={
                "org": anna.org_id,
                "action": "invite",
                "role": "facilitator",
                "email": "bo@bib.se",
            },
        )
        assert page.status_code == 200
        assert "Inbjudan kunde inte skickas till bo@bib.se. Länken fungerar ändå" in page.text
        assert f"<code data-invite-url>{PUBLIC}/invite/" in page.text
        # The link works all the same, passed on by hand.
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as bo:
            token = _path(body["url"]).removeprefix("/invite/")
            joined = await bo.post(
                f"/api/links/{token}", json={"email": "bo@bib.se", "password": PASSWORD}
            )
            assert joined.status_code == 201
            # A forgotten password is answered as ever; the failure is the operator's to see.
            asked = await bo.post("/api/password-resets", json={"email": "bo@bib.se"})
            assert asked.status_code == 202
        await anna.client.aclose()


async def test_without_a_mail_server_the_operator_hands_out_links(
    app_server: InProcessServer,
) -> None:
    anna = await member_of(app_server, "Stadsbiblioteket", "anna@bib.se")
    login = await anna.client.get("/login")
    assert '<a href="/forgot-password" id="login-forgot">Glömt lösenordet?</a>' in login.text
    page = await anna.client.get("/forgot-password?lang=en")
    assert page.status_code == 200
    assert "This server sends no e-mail" in page.text and "samsyn user reset-password" in page.text
    assert 'name="email"' not in page.text
    asked = await anna.client.post("/api/password-resets", json={"email": "anna@bib.se"})
    assert asked.status_code == 503 and asked.json()["error"] == "mail_not_configured"
    invite = await anna.client.post(
        f"/api/orgs/{anna.org_id}/invites", json={"role": "facilitator", "email": "bo@bib.se"}
    )
    assert invite.status_code == 201
    assert invite.json()["mail"]["sent"] is False
    assert "no mail server is configured" in invite.json()["mail"]["detail"]
    assert invite.json()["url"].startswith(f"{app_server.url}/invite/")
    typo = await anna.client.post(
        f"/api/orgs/{anna.org_id}/invites", json={"role": "facilitator", "email": "bo@bib"}
    )
    assert typo.status_code == 400
    assert typo.json() == {
        "error": "invalid_field",
        "detail": "expected an e-mail address, got 'bo@bib'",
    }
    account = await anna.client.get("/account")
    assert 'name="email" type="email" autocomplete="off"' not in account.text
    await anna.client.aclose()


async def test_the_operator_may_mail_a_set_password_link_from_the_command_line(
    tmp_path: Path, sink: MailSink
) -> None:
    settings = _mail_settings(tmp_path, sink.url)
    env = {
        "SAMSYN_SMTP_URL": sink.url,
        "SAMSYN_MAIL_FROM": settings.mail_from,
        "SAMSYN_PUBLIC_URL": PUBLIC,
    }
    async with run_server(settings) as server:
        await (await member_of(server, "Stadsbiblioteket", "anna@bib.se")).client.aclose()
        db = str(settings.db)
        done = await asyncio.to_thread(
            samsyn, "user", "reset-password", "Anna@bib.se", "--mail", "--db", db, env=env
        )
        assert done.returncode == 0, done.stderr
        printed = done.stdout.splitlines()[0].rsplit(" ", 1)[1]
        assert printed.startswith(f"{PUBLIC}/password/")
        assert done.stdout.splitlines()[1] == "mailed to anna@bib.se"
        [mail] = await _mails(sink, 1)
        assert mail.rcpt_to == ("anna@bib.se",) and set(mail.links()) == {printed}
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            done_form = await client.post(_path(printed), data={"password": NEW_PASSWORD})
            assert done_form.status_code == 303
            assert await _sign_in(client, "anna@bib.se", NEW_PASSWORD) == 200
        # Without a mail server the command says so, and makes no link.
        plain = {"SAMSYN_SMTP_URL": "", "SAMSYN_MAIL_FROM": "", "SAMSYN_PUBLIC_URL": ""}
        refused = await asyncio.to_thread(
            samsyn, "user", "reset-password", "anna@bib.se", "--mail", "--db", db, env=plain
        )
        assert refused.returncode == 2
        assert "--mail needs a mail server: set SAMSYN_SMTP_URL" in refused.stderr
        assert refused.stdout == ""
        # A mail server down: the link is printed all the same, with why it was not mailed.
        down = {**env, "SAMSYN_SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}
        failed = await asyncio.to_thread(
            samsyn, "user", "reset-password", "anna@bib.se", "--mail", "--db", db, env=down
        )
        assert failed.returncode == 2
        assert f"{PUBLIC}/password/" in failed.stdout
        assert "the link was not mailed to anna@bib.se: the mail server could not be reached" in (
            failed.stderr
        )
    assert len(sink.received) == 1


async def test_a_login_is_never_sent_to_a_mail_server_without_tls(sink: MailSink) -> None:
    # The sink offers no STARTTLS: a URL with a password must refuse to go on in the clear.
    mailer = Mailer(sink.url.replace("smtp://", "smtp://anna:hemligt@"), "s@bib.se", PUBLIC, 5)
    with pytest.raises(MailError, match="STARTTLS"):
        await mailer.send(compose("password", "anna@bib.se", f"{PUBLIC}/password/x"))
    assert sink.received == []
