"""X-Forwarded-* are believed only from trusted proxies."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from activitylog.http.clientinfo import base_url, client_ip
from activitylog.settings import Settings


def request(peer: str, **headers: str) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/admins/activity_logs",
        "query_string": b"",
        "headers": [(b"host", b"internal:8000"), *raw],
        "client": (peer, 5000),
        "server": ("internal", 8000),
        "scheme": "http",
    }
    return Request(scope)


PROXIES = Settings(trusted_proxies="10.0.0.0/8, fd00::/8").proxy_networks


def test_forwarded_headers_from_an_untrusted_peer_are_ignored() -> None:
    spoofed = request("198.51.100.9", x_forwarded_for="1.2.3.4", x_forwarded_proto="https", x_forwarded_host="evil")
    assert client_ip(spoofed, PROXIES) == "198.51.100.9"
    assert base_url(spoofed, PROXIES) == "http://internal:8000"
    assert client_ip(spoofed, ()) == "198.51.100.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("1.1.1.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # the nearest hop the proxies did not add
        ("10.0.0.3", "10.0.0.3"),
        ("garbage", "10.0.0.1"),
    ],
)
def test_behind_a_trusted_proxy_the_client_is_the_nearest_untrusted_hop(forwarded: str, expected: str) -> None:
    assert client_ip(request("10.0.0.1", x_forwarded_for=forwarded), PROXIES) == expected


def test_behind_a_trusted_proxy_urls_use_the_public_scheme_and_host() -> None:
    proxied = request("10.1.2.3", x_forwarded_proto="https", x_forwarded_host="logs.example.com")
    assert base_url(proxied, PROXIES) == "https://logs.example.com"


def test_trusted_proxies_must_be_cidr_blocks() -> None:
    with pytest.raises(ValueError, match="trusted_proxies"):
        Settings(trusted_proxies="10.0.0.0/8, not-a-network")


@pytest.mark.parametrize(
    "given",
    ["logs.example.test", "ftp://logs.example.test", "https://logs.example.test/log", "https://x:port", "https://"],
)
def test_a_public_url_must_be_an_origin(given: str) -> None:
    with pytest.raises(ValueError, match="public_url"):
        Settings(public_url=given)


def test_a_public_url_is_every_absolute_url_s_origin_whatever_the_host() -> None:
    assert Settings(public_url=" HTTPS://Logs.Example.test/ ").public_url == "https://logs.example.test"
    forged = request("10.1.2.3", host="evil.example", x_forwarded_host="evil.example")
    assert base_url(forged, PROXIES, "https://logs.example.test") == "https://logs.example.test"
