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


def test_the_event_loop_is_uvloop_or_asyncio() -> None:
    assert Settings.from_env({}).event_loop == "uvloop"
    assert Settings.from_env({"SAMSYN_EVENT_LOOP": "asyncio"}).event_loop == "asyncio"
    with pytest.raises(
        SettingsError, match="SAMSYN_EVENT_LOOP must be uvloop or asyncio, got 'trio'"
    ):
        Settings.from_env({"SAMSYN_EVENT_LOOP": "trio"})
