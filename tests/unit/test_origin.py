"""The origin rule of forged-request checks: scheme, host and port all count."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from server.settings import Settings, SettingsError
from server.web.auth import origin_allowed
from server.web.csrf import refusal

HOST = Headers({"host": "samsyn.example.org"})


@pytest.mark.parametrize(
    ("origin", "scheme", "allowed"),
    [
        ("https://samsyn.example.org", "https", True),
        ("https://samsyn.example.org:443", "https", True),  # the default port, spelled out
        ("https://SAMSYN.example.org", "wss", True),  # a websocket of the same page
        ("http://samsyn.example.org", "https", False),  # another scheme
        ("https://samsyn.example.org", "http", False),  # an https page, a plain-http server
        ("https://samsyn.example.org", "ws", False),  # ... and its websocket
        ("http://samsyn.example.org", "wss", False),
        ("https://samsyn.example.org:80", "http", False),  # same port, other scheme
        ("http://samsyn.example.org:443", "https", False),
        ("https://samsyn.example.org:8443", "https", False),  # another port
        ("https://evil.example", "https", False),
        ("null", "https", False),
        (None, "https", True),  # not a browser page: it proves itself with a key
    ],
)
def test_origin_must_match_scheme_host_and_port(
    origin: str | None, scheme: str, allowed: bool
) -> None:
    assert origin_allowed(origin, scheme, HOST, ()) is allowed


def test_listed_origins_match_the_same_way() -> None:
    listed = ("https://board.example.org",)
    assert origin_allowed("https://board.example.org:443", "https", HOST, listed)
    assert not origin_allowed("http://board.example.org", "https", HOST, listed)


def test_ipv6_hosts_keep_their_port() -> None:
    local = Headers({"host": "[::1]:8000"})
    assert origin_allowed("http://[::1]:8000", "http", local, ())
    assert not origin_allowed("http://[::1]:8001", "http", local, ())
    assert origin_allowed("http://[::1]", "http", Headers({"host": "[::1]"}), ())


def test_a_port_given_in_host_still_needs_the_same_scheme() -> None:
    host = Headers({"host": "samsyn.example.org:8000"})
    assert origin_allowed("http://samsyn.example.org:8000", "http", host, ())
    assert not origin_allowed("https://samsyn.example.org:8000", "http", host, ())
    assert not origin_allowed("http://samsyn.example.org:8000", "https", host, ())


def _post(scheme: str, origin: str) -> dict[str, object]:
    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", origin.encode())]
    return {"type": "http", "method": "POST", "scheme": scheme, "headers": headers}


def test_forged_request_guard_compares_the_scheme() -> None:
    assert refusal(_post("http", "http://127.0.0.1:8000"), ()) is None  # type: ignore[arg-type]
    reason = refusal(_post("http", "https://127.0.0.1:8000"), ())  # type: ignore[arg-type]
    assert reason is not None and "'https://127.0.0.1:8000'" in reason
    listed = ("https://127.0.0.1:8000",)
    assert refusal(_post("http", "https://127.0.0.1:8000"), listed) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("listed", ["board.example.org", "board.example.org:443", "ftp://x.org"])
def test_a_listed_origin_without_a_web_scheme_fails_at_start(listed: str) -> None:
    with pytest.raises(SettingsError, match="SAMSYN_ALLOWED_ORIGINS"):
        Settings(allowed_origins=(listed,)).validate()
    Settings(allowed_origins=("https://board.example.org:8443",)).validate()
