"""Settings > Teammates and Settings > Roles ("Can manage teammates, seats and permissions")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from activitylog.accounts.console import PermissionDenied
from activitylog.accounts.signin import Viewer
from activitylog.domain import permissions
from activitylog.domain.accounts import least_privileged
from activitylog.errors import ActivityLogError, BadRequest
from activitylog.http.clientinfo import base_url
from activitylog.http.state import accounts, origin, services
from activitylog.web.responses import notice, see, shown_on_form
from activitylog.web.session import base, form_of, viewer
from activitylog.web.templating import page

router = APIRouter(include_in_schema=False)


def _teammates_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200, **extra: Any
) -> Response:
    console = accounts(request).console
    console.require(signed_in.member, permissions.TEAMMATES)
    workspace_id = signed_in.workspace.id
    roles = console.roles(workspace_id)
    fewest = least_privileged(roles.values())
    return page(
        request,
        "teammates.html",
        signed_in,
        current="settings/teammates",
        members=console.members(workspace_id),
        roles=roles,
        invite_role=fewest.id if fewest else None,
        invites=console.invites(workspace_id),
        error=error,
        notice=notice(request),
        status=status,
        **extra,
    )


def _roles_page(
    request: Request, signed_in: Viewer, *, error: ActivityLogError | None = None, status: int = 200
) -> Response:
    console = accounts(request).console
    console.require(signed_in.member, permissions.TEAMMATES)
    workspace_id = signed_in.workspace.id
    holders = Counter(m.role_id for m in console.members(workspace_id) if m.status != "deleted")
    return page(
        request,
        "roles.html",
        signed_in,
        current="settings/roles",
        roles=console.roles(workspace_id),
        holders=holders,
        error=error,
        notice=notice(request),
        status=status,
    )


async def _act(
    request: Request,
    signed_in: Viewer,
    action: Callable[[], object],
    done: str,
    rerender: Callable[..., Response],
) -> Response:
    """Run a change; on a refused one (bad input, a conflict, a stale id) show the page again with the reason."""
    try:
        await run_in_threadpool(action)
    except ActivityLogError as problem:
        if not shown_on_form(problem):
            raise
        return await run_in_threadpool(rerender, request, signed_in, error=problem, status=problem.status)
    return see(f"{request.url.path.rsplit('/settings/', 1)[0]}/settings/{done}")


async def _managing(request: Request, workspace_id: str) -> tuple[Viewer, FormData]:
    """A form of these pages, its permission checked before its fields are read: a teammate without the
    permission gets the 403 page that names it, whatever they posted."""
    signed_in, form = await form_of(request, workspace_id)
    if permissions.TEAMMATES not in signed_in.permissions:
        raise PermissionDenied(permissions.TEAMMATES)
    return signed_in, form


@router.get("/a/{workspace_id}/settings/teammates")
async def teammates(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_teammates_page, request, await viewer(request, workspace_id))


@router.post("/a/{workspace_id}/settings/teammates/invite")
async def invite(request: Request, workspace_id: str) -> Response:
    signed_in, form = await _managing(request, workspace_id)
    team = accounts(request).team
    email, role_id = str(form.get("email", "")), str(form.get("role_id", "")) or None
    try:
        issued = await run_in_threadpool(team.invite, signed_in, email, role_id, origin(request))
    except ActivityLogError as problem:
        if not shown_on_form(problem):
            raise
        return await run_in_threadpool(_teammates_page, request, signed_in, error=problem, status=problem.status)
    settings = services(request).settings
    link = f"{base_url(request, settings.proxy_networks, settings.public_url)}{base(workspace_id)}/join/{issued.token}"
    return await run_in_threadpool(
        _teammates_page, request, signed_in, invite_link=link, invite_email=issued.invite.email, status=201
    )


@router.post("/a/{workspace_id}/settings/invites/{invite_id}")
async def change_invite(request: Request, workspace_id: str, invite_id: str) -> Response:
    signed_in, form = await _managing(request, workspace_id)
    team, where, action = accounts(request).team, origin(request), form.get("action")
    if action == "change":
        role_id = str(form.get("role_id", "")) or None
        return await _act(
            request, signed_in, lambda: team.change_invite(signed_in, invite_id, role_id, where),
            "teammates?done=invite_changed", _teammates_page,
        )  # fmt: skip
    if action == "delete":
        return await _act(
            request, signed_in, lambda: team.delete_invite(signed_in, invite_id, where),
            "teammates?done=invite_cancelled", _teammates_page,
        )  # fmt: skip
    raise BadRequest.single("action", "must be change or delete")


@router.post("/a/{workspace_id}/settings/teammates/{teammate_id}")
async def change_teammate(request: Request, workspace_id: str, teammate_id: str) -> Response:
    signed_in, form = await _managing(request, workspace_id)
    team, where, action = accounts(request).team, origin(request), form.get("action")
    if action == "access":
        role_id = str(form.get("role_id", "")) or None
        granted = [str(v) for v in form.getlist("permissions")]
        return await _act(
            request, signed_in, lambda: team.set_access(signed_in, teammate_id, role_id, granted, where),
            "teammates?done=access_changed", _teammates_page,
        )  # fmt: skip
    if action == "delete":
        return await _act(
            request, signed_in, lambda: team.delete(signed_in, teammate_id, where),
            "teammates?done=removed", _teammates_page,
        )  # fmt: skip
    raise BadRequest.single("action", "must be access or delete")


@router.get("/a/{workspace_id}/settings/roles")
async def roles(request: Request, workspace_id: str) -> Response:
    return await run_in_threadpool(_roles_page, request, await viewer(request, workspace_id))


@router.post("/a/{workspace_id}/settings/roles")
async def create_role(request: Request, workspace_id: str) -> Response:
    signed_in, form = await _managing(request, workspace_id)
    team, where = accounts(request).team, origin(request)
    name, granted = str(form.get("name", "")), [str(v) for v in form.getlist("permissions")]
    return await _act(
        request, signed_in, lambda: team.create_role(signed_in, name, granted, where),
        "roles?done=role_created", _roles_page,
    )  # fmt: skip


@router.post("/a/{workspace_id}/settings/roles/{role_id}")
async def change_role(request: Request, workspace_id: str, role_id: str) -> Response:
    signed_in, form = await _managing(request, workspace_id)
    team, where, action = accounts(request).team, origin(request), form.get("action")
    if action == "change":
        name, granted = str(form.get("name", "")), [str(v) for v in form.getlist("permissions")]
        return await _act(
            request, signed_in, lambda: team.change_role(signed_in, role_id, name, granted, where),
            "roles?done=role_changed", _roles_page,
        )  # fmt: skip
    if action == "delete":
        return await _act(
            request, signed_in, lambda: team.delete_role(signed_in, role_id, where),
            "roles?done=role_deleted", _roles_page,
        )  # fmt: skip
    raise BadRequest.single("action", "must be change or delete")
