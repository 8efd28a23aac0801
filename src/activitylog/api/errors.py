"""The two APIs' error bodies, registered with the shell's renderers (`http.errors`) when the API is mounted.

- the native API (`/v1`, health, everything not Intercom's):
  `{"error": {"code", "message", "field", "errors": [{"index"?, "field", "message"}]}, "request_id"}`;
- the Intercom-compatible API (`/admins`): `{"type": "error.list", "request_id", "errors": [{"code",
  "message", "field"}]}`, with Intercom's codes (`unauthorized`, `parameter_not_found`, ...).

The shell turns every failure into one of our errors (a 422 naming the parameter, a 404 for an unknown route,
a 500 only for a bug); here it gets its surface's shape, its status and its headers.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from starlette.requests import Request

from activitylog.errors import ActivityLogError, BadRequest, FieldError, InvalidInput, Unauthorized
from activitylog.http.errors import Renderers, problem_headers
from activitylog.http.request_id import request_id

INTERCOM_PREFIX = "/admins"


class IntercomParameterError(BadRequest):
    """A 400 with one of Intercom's parameter codes (`parameter_not_found`, `parameter_invalid`)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__([FieldError(field, message)], message)
        self.code = code


def _field_errors(problem: ActivityLogError) -> list[FieldError]:
    if isinstance(problem, InvalidInput):
        return problem.errors
    return [FieldError(problem.field, problem.message)] if problem.field else []


def native_body(problem: ActivityLogError, rid: str | None) -> dict[str, Any]:
    return {
        "error": {
            "code": problem.code,
            "message": problem.message,
            "field": problem.field,
            "errors": [e.as_dict() for e in _field_errors(problem)],
        },
        "request_id": rid,
    }


def _intercom_code(problem: ActivityLogError) -> str:
    if isinstance(problem, IntercomParameterError | BadRequest):
        return problem.code  # parameter_not_found / parameter_invalid, or bad_request for a malformed body
    if isinstance(problem, InvalidInput):
        return "parameter_invalid"
    return {"unavailable": "service_unavailable", "internal_error": "server_error"}.get(problem.code, problem.code)


def intercom_body(problem: ActivityLogError, rid: str | None) -> dict[str, Any]:
    code = _intercom_code(problem)
    if isinstance(problem, Unauthorized):
        errors = [{"code": code, "message": "Access Token Invalid", "field": None}]
    elif isinstance(problem, InvalidInput) and problem.errors:
        errors = [{"code": code, "message": f"{e.field} {e.message}".strip(), "field": e.field} for e in problem.errors]
        if isinstance(problem, IntercomParameterError):
            errors = [{"code": code, "message": problem.message, "field": problem.field}]
    else:
        errors = [{"code": code, "message": problem.message, "field": problem.field}]
    return {"type": "error.list", "request_id": rid, "errors": errors}


def _native(request: Request, problem: ActivityLogError) -> JSONResponse:
    body = native_body(problem, request_id(request))
    return JSONResponse(body, status_code=problem.status, headers=problem_headers(problem))


def _intercom(request: Request, problem: ActivityLogError) -> JSONResponse:
    body = intercom_body(problem, request_id(request))
    # Intercom answers every parameter problem with a 400; the native API keeps 422 for invalid values.
    status = 400 if isinstance(problem, InvalidInput) else problem.status
    return JSONResponse(body, status_code=status, headers=problem_headers(problem))


def is_intercom(path: str) -> bool:
    return path.startswith(INTERCOM_PREFIX)


def register(renderers: Renderers) -> None:
    """Intercom's shape under `/admins`; the native shape for every other path no earlier renderer took, so
    register the API's renderers after the console's."""
    renderers.add(is_intercom, _intercom)
    renderers.add(lambda path: True, _native, fallback=True)  # every path no other surface claims
