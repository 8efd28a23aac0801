"""Errors as JSON, in the shape of the surface that raised them.

- the native API (`/v1`, health, everything not Intercom's):
  `{"error": {"code", "message", "field", "errors": [{"index"?, "field", "message"}]}, "request_id"}`;
- the Intercom-compatible API (`/admins`): `{"type": "error.list", "request_id", "errors": [{"code",
  "message", "field"}]}`, with Intercom's codes (`unauthorized`, `parameter_not_found`, ...).

Invariant: bad input never becomes a 500. Our own errors carry their status; FastAPI's parameter validation
becomes a 422 naming the parameter; an unknown route a 404; only a bug is a 500, and it still has this shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from activitylog.api.request_id import request_id
from activitylog.errors import (
    ActivityLogError,
    BadRequest,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
    Unauthorized,
    Unavailable,
)

INTERCOM_PREFIX = "/admins"
_HTTP_ERRORS: dict[int, type[ActivityLogError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    413: PayloadTooLarge,
    503: Unavailable,
}


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


def _status(problem: ActivityLogError, intercom: bool) -> int:
    # Intercom answers every parameter problem with a 400; the native API keeps 422 for invalid values.
    return 400 if intercom and isinstance(problem, InvalidInput) else problem.status


def error_response(path: str, problem: ActivityLogError, rid: str | None) -> JSONResponse:
    intercom = path.startswith(INTERCOM_PREFIX)
    body = intercom_body(problem, rid) if intercom else native_body(problem, rid)
    headers: dict[str, str] = {}
    if isinstance(problem, Unavailable):
        headers["Retry-After"] = str(problem.retry_after)
    if isinstance(problem, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(problem, RequestTimeout):
        headers["Connection"] = "close"  # the rest of a body that came too slowly is not waited for
    return JSONResponse(body, status_code=_status(problem, intercom), headers=headers)


def internal_error_response(path: str, rid: str | None) -> JSONResponse:
    problem = ActivityLogError("an unexpected error occurred; quote the request id when reporting it")
    return error_response(path, problem, rid)


def _validation_errors(problem: RequestValidationError) -> InvalidInput:
    errors = []
    for detail in problem.errors():
        loc = [str(part) for part in detail.get("loc", ()) if part not in ("query", "header", "path", "body")]
        errors.append(FieldError(".".join(loc) or "body", str(detail.get("msg", "is not valid"))))
    return InvalidInput(errors)


def _page(request: Request, problem: ActivityLogError) -> Response | None:
    """The console's pages answer errors as pages (see `activitylog.web`); None for the APIs."""
    from activitylog.web.pages import is_page
    from activitylog.web.responses import problem_page

    return problem_page(request, problem) if is_page(request.url.path) else None


async def _on_ours(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, ActivityLogError)
    return _page(request, problem) or error_response(request.url.path, problem, request_id(request))


async def _on_validation(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, RequestValidationError)
    ours = _validation_errors(problem)
    return _page(request, ours) or error_response(request.url.path, ours, request_id(request))


async def _on_http(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, StarletteHTTPException)
    kind = _HTTP_ERRORS.get(problem.status_code)
    if kind is NotFound or problem.status_code == 404:
        ours: ActivityLogError = NotFound(f"no route {request.method} {request.url.path}")
    elif kind is not None:
        ours = kind(str(problem.detail))
    else:
        ours = ActivityLogError(str(problem.detail))
        ours.status = problem.status_code
        ours.code = {405: "method_not_allowed", 400: "bad_request"}.get(problem.status_code, "http_error")
    page = _page(request, ours)
    if page is not None:
        return page
    response = error_response(request.url.path, ours, request_id(request))
    for name, value in (problem.headers or {}).items():
        response.headers[name] = value
    if problem.status_code == 405:
        # Starlette names the methods of the first route matching the path; a path can have several routes.
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this path (asked of the router itself, included routers and all)."""
    allowed = []
    for method in _METHODS:
        scope = {"type": "http", "method": method, "path": request.scope["path"], "root_path": "", "headers": []}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def install(app: FastAPI) -> None:
    app.add_exception_handler(ActivityLogError, _on_ours)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
