"""Mail: owners' invites and forgotten-password links, through the operator's SMTP server.

Off unless `SAMSYN_SMTP_URL` is set; then the CLI's printed links are still the fallback.
A mail is plain text with a simple HTML part, in Swedish and English both (the sender's
language first). smtplib blocks, so a mail is sent in a thread, bounded by a timeout; a
failure is a `MailError` whose text the caller shows, and the link it carried still works.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
import ssl
from collections.abc import Coroutine
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from server.services import accounts
from server.store import Store

log = logging.getLogger(__name__)

LANGUAGES = ("sv", "en")

# The two languages' texts of each mail: "subject", then paragraphs; "{link}" stands alone
# on its line so that mail programs make it clickable.
_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "invite": {
        "sv": {
            "subject": "Inbjudan till {org} i Samsyn",
            "greeting": "Hej!",
            "body": "{inviter} bjuder in dig till {org} i Samsyn, verktyget för bibliotekets "
            "workshoppar om målbilden.",
            "action": "Öppna länken för att välja lösenord och gå med:",
            "footer": "Länken fungerar en gång och i {days} dagar. Väntade du dig inte det "
            "här kan du bortse från brevet.",
        },
        "en": {
            "subject": "Invitation to {org} on Samsyn",
            "greeting": "Hello,",
            "body": "{inviter} invites you to {org} on Samsyn, the board for the library's "
            "workshops on its target vision.",
            "action": "Open the link to choose a password and join:",
            "footer": "The link works once and for {days} days. If you did not expect this, "
            "you can ignore this mail.",
        },
    },
    "password": {
        "sv": {
            "subject": "Nytt lösenord till Samsyn",
            "greeting": "Hej!",
            "body": "Någon, förhoppningsvis du, bad om ett nytt lösenord till kontot {email} "
            "i Samsyn.",
            "action": "Öppna länken för att välja ett nytt lösenord:",
            "footer": "Länken fungerar en gång och i {days} dagar. Bad du inte om det kan du "
            "bortse från brevet: ditt lösenord är oförändrat.",
        },
        "en": {
            "subject": "A new password for Samsyn",
            "greeting": "Hello,",
            "body": "Someone, hopefully you, asked for a new password for the account "
            "{email} on Samsyn.",
            "action": "Open the link to choose a new password:",
            "footer": "The link works once and for {days} days. If you did not ask for it, "
            "you can ignore this mail: your password is unchanged.",
        },
    },
}
_PARAGRAPHS = ("greeting", "body", "action", "{link}", "footer")


class MailError(Exception):
    """A mail that was not sent; the text says why, for the person who asked."""


@dataclass(frozen=True, slots=True)
class Mail:
    """One mail before it has a sender: its recipient, subject and two bodies."""

    to: str
    subject: str
    text: str
    html: str


def compose(kind: str, to: str, link: str, lang: str = "sv", **values: str) -> Mail:
    """The mail `kind` ("invite" or "password") in both languages, `lang` first."""
    order = [lang] + [other for other in LANGUAGES if other != lang]
    fields = {"link": link, "email": to, "days": str(accounts.LINK_DAYS), **values}
    texts = [_TEXTS[kind][code] for code in order if code in LANGUAGES]
    subject = " / ".join(t["subject"].format(**fields) for t in texts)
    plain, rich = [], []
    for text in texts:
        paragraphs = [
            link if key == "{link}" else text[key].format(**fields) for key in _PARAGRAPHS
        ]
        plain.append("\n\n".join(paragraphs))
        rich.append(
            "".join(
                f'<p><a href="{html.escape(link)}">{html.escape(link)}</a></p>'
                if key == "{link}"
                else f"<p>{html.escape(paragraph)}</p>"
                for key, paragraph in zip(_PARAGRAPHS, paragraphs, strict=True)
            )
        )
    return Mail(
        to=to,
        subject=subject,
        text="\n\n* * *\n\n".join(plain) + "\n",
        html='<!doctype html><html><body style="font-family: sans-serif">'
        + "<hr>".join(rich)
        + "</body></html>",
    )


@dataclass(frozen=True, slots=True)
class _Server:
    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps://)
    user: str
    password: str

    @classmethod
    def parse(cls, url: str) -> _Server:
        parts = urlsplit(url)
        user = unquote(parts.username or "")
        tls = parts.scheme == "smtps"
        # Submission with a login defaults to 587, a plain local relay to 25.
        port = parts.port or (465 if tls else 587 if user else 25)
        assert parts.hostname, f"expected an SMTP URL with a host, got {url!r}"
        return cls(parts.hostname, port, tls, user, unquote(parts.password or ""))


class Mailer:
    """Sends mails through one SMTP server; `enabled` is false when none is configured.

    As an async context manager (the app's lifespan) it also runs jobs apart from the
    requests that asked for them (`later`), and waits for them when the app stops."""

    def __init__(self, smtp_url: str, sender: str, public_url: str, timeout_s: float) -> None:
        self._server = _Server.parse(smtp_url) if smtp_url else None
        self.sender = sender
        self.public_url = public_url.rstrip("/")
        self.timeout_s = timeout_s
        self._pending: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Mailer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._pending:
            await asyncio.wait(self._pending, timeout=self.timeout_s + 2)
        # A mail server that hangs past its timeout does not hold the shutdown.
        late = list(self._pending)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    def later(self, job: Coroutine[Any, Any, object]) -> None:
        """Run `job` on its own, so the request that asked answers before it starts."""

        async def guarded() -> None:
            try:
                await job
            except Exception:
                log.exception("a mail job failed")

        task = asyncio.create_task(guarded())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @property
    def enabled(self) -> bool:
        return self._server is not None

    def link(self, path: str) -> str:
        """An absolute link to `path` on this server, as people reach it."""
        return f"{self.public_url}{path}"

    async def send(self, mail: Mail) -> None:
        """Deliver `mail`, or raise `MailError` saying why not (never anything else)."""
        server = self._server
        if server is None:
            raise MailError("no mail server is configured (SAMSYN_SMTP_URL)")
        message = self._message(mail)
        try:
            async with asyncio.timeout(self.timeout_s + 1):
                await asyncio.to_thread(self._deliver, server, message)
        except TimeoutError:
            raise MailError(f"the mail server did not answer within {self.timeout_s:g} s") from None
        except smtplib.SMTPAuthenticationError:
            raise MailError("the mail server refused the login of SAMSYN_SMTP_URL") from None
        except smtplib.SMTPRecipientsRefused:
            raise MailError(f"the mail server refused the address {mail.to}") from None
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            reason = error.decode("utf-8", "replace") if isinstance(error, bytes) else error
            raise MailError(f"the mail server answered {exc.smtp_code} {reason}") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise MailError(f"the mail server could not be reached ({exc or type(exc)})") from None

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = mail.subject
        message["From"] = self.sender
        message["To"] = mail.to
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> "))
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        return message

    def _deliver(self, server: _Server, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if server.tls:
            smtp = smtplib.SMTP_SSL(
                server.host, server.port, timeout=self.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout_s)
        with smtp:
            if server.user and not server.tls:
                # A password never crosses the network in the clear: STARTTLS or nothing.
                smtp.starttls(context=context)
            if server.user:
                smtp.login(server.user, server.password)
            smtp.send_message(message)


# -- what is mailed ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """Whether a mail went out, and a sentence for the person who asked."""

    to: str
    sent: bool
    detail: str


async def mail_invite(
    mailer: Mailer, to: object, org: str, inviter: str, token: str, lang: str
) -> Outcome:
    """Mail an invite link to `to`; a failure is an outcome, never an exception."""
    email = accounts.clean_email(to)
    link = mailer.link(f"/invite/{token}")
    try:
        await mailer.send(compose("invite", email, link, lang, org=org, inviter=inviter))
    except MailError as exc:
        log.warning("invite to %s not mailed: %s", email, exc)
        return Outcome(email, False, f"the invitation could not be mailed to {email}: {exc}")
    return Outcome(email, True, f"Invitation sent to {email}")


async def mail_password_link(store: Store, mailer: Mailer, email: str, lang: str) -> bool:
    """Mail a set-password link to the account of `email`, if there is one.

    The caller answers the same whatever this finds (and before it runs), so nobody can
    learn which addresses have accounts; failures are logged for the operator."""
    user = await store.user_by_email(email)
    if user is None:
        return False
    token = await accounts.password_link(store, user)
    try:
        await mailer.send(compose("password", user.email, mailer.link(f"/password/{token}"), lang))
    except MailError as exc:
        log.warning("set-password link for %s not mailed: %s", user.email, exc)
        return False
    return True
