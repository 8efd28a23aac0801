"""Who is asking, as far as we can tell: the client's IP and the base URL it used.

`X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` are believed only when the direct peer is one
of the configured trusted proxies; from anyone else they are ignored, since any client can send them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trusted(address: str | None, proxies: Sequence[Network]) -> bool:
    if not address or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def _address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(text)) if text else None
    except ValueError:
        return None  # a Unix socket path or a test client's made-up name: no address to record


def client_ip(request: Request, proxies: Sequence[Network]) -> str | None:
    """The peer's address; behind trusted proxies, the nearest address in X-Forwarded-For they did not add."""
    peer = _address(request.client.host if request.client else None)
    if not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return _address(hop) or peer
    return _address(hops[0]) if hops else peer


def base_url(request: Request, proxies: Sequence[Network], public_url: str = "") -> str:
    """The origin for absolute URLs in answers: `public_url` when the operator set one (the Host header is the
    client's to choose), else the scheme and host the client used (`https://logs.example.com`)."""
    if public_url:
        return public_url
    scheme, host = request.url.scheme, request.headers.get("host") or request.url.netloc
    peer = request.client.host if request.client else None
    if _trusted(peer, proxies):
        scheme = request.headers.get("x-forwarded-proto", scheme).split(",")[0].strip() or scheme
        host = request.headers.get("x-forwarded-host", host).split(",")[0].strip() or host
    return f"{scheme}://{host}"
