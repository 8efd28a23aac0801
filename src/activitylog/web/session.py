"""The session cookie and the signed-in viewer of a page.

The cookie holds a random secret (the server keeps its SHA-256); it is HttpOnly, SameSite=Lax, Secure unless
the operator turned that off for plain HTTP, and scoped to the workspace's path, so one browser can be
signed in to two workspaces without either seeing the other's cookie. A page that needs a viewer raises
`SignInRequired` when there is none; the app turns it into a redirect to the sign-in page that comes back.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from activitylog.accounts.signin import Viewer
from activitylog.http.state import accounts, origin, services
from activitylog.web import csrf

COOKIE = "al_session"
_WORKSPACE_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


class SignInRequired(Exception):
    def __init__(self, workspace_id: str, next_path: str | None) -> None:
        super().__init__(workspace_id)
        self.workspace_id = workspace_id
        self.next_path = next_path


class TwoFactorRequired(Exception):
    def __init__(self, workspace_id: str) -> None:
        super().__init__(workspace_id)
        self.workspace_id = workspace_id


def base(workspace_id: str) -> str:
    return f"/a/{workspace_id}"


def valid_workspace_id(workspace_id: str) -> bool:
    return bool(_WORKSPACE_ID.fullmatch(workspace_id))


def secure_cookies(request: Request) -> bool:
    return services(request).settings.cookie_secure


def set_cookie(request: Request, response: Response, workspace_id: str, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request), path=base(workspace_id)
    )


def clear_cookie(request: Request, response: Response, workspace_id: str) -> None:
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=secure_cookies(request), path=base(workspace_id)
    )


def safe_next(workspace_id: str, next_path: str | None) -> str:
    """Where to go after signing in: a path of this workspace's console, never another site."""
    prefix = base(workspace_id) + "/"
    if next_path and next_path.startswith(prefix) and "//" not in next_path and "\\" not in next_path:
        return next_path
    return base(workspace_id) + "/settings"


async def viewer(request: Request, workspace_id: str, *, enrolling: bool = False) -> Viewer:
    """The signed-in teammate, or SignInRequired. A teammate whom the workspace requires to use two-factor
    sign-in, and who has not set it up, is sent to set it up first (`enrolling` marks the pages that allow)."""
    if not valid_workspace_id(workspace_id):
        raise SignInRequired(workspace_id, None)
    token = request.cookies.get(COOKIE)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise SignInRequired(workspace_id, path if request.method == "GET" else None)
    found = await run_in_threadpool(accounts(request).sign_in.viewer, workspace_id, token, origin(request))
    if found is None:
        raise SignInRequired(workspace_id, path if request.method == "GET" else None)
    request.state.viewer = found  # an error page of this request still shows the viewer's navigation
    if found.must_enrol_two_factor and not enrolling:
        raise TwoFactorRequired(workspace_id)
    return found


async def form_of(request: Request, workspace_id: str, *, enrolling: bool = False) -> tuple[Viewer, FormData]:
    """A signed-in form post: the viewer and the form, its CSRF token checked."""
    signed_in = await viewer(request, workspace_id, enrolling=enrolling)
    form = await request.form()
    csrf.check(request, form, signed_in.session.csrf_token)
    return signed_in, form
