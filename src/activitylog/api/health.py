"""Liveness and readiness: `/healthz` answers while the process serves; `/readyz` also needs the database."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from starlette.responses import Response

from activitylog.api.responses import json_response
from activitylog.api.schemas import Health, Readiness
from activitylog.http.state import services

router = APIRouter(tags=["operations"])
READY_TIMEOUT_S = 2.0


@router.get("/healthz", summary="Liveness", response_model=Health)
async def healthz() -> Response:
    """200 while the process is serving requests; it checks nothing else, so a slow database cannot fail it."""
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The database cannot be reached or is too slow."}},
)
async def readyz(request: Request) -> Response:
    """200 when the database answers a point read within two seconds; 503 (with the reason) otherwise."""
    log = services(request).log
    try:
        with anyio.fail_after(READY_TIMEOUT_S):
            await anyio.to_thread.run_sync(log.find_workspace, "readyz-probe", abandon_on_cancel=True)
    except TimeoutError:
        return json_response({"status": "unavailable", "database": "timed out"}, 503, {"Retry-After": "5"})
    except Exception as problem:  # any failure of the database means "not ready", with the reason
        reason = f"{type(problem).__name__}: {problem}"[:300]
        return json_response({"status": "unavailable", "database": reason}, 503, {"Retry-After": "5"})
    return json_response({"status": "ok", "database": "ok"})
