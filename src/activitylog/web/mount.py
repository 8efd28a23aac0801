"""The console's part of the app: its routes, its static files, and its errors as pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from activitylog.http.errors import renderers
from activitylog.web import activity_pages, auth_pages, settings_pages, team_pages
from activitylog.web.responses import problem_page, redirect_to_sign_in
from activitylog.web.session import SignInRequired, TwoFactorRequired

STATIC = Path(__file__).with_name("static")
ROUTERS = (auth_pages.router, team_pages.router, settings_pages.router, activity_pages.router)


def is_page(path: str) -> bool:
    """Whether a path is the console's (errors there are pages, not JSON)."""
    return path == "/" or path.startswith("/a/")


async def _on_signal(request: Request, signal: Exception) -> Response:
    assert isinstance(signal, SignInRequired | TwoFactorRequired)
    if request.headers.get("hx-request") != "true":
        return redirect_to_sign_in(signal)
    # A part of a page that the page's script fetched (htmx): a redirect would be followed by the script and the
    # sign-in page shown inside the page. Send the whole page there instead, coming back to the page itself
    # (its URL as htmx reports it; the sign-in page keeps only paths of this workspace's console).
    if isinstance(signal, SignInRequired):
        shown = urlsplit(request.headers.get("hx-current-url", ""))
        signal = SignInRequired(signal.workspace_id, shown.path + (f"?{shown.query}" if shown.query else "") or None)
    return Response(status_code=204, headers={"HX-Redirect": redirect_to_sign_in(signal).headers["location"]})


def mount(app: FastAPI) -> None:
    """The console's routes, and its pages for the errors of its paths (mount it before the API)."""
    renderers(app).add(is_page, problem_page, page=True)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.add_exception_handler(SignInRequired, _on_signal)
    app.add_exception_handler(TwoFactorRequired, _on_signal)
