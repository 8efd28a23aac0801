"""Templates (Jinja2, autoescaped) and what every page is rendered with: the viewer, the navigation it may
see, the CSRF token, and filters that show times in the workspace's time zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from activitylog.accounts.signin import Viewer
from activitylog.domain import permissions
from activitylog.timeutil import from_us

TEMPLATES = Path(__file__).with_name("templates")
# Autoescaping on for every template, whatever its name: event values are text, never markup.
templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True))


def _local(us: int | None, timezone: str = "UTC", fmt: str = "%-d %b %Y, %H:%M") -> str:
    if us is None:
        return ""
    return from_us(us).astimezone(ZoneInfo(timezone)).strftime(fmt)


def _utc(us: int | None) -> str:
    return "" if us is None else from_us(us).strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(us: int | None) -> str:
    return "" if us is None else from_us(us).isoformat()


def _segment(value: object) -> str:
    """An id as one URL path segment: every reserved character encoded (`/` becomes %2F, `?` %3F...), so an id
    that slipped past validation (or predates it) cannot move a form to another route. Autoescaping then makes
    the result safe in the attribute."""
    return quote(str(value), safe="")


templates.env.filters["segment"] = _segment
templates.env.filters["local"] = _local
templates.env.filters["utc"] = _utc
templates.env.filters["iso"] = _iso
templates.env.globals["PERMISSIONS"] = permissions.PERMISSIONS
templates.env.globals["SETTINGS"] = permissions.SETTINGS
templates.env.globals["TEAMMATES"] = permissions.TEAMMATES
templates.env.globals["now_year"] = lambda: datetime.now().year


#: The console's navigation: (section, label, path under the workspace, permission needed or None).
NAVIGATION: tuple[tuple[str, str, str, str | None], ...] = (
    ("General", "Workspace", "settings/workspace", permissions.SETTINGS),
    ("General", "Security", "settings/security", permissions.SETTINGS),
    ("General", "Teammate activity logs", "settings/activity-logs", permissions.SETTINGS),
    ("General", "API tokens", "settings/api-tokens", permissions.SETTINGS),
    ("Teammates", "Teammates", "settings/teammates", permissions.TEAMMATES),
    ("Teammates", "Roles", "settings/roles", permissions.TEAMMATES),
    ("Personal", "Your account", "settings/account", None),
)


def navigation(viewer: Viewer, current: str) -> list[dict[str, Any]]:
    """The pages this viewer may open; what they cannot open is not shown at all."""
    base = f"/a/{viewer.workspace.id}/"
    return [
        {"section": section, "label": label, "href": base + path, "current": path == current}
        for section, label, path, needed in NAVIGATION
        if needed is None or needed in viewer.permissions
    ]


def first_page(viewer: Viewer) -> str:
    """Where `/a/{workspace}/settings` leads: the activity log when allowed, else the first page allowed."""
    for _, _, path, needed in sorted(NAVIGATION, key=lambda item: item[2] != "settings/activity-logs"):
        if needed is None or needed in viewer.permissions:
            return f"/a/{viewer.workspace.id}/{path}"
    return f"/a/{viewer.workspace.id}/settings/account"


def page(
    request: Request,
    template: str,
    viewer: Viewer | None,
    *,
    current: str = "",
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    data: dict[str, Any] = {"viewer": viewer, "current": current, **context}
    if viewer is not None:
        data.setdefault("nav", navigation(viewer, current))
        data.setdefault("csrf_token", viewer.session.csrf_token)
        data.setdefault("base", f"/a/{viewer.workspace.id}")
        data.setdefault("tz", viewer.workspace.timezone)
    response: HTMLResponse = templates.TemplateResponse(request, template, data, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


#: Every console page: no caching (pages show secrets once, and personal data), no framing, no inline
#: script, no third-party anything.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
