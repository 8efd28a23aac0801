"""Signing in and out, the second factor, and joining from an invite link."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from activitylog.domain.accounts import Invite
from activitylog.errors import ActivityLogError, InvalidInput, NotFound
from activitylog.http.state import accounts, origin
from activitylog.storage.base import Workspace
from activitylog.web import csrf
from activitylog.web.responses import notice, see
from activitylog.web.session import (
    COOKIE,
    base,
    clear_cookie,
    form_of,
    safe_next,
    secure_cookies,
    set_cookie,
    valid_workspace_id,
    viewer,
)
from activitylog.web.templating import first_page, page

router = APIRouter(include_in_schema=False)


async def _workspace(request: Request, workspace_id: str) -> Workspace:
    if not valid_workspace_id(workspace_id):
        raise NotFound("There is no such workspace.", field="workspace")
    return await run_in_threadpool(accounts(request).console.workspace, workspace_id)


@router.get("/")
async def choose(request: Request, workspace: str | None = None) -> Response:
    """Which workspace to sign in to. Existence is not revealed here: every id leads to a sign-in page, and
    an unknown one answers 404 there, as an unknown URL would."""
    if workspace:
        chosen = workspace.strip()
        if valid_workspace_id(chosen):
            return see(f"{base(chosen)}/sign-in")
        return page(
            request, "choose.html", None, message="A workspace id has only letters, digits, _ and -.", status=422
        )
    return page(request, "choose.html", None)


@router.get("/a/{workspace_id}")
@router.get("/a/{workspace_id}/")
async def home(workspace_id: str) -> Response:
    return see(f"{base(workspace_id)}/settings")


@router.get("/a/{workspace_id}/settings")
async def settings_home(request: Request, workspace_id: str) -> Response:
    return see(first_page(await viewer(request, workspace_id)))


def _sign_in_page(
    request: Request,
    workspace: Workspace,
    *,
    message: str | None = None,
    email: str | None = None,
    next_path: str | None = None,
    status: int = 200,
) -> Response:
    token = csrf.pre_session_token(request)
    response = page(
        request,
        "sign_in.html",
        None,
        workspace=workspace,
        csrf_token=token,
        next_path=next_path or request.query_params.get("next") or None,
        message=message,
        email=email,
        notice=notice(request),
        status=status,
    )
    csrf.remember(response, token, secure_cookies(request))
    return response


@router.get("/a/{workspace_id}/sign-in")
async def sign_in_form(request: Request, workspace_id: str) -> Response:
    return _sign_in_page(request, await _workspace(request, workspace_id))


@router.post("/a/{workspace_id}/sign-in")
async def sign_in(request: Request, workspace_id: str) -> Response:
    workspace = await _workspace(request, workspace_id)
    form = await request.form()
    csrf.check_pre_session(request, form)
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    outcome = await run_in_threadpool(
        accounts(request).sign_in.with_password, workspace.id, email, password, origin(request)
    )
    if not outcome.ok or outcome.token is None:
        next_path = str(form.get("next", "")) or None
        return _sign_in_page(request, workspace, message=outcome.message, email=email, next_path=next_path, status=401)
    next_path = safe_next(workspace.id, str(form.get("next", "")) or None)
    if outcome.needs_second_factor:
        response = see(f"{base(workspace.id)}/sign-in/code?" + urlencode({"next": next_path}))
    else:
        response = see(next_path)
    set_cookie(request, response, workspace.id, outcome.token)
    return response


def _code_page(
    request: Request,
    workspace: Workspace,
    *,
    message: str | None = None,
    next_path: str | None = None,
    status: int = 200,
) -> Response:
    token = csrf.pre_session_token(request)
    security = accounts(request).console.security(workspace.id)
    response = page(
        request,
        "code.html",
        None,
        workspace=workspace,
        csrf_token=token,
        next_path=next_path or request.query_params.get("next") or None,
        message=message,
        recovery_allowed="recovery_codes" in security.sign_in_methods,
        status=status,
    )
    csrf.remember(response, token, secure_cookies(request))
    return response


@router.get("/a/{workspace_id}/sign-in/code")
async def code_form(request: Request, workspace_id: str) -> Response:
    workspace = await _workspace(request, workspace_id)
    token = request.cookies.get(COOKIE)
    # Only a sign-in of this workspace that waits for its code gets the form (not any cookie, another's included).
    if not token or await run_in_threadpool(accounts(request).sign_in.awaiting_code, workspace.id, token) is None:
        return see(f"{base(workspace.id)}/sign-in")
    return await run_in_threadpool(_code_page, request, workspace)


@router.post("/a/{workspace_id}/sign-in/code")
async def code(request: Request, workspace_id: str) -> Response:
    workspace = await _workspace(request, workspace_id)
    form = await request.form()
    csrf.check_pre_session(request, form)
    outcome = await run_in_threadpool(
        accounts(request).sign_in.with_code,
        workspace.id,
        request.cookies.get(COOKIE, ""),
        str(form.get("code", "")),
        origin(request),
    )
    next_path = str(form.get("next", "")) or None
    if not outcome.ok:
        # The form's `next` (a POST has no query), so a second try still comes back where the first was going.
        return await run_in_threadpool(
            _code_page, request, workspace, message=outcome.message, next_path=next_path, status=401
        )
    return see(safe_next(workspace.id, next_path))


@router.post("/a/{workspace_id}/sign-out")
async def sign_out(request: Request, workspace_id: str) -> Response:
    signed_in, _ = await form_of(request, workspace_id, enrolling=True)
    await run_in_threadpool(accounts(request).sign_in.sign_out, signed_in, origin(request))
    response = see(f"{base(workspace_id)}/sign-in?done=signed_out")
    clear_cookie(request, response, workspace_id)
    return response


def _join_page(
    request: Request,
    workspace: Workspace,
    invite: Invite,
    *,
    message: str | None = None,
    name: str | None = None,
    status: int = 200,
) -> Response:
    token = csrf.pre_session_token(request)
    response = page(
        request, "join.html", None, workspace=workspace, invite=invite, csrf_token=token, message=message, name=name,
        status=status,
    )  # fmt: skip
    csrf.remember(response, token, secure_cookies(request))
    return response


@router.get("/a/{workspace_id}/join/{token}")
async def join_form(request: Request, workspace_id: str, token: str) -> Response:
    workspace = await _workspace(request, workspace_id)
    invite = await run_in_threadpool(accounts(request).team.pending_invite, workspace.id, token)
    return _join_page(request, workspace, invite)


@router.post("/a/{workspace_id}/join/{token}")
async def join(request: Request, workspace_id: str, token: str) -> Response:
    workspace = await _workspace(request, workspace_id)
    team = accounts(request).team
    invite = await run_in_threadpool(team.pending_invite, workspace.id, token)
    form = await request.form()
    csrf.check_pre_session(request, form)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    try:
        await run_in_threadpool(team.accept, workspace.id, token, name, password, origin(request))
    except InvalidInput as problem:
        return _join_page(request, workspace, invite, message=problem.message, name=name, status=422)
    except ActivityLogError as problem:
        return _join_page(request, workspace, invite, message=problem.message, name=name, status=problem.status)
    return see(f"{base(workspace.id)}/sign-in?done=joined")
