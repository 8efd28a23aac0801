"""Every request gets an id: a sane incoming `X-Request-ID` is kept, otherwise one is made up.

The id is set on every response (errors and crashes included), rendered into error bodies, and stored on the
entries the API itself records (e.g. `data_export_run`), so a support ticket's id leads to the log line and
the entry. It lives in the ASGI scope's state, readable as `request_id(request)`.
"""

from __future__ import annotations

import logging
import random
import re

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from activitylog.http.errors import renderers, unexpected

HEADER = "X-Request-ID"
_RAW_HEADER = HEADER.lower().encode()
# Ids from proxies and clients are logged and stored: allow the usual characters, refuse anything else.
_SANE = re.compile(rb"[A-Za-z0-9._:/@+=-]{1,128}")
logger = logging.getLogger("activitylog.api")  # the name operators filter on; kept since the move


def new_id() -> str:
    """128 random bits as hex. Ids need to be unique, not secret: the process's generator (seeded from the OS,
    reseeded in a forked child) is enough, and it spares a system call on every request."""
    return f"{random.getrandbits(128):032x}"


def request_id(request: Request) -> str | None:
    value: str | None = request.scope.get("state", {}).get("request_id")
    return value


def _incoming(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == _RAW_HEADER:
            return value.decode("ascii") if _SANE.fullmatch(value) else None
    return None


class RequestIdMiddleware:
    """Pure ASGI (no per-request task or body buffering), so it costs microseconds.

    An exception no handler took becomes a 500 here, inside this middleware, so even a crash answers with the
    request id and the error shape of its surface (rendered by `http.errors`, pages aside).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming(scope) or new_id()
        scope.setdefault("state", {})["request_id"] = rid
        encoded = rid.encode("ascii")
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k != _RAW_HEADER]
                headers.append((_RAW_HEADER, encoded))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled error in %s %s (request id %s)", scope["method"], scope["path"], rid)
            if started:
                raise
            response = renderers(scope["app"]).render(Request(scope), unexpected(), pages=False)
            await response(scope, receive, send_with_id)
