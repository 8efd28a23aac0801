"""CSRF protection for every form.

Signed-in forms carry the session's own random token (the synchronizer pattern); the sign-in and join forms,
which come before any session, use a double-submit cookie. Either way the token is compared in constant time,
and a cross-site `Origin` header is refused outright. The session cookie is also SameSite=Lax, so a
cross-site POST does not even carry it: the token is the second, independent wall.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from activitylog.errors import Forbidden
from activitylog.http.clientinfo import base_url
from activitylog.http.state import services

FIELD = "csrf_token"
PRE_SESSION_COOKIE = "al_csrf"


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
            field=FIELD,
        )


def _same_origin(request: Request) -> bool:
    sent = request.headers.get("origin")
    if not sent or sent == "null":
        return sent is None  # a form posted from an opaque origin (a sandboxed frame, a file) is refused
    settings = services(request).settings
    ours = urlsplit(base_url(request, settings.proxy_networks, settings.public_url))
    theirs = urlsplit(sent)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def _matches(given: object, expected: str) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def check(request: Request, form: FormData, expected: str) -> None:
    """Refuse a form whose token is not `expected` (the session's), or that came from another site."""
    if not _same_origin(request) or not _matches(form.get(FIELD), expected):
        raise CsrfFailed()


def pre_session_token(request: Request) -> str:
    """The double-submit token for forms shown before sign-in (set the cookie with `remember`)."""
    current = request.cookies.get(PRE_SESSION_COOKIE, "")
    return current if 20 <= len(current) <= 100 else secrets.token_urlsafe(32)


def remember(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(PRE_SESSION_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/a/")


def check_pre_session(request: Request, form: FormData) -> None:
    if not _same_origin(request) or not _matches(form.get(FIELD), request.cookies.get(PRE_SESSION_COOKIE, "")):
        raise CsrfFailed()
