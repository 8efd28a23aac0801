"""Errors in the shape of the surface that raised them, through a registry of renderers.

The shell turns every failure into one of our `ActivityLogError`s: our own errors as raised, FastAPI's parameter
validation as an `InvalidInput` naming each parameter, an unknown route as a 404, a wrong method as a 405 with
the `Allow` it should have. Then it asks the app's `Renderers` for the first renderer whose paths match: each
surface registers its own when it is mounted (the console renders a page, the Intercom-compatible API its
`error.list`, the native API its JSON, for every other path).

Invariant: bad input never becomes a 500; only a bug is a 500, and it too is rendered by its surface. A crash
caught outside the routes (`http.request_id`) skips the page renderers: a page needs the app's state, which the
crash may have broken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match

from activitylog.errors import (
    ActivityLogError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
    Unauthorized,
    Unavailable,
)

Render = Callable[[Request, ActivityLogError], Response]

_HTTP_ERRORS: dict[int, type[ActivityLogError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    413: PayloadTooLarge,
    503: Unavailable,
}


@dataclass(frozen=True, slots=True)
class Renderer:
    matches: Callable[[str], bool]  # by the request's path
    render: Render
    page: bool = False  # renders HTML from the app's state (skipped for crashes)


def _last_resort(request: Request, problem: ActivityLogError) -> Response:
    """For a path no surface claims: plain text, so even an app without the API answers in some shape."""
    return PlainTextResponse(problem.message, status_code=problem.status, headers=problem_headers(problem))


_LAST_RESORT = Renderer(lambda path: True, _last_resort)


@dataclass(slots=True)
class Renderers:
    """The app's renderers, asked in the order they were added, fallbacks after all the others: the first whose
    paths match renders. So the order surfaces mount in (which is the order their routes are matched) does not
    decide whose errors a path gets."""

    renderers: list[Renderer] = field(default_factory=list)
    fallbacks: list[Renderer] = field(default_factory=list)

    def add(
        self, matches: Callable[[str], bool], render: Render, *, page: bool = False, fallback: bool = False
    ) -> None:
        (self.fallbacks if fallback else self.renderers).append(Renderer(matches, render, page))

    def choose(self, path: str, *, pages: bool = True) -> Renderer:
        for renderer in (*self.renderers, *self.fallbacks):
            if (pages or not renderer.page) and renderer.matches(path):
                return renderer
        return _LAST_RESORT

    def render(self, request: Request, problem: ActivityLogError, *, pages: bool = True) -> Response:
        return self.choose(request.url.path, pages=pages).render(request, problem)


def renderers(app: FastAPI) -> Renderers:
    found: Renderers = app.state.error_renderers
    return found


def problem_headers(problem: ActivityLogError) -> dict[str, str]:
    """The HTTP headers an error calls for, whatever its body's shape."""
    headers: dict[str, str] = {}
    if isinstance(problem, Unavailable):
        headers["Retry-After"] = str(problem.retry_after)
    if isinstance(problem, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(problem, RequestTimeout):
        headers["Connection"] = "close"  # the rest of a body that came too slowly is not waited for
    return headers


def unexpected() -> ActivityLogError:
    return ActivityLogError("an unexpected error occurred; quote the request id when reporting it")


def _validation_errors(problem: RequestValidationError) -> InvalidInput:
    errors = []
    for detail in problem.errors():
        loc = [str(part) for part in detail.get("loc", ()) if part not in ("query", "header", "path", "body")]
        errors.append(FieldError(".".join(loc) or "body", str(detail.get("msg", "is not valid"))))
    return InvalidInput(errors)


async def _on_ours(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, ActivityLogError)
    return renderers(request.app).render(request, problem)


async def _on_validation(request: Request, problem: Exception) -> Response:
    assert isinstance(problem, RequestValidationError)
    return renderers(request.app).render(request, _validation_errors(problem))


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
    renderer = renderers(request.app).choose(request.url.path)
    response = renderer.render(request, ours)
    if renderer.page:
        return response
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


def install(app: FastAPI) -> Renderers:
    """The shell's handlers, and the (empty) registry the surfaces add their renderers to."""
    app.state.error_renderers = found = Renderers()
    app.add_exception_handler(ActivityLogError, _on_ours)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    return found
