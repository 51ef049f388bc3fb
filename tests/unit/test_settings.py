"""Settings fail loudly on a value that cannot work, naming the variable."""

from __future__ import annotations

import pytest

from server.cli import main
from server.settings import Settings, SettingsError


def test_a_postgresql_url_and_a_redis_url_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SAMSYN_DATABASE_URL": "postgresql://samsyn@db:5432/samsyn",
            "SAMSYN_REDIS_URL": "redis://cache:6379/0",
            "SAMSYN_CLUSTER_POLL_S": "0.5",
        }
    )
    assert settings.database_url == "postgresql://samsyn@db:5432/samsyn"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.cluster_poll_s == 0.5


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"SAMSYN_REDIS_URL": "redis://cache"}, "SAMSYN_REDIS_URL"),  # Redis without PostgreSQL
        ({"SAMSYN_DATABASE_URL": "mysql://db/samsyn"}, "SAMSYN_DATABASE_URL"),
        ({"SAMSYN_DATABASE_URL": "postgresql://db/s", "SAMSYN_REDIS_URL": "http://x"}, "REDIS"),
        ({"SAMSYN_DB": "postgresql://db/samsyn"}, "SAMSYN_DB"),  # a URL where a file belongs
        ({"SAMSYN_CLUSTER_POLL_S": "0"}, "SAMSYN_CLUSTER_POLL_S"),
    ],
)
def test_cluster_settings_that_cannot_work_are_refused(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ)


def test_serve_refuses_redis_without_postgresql(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", "data/x.db", "--redis", "redis://127.0.0.1:1/0"]) == 2
    assert "SAMSYN_REDIS_URL" in capsys.readouterr().err


_MAIL = {"SAMSYN_MAIL_FROM": "Samsyn <samsyn@bib.se>", "SAMSYN_PUBLIC_URL": "https://samsyn.bib.se"}


@pytest.mark.parametrize(
    "url", ["smtp://user:pass@mail.bib.se:587", "smtps://u%40bib.se:p@mail:465", "smtp://localhost"]
)
def test_an_smtp_url_is_read_with_its_sender_and_public_address(url: str) -> None:
    settings = Settings.from_env({"SAMSYN_SMTP_URL": url, **_MAIL})
    assert (settings.smtp_url, settings.mail_from) == (url, "Samsyn <samsyn@bib.se>")
    assert settings.public_url == "https://samsyn.bib.se"
    assert Settings().smtp_url == ""  # off by default


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SAMSYN_SMTP_URL": "mail.bib.se:587", **_MAIL}, "the scheme must be smtp or smtps"),
        ({"SAMSYN_SMTP_URL": "http://mail.bib.se", **_MAIL}, "not 'http'"),
        ({"SAMSYN_SMTP_URL": "smtp://mail.bib.se:port", **_MAIL}, "the port must be a number"),
        ({"SAMSYN_SMTP_URL": "smtp://:25", **_MAIL}, "a host is missing"),
        ({"SAMSYN_SMTP_URL": "smtp://mail/x", **_MAIL}, "nothing may follow host"),
        ({"SAMSYN_SMTP_URL": "smtp://anna@mail:587", **_MAIL}, "a user needs a password"),
        (
            {"SAMSYN_SMTP_URL": "smtp://mail", "SAMSYN_PUBLIC_URL": "https://s.se"},
            "SAMSYN_MAIL_FROM must be an e-mail address",
        ),
        (
            {"SAMSYN_SMTP_URL": "smtp://mail", "SAMSYN_MAIL_FROM": "s@bib.se"},
            "SAMSYN_PUBLIC_URL must be set when SAMSYN_SMTP_URL is",
        ),
        ({"SAMSYN_PUBLIC_URL": "samsyn.bib.se"}, "SAMSYN_PUBLIC_URL must be empty or"),
        ({"SAMSYN_PUBLIC_URL": "https://bib.se/samsyn"}, "no path"),
    ],
)
def test_mail_settings_that_cannot_work_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_a_refused_smtp_url_does_not_show_its_password() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"SAMSYN_SMTP_URL": "smtp://anna:hemligt@mail/x", **_MAIL})
    assert "hemligt" not in str(refused.value)
    assert "'smtp://anna:***@mail/x'" in str(refused.value)


def test_export_workers_and_timeout_are_read_and_checked() -> None:
    settings = Settings.from_env({"SAMSYN_EXPORT_WORKERS": "3", "SAMSYN_EXPORT_TIMEOUT_S": "2.5"})
    assert (settings.export_workers, settings.export_timeout_s) == (3, 2.5)
    assert (Settings().export_workers, Settings().export_timeout_s) == (2, 60.0)
    with pytest.raises(SettingsError, match="SAMSYN_EXPORT_WORKERS must be between 1 and 64"):
        Settings.from_env({"SAMSYN_EXPORT_WORKERS": "0"})
    with pytest.raises(SettingsError, match="SAMSYN_EXPORT_TIMEOUT_S must be more than zero"):
        Settings.from_env({"SAMSYN_EXPORT_TIMEOUT_S": "0"})
    with pytest.raises(SettingsError, match="SAMSYN_EXPORT_WORKERS='two' is not valid"):
        Settings.from_env({"SAMSYN_EXPORT_WORKERS": "two"})


def test_the_event_loop_is_uvloop_or_asyncio() -> None:
    assert Settings.from_env({}).event_loop == "asyncio"
    assert Settings.from_env({"SAMSYN_EVENT_LOOP": "uvloop"}).event_loop == "uvloop"
    with pytest.raises(
        SettingsError, match="SAMSYN_EVENT_LOOP must be uvloop or asyncio, got 'trio'"
    ):
        Settings.from_env({"SAMSYN_EVENT_LOOP": "trio"})
