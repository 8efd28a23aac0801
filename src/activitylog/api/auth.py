"""Bearer-token authentication: the one place a request's workspace (the tenant) is resolved.

Every route that touches data depends on `reader` or `writer`; they answer a `Tenant` (the workspace and the
token) and routes pass `tenant.workspace` down. Nothing else looks at the token, so no route can reach
another workspace by accident. A missing, unknown or revoked token is a 401; a token without the scope a
route needs is a 403.

One plain dependency per route (rather than FastAPI's HTTPBearer plus a chain) keeps the hot path short;
the OpenAPI document declares the bearer scheme on these routes itself (see `app.py`).
"""

from __future__ import annotations

from fastapi import Request

from activitylog.errors import Forbidden, Unauthorized
from activitylog.http.state import services
from activitylog.http.tenants import Tenant
from activitylog.tokens import authenticate

SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token (`al_...`) from `activitylog token create`: `Authorization: Bearer <token>`.",
}


def _tenant(request: Request, scope: str) -> Tenant:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise Unauthorized("an API token is required: Authorization: Bearer <token>")
    ctx = services(request)
    found = ctx.tokens.get(secret)
    if found is None:
        # Two indexed point reads: cheaper inline than a hop to the thread pool.
        token = authenticate(ctx.log, secret)
        workspace = ctx.log.find_workspace(token.workspace_id) if token else None
        if token is None or workspace is None:
            raise Unauthorized("the API token is unknown or revoked")
        found = Tenant(workspace, token)
        ctx.tokens.put(secret, found)
    token = found.token
    if scope not in token.scopes:
        raise Forbidden(f"this token may not {scope}: it lacks the {scope!r} scope", field="scope")
    return found


async def reader(request: Request) -> Tenant:
    """The tenant of a token with the `read` scope."""
    return _tenant(request, "read")


async def writer(request: Request) -> Tenant:
    """The tenant of a token with the `write` scope."""
    return _tenant(request, "write")
