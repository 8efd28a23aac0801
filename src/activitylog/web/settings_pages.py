"""Settings > Workspace, Security and API tokens ("Can access general and security settings"), and the
teammate's own account page (everyone)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import segno
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from activitylog import tokens
from activitylog.accounts import twofactor
from activitylog.accounts.signin import Viewer
from activitylog.domain import permissions
from activitylog.domain.accounts import SESSION_TIMEOUTS_MINUTES, SIGN_IN_METHODS
from activitylog.errors import ActivityLogError, BadRequest
from activitylog.http.state import accounts, origin
from activitylog.web.responses import notice, shown_on_form
from activitylog.web.session import form_of, viewer
from activitylog.web.team_pages import _act
from activitylog.web.templating import page
from activitylog.web.timezones import timezone_options

router = APIRouter(include_in_schema=False)


def _needs_settings(request: Request, signed_in: Viewer) -> None:
    accounts(request).console.require(signed_in.member, permissions.SETTINGS)


def _workspace_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200
) -> Response:
    _needs_settings(request, signed_in)
    return page(
        request, "workspace.html", signed_in, current="settings/workspace",
        timezones=timezone_options(signed_in.workspace.timezone, datetime.now(UTC)), error=error,
        notice=notice(request), status=status,
    )  # fmt: skip


def _security_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200
) -> Response:
    _needs_settings(request, signed_in)
    return page(
        request, "security.html", signed_in, current="settings/security", security=signed_in.security,
        timeouts=SESSION_TIMEOUTS_MINUTES, methods=SIGN_IN_METHODS, error=error, notice=notice(request), status=status,
    )  # fmt: skip


def _tokens_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200, **extra: Any
) -> Response:
    _needs_settings(request, signed_in)
    issued = tokens.list_tokens(accounts(request).console.log, signed_in.workspace)
    return page(
        request, "api_tokens.html", signed_in, current="settings/api-tokens", tokens=sorted(
            issued, key=lambda t: (not t.active, -t.created_us)), error=error, notice=notice(request), status=status,
        **extra,
    )  # fmt: skip


def _account_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200, **extra: Any
) -> Response:
    return page(
        request, "account.html", signed_in, current="settings/account", error=error, notice=notice(request),
        status=status, **extra,
    )  # fmt: skip


@router.get("/a/{workspace_id}/settings/workspace")
async def workspace(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_workspace_page, request, await viewer(request, workspace_id))


@router.post("/a/{workspace_id}/settings/workspace")
async def save_workspace(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id)
    settings, where = accounts(request).settings, origin(request)
    name, timezone = str(form.get("name", "")), str(form.get("timezone", ""))

    return await _act(
        request, signed_in, lambda: settings.save_general(signed_in, name=name, timezone=timezone, origin=where),
        "workspace?done=saved", _workspace_page,
    )  # fmt: skip


@router.get("/a/{workspace_id}/settings/security")
async def security(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_security_page, request, await viewer(request, workspace_id))


@router.post("/a/{workspace_id}/settings/security")
async def save_security(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id)
    settings, where = accounts(request).settings, origin(request)
    try:
        timeout = int(str(form.get("session_timeout_minutes", "")))
    except ValueError:
        timeout = -1  # refused below, with the allowed values named
    require = form.get("require_two_factor") == "1"
    methods = [str(v) for v in form.getlist("sign_in_methods")]

    def save() -> None:
        settings.set_security(
            signed_in,
            session_timeout_minutes=timeout,
            require_two_factor=require,
            sign_in_methods=methods,
            origin=where,
        )

    return await _act(request, signed_in, save, "security?done=saved", _security_page)


@router.get("/a/{workspace_id}/settings/api-tokens")
async def api_tokens(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_tokens_page, request, await viewer(request, workspace_id))


@router.post("/a/{workspace_id}/settings/api-tokens")
async def create_token(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id)
    settings = accounts(request).settings
    name, scopes = str(form.get("name", "")), [str(v) for v in form.getlist("scopes")]
    try:
        issued = await run_in_threadpool(settings.create_token, signed_in, name, scopes, origin(request))
    except ActivityLogError as problem:
        if not shown_on_form(problem):
            raise
        return await run_in_threadpool(_tokens_page, request, signed_in, error=problem, status=problem.status)
    return await run_in_threadpool(_tokens_page, request, signed_in, secret=issued.secret, status=201)


@router.post("/a/{workspace_id}/settings/api-tokens/{token_id}/revoke")
async def revoke_token(request: Request, workspace_id: str, token_id: str) -> Response:
    signed_in, _ = await form_of(request, workspace_id)
    settings, where = accounts(request).settings, origin(request)
    return await _act(
        request, signed_in, lambda: settings.revoke_token(signed_in, token_id, where), "api-tokens?done=token_revoked",
        _tokens_page,
    )  # fmt: skip


@router.get("/a/{workspace_id}/settings/account")
async def account(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_account_page, request, await viewer(request, workspace_id, enrolling=True))


@router.post("/a/{workspace_id}/settings/account/away")
async def away(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id, enrolling=True)
    profile, where = accounts(request).profile, origin(request)
    wanted, reason = form.get("away") == "1", str(form.get("reason", "")) or None
    return await _act(
        request, signed_in, lambda: profile.set_away(signed_in, wanted, reason, where), "account?done=saved",
        _account_page,
    )  # fmt: skip


def _enrolment(signed_in: Viewer, secret: str) -> dict[str, Any]:
    uri = twofactor.provisioning_uri(secret, signed_in.member.email or signed_in.member.id, signed_in.workspace.name)
    return {"secret": secret, "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, title=None)}


@router.post("/a/{workspace_id}/settings/account/two-factor")
async def two_factor(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id, enrolling=True)
    profile, where, action = accounts(request).profile, origin(request), form.get("action")
    if action == "start":
        return _account_page(request, signed_in, **_enrolment(signed_in, twofactor.new_secret()))
    if action == "enable":
        secret = str(form.get("secret", ""))
        try:
            codes = await run_in_threadpool(
                profile.enable_two_factor, signed_in, secret, str(form.get("code", "")), where
            )
        except ActivityLogError as problem:
            if not shown_on_form(problem):
                raise
            again: dict[str, Any] = _enrolment(signed_in, secret) if twofactor.valid_secret(secret) else {}
            return _account_page(request, signed_in, error=problem, status=problem.status, **again)
        refreshed = await viewer(request, workspace_id, enrolling=True)
        return await run_in_threadpool(_account_page, request, refreshed, recovery_codes=codes)
    if action == "codes":
        try:
            codes = await run_in_threadpool(profile.new_recovery_codes, signed_in, where)
        except ActivityLogError as problem:
            if not shown_on_form(problem):
                raise
            return _account_page(request, signed_in, error=problem, status=problem.status)
        return _account_page(request, signed_in, recovery_codes=codes)
    if action == "disable":
        proof = str(form.get("proof", ""))
        return await _act(
            request, signed_in, lambda: profile.disable_two_factor(signed_in, proof, where),
            "account?done=two_factor_off", _account_page,
        )  # fmt: skip
    raise BadRequest.single("action", "must be start, enable, codes or disable")
