"""The origin rule of forged-request checks: scheme, host and port all count."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from server.web.auth import origin_allowed

HOST = Headers({"host": "samsyn.example.org"})


@pytest.mark.parametrize(
    ("origin", "scheme", "allowed"),
    [
        ("https://samsyn.example.org", "https", True),
        ("https://samsyn.example.org:443", "https", True),  # the default port, spelled out
        ("https://SAMSYN.example.org", "wss", True),  # a websocket of the same page
        ("http://samsyn.example.org", "https", False),  # another scheme
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
