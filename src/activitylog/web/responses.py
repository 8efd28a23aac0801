"""Answers the console's routes share: redirects after a form (POST, redirect, GET), errors as pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from activitylog.accounts.console import PermissionDenied
from activitylog.domain import permissions
from activitylog.errors import ActivityLogError
from activitylog.http.request_id import request_id
from activitylog.web.session import SignInRequired, TwoFactorRequired, base
from activitylog.web.templating import page

#: Messages shown after a successful form, by the `done` code in the redirect (never text from the URL).
NOTICES = {
    "saved": "Saved.",
    "invited": "Invitation sent.",
    "invite_changed": "Invitation changed.",
    "invite_cancelled": "Invitation cancelled.",
    "access_changed": "Access changed.",
    "removed": "Teammate removed.",
    "role_created": "Role created.",
    "role_changed": "Role saved.",
    "role_deleted": "Role deleted.",
    "token_revoked": "Token revoked.",
    "two_factor_off": "Two-factor sign-in is off.",
    "joined": "Welcome! Sign in with your new password.",
    "signed_out": "You are signed out.",
    "expired": "Your session ended. Sign in again.",
}


def shown_on_form(problem: ActivityLogError) -> bool:
    """Whether a refusal is shown on the form that caused it (bad input, a conflict, a stale id); a missing
    permission or session and a server failure are pages of their own."""
    return problem.status < 500 and problem.status not in (401, 403)


def see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("done", ""))


def problem_page(request: Request, problem: ActivityLogError) -> HTMLResponse:
    """Our error as a page: with the console's navigation when someone is signed in (a 403 names the
    permission), else on its own."""
    viewer = getattr(request.state, "viewer", None)
    heading = {403: "You don't have access to this page", 404: "Not found"}.get(problem.status, "Something went wrong")
    context: dict[str, Any] = {"heading": heading, "message": problem.message, "request_id": request_id(request)}
    if isinstance(problem, PermissionDenied):
        context |= {
            "permission": problem.permission,
            "permission_label": permissions.label(problem.permission),
            "opens": permissions.OPENS.get(problem.permission, ""),
        }
    response = page(request, "problem.html", viewer, status=problem.status, **context)
    if problem.status == 503:
        response.headers["Retry-After"] = str(getattr(problem, "retry_after", 1))
    return response


def unexpected_page(request: Request) -> HTMLResponse:
    problem = ActivityLogError("An unexpected error occurred. Quote the request id when reporting it.")
    return problem_page(request, problem)


def redirect_to_sign_in(signal: SignInRequired | TwoFactorRequired) -> Response:
    if isinstance(signal, TwoFactorRequired):
        return see(f"{base(signal.workspace_id)}/settings/account")
    target = f"{base(signal.workspace_id)}/sign-in"
    if signal.next_path:
        target += "?" + urlencode({"next": signal.next_path})
    return see(target)
