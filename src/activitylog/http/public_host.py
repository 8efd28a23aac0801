"""With `ACTIVITYLOG_PUBLIC_URL` set, the server answers only for that origin's host: 421 for any other.

Absolute URLs already use the public URL (`clientinfo.base_url`); refusing other hosts as well keeps a page or
an answer from being served under a name an attacker chose (DNS rebinding, a shared cache keyed by Host).
The Host compared is the one `base_url` would use: the request's, or a trusted proxy's X-Forwarded-Host.
Probes and scrapers call a server by its own address, so `/healthz`, `/readyz` and `/metrics` answer any host.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from activitylog.errors import Misdirected
from activitylog.http.clientinfo import Network, base_url
from activitylog.http.errors import renderers

ANY_HOST_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_and_port(scheme: str, netloc: str) -> tuple[str, int | None] | None:
    """`example.com:443` and `EXAMPLE.com` under https are one host; None for a netloc that is no host."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        return (parts.hostname or "", parts.port or _DEFAULT_PORTS.get(scheme))
    except ValueError:
        return None


class PublicHostMiddleware:
    """Pure ASGI, so it costs microseconds per request."""

    def __init__(self, app: ASGIApp, public_url: str, proxies: Sequence[Network]) -> None:
        self.app, self.public_url, self.proxies = app, public_url, proxies
        parts = urlsplit(public_url)
        self.scheme = parts.scheme
        self.expected = _host_and_port(parts.scheme, parts.netloc)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ANY_HOST_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = urlsplit(base_url(request, self.proxies)).netloc
        if _host_and_port(self.scheme, asked) != self.expected:
            problem = Misdirected(
                f"this server answers for {self.public_url}, not for the host {asked!r}", field="Host"
            )
            await renderers(scope["app"]).render(request, problem, pages=False)(scope, receive, send)
            return
        await self.app(scope, receive, send)
