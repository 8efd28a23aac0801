"""The permission matrix: every page and endpoint of the console, found in the app's routes (so a new one is
covered as soon as it is served), against every role and against nobody signed in.

The rules are the issue's, written here independently of the code: the activity log and the general and
security settings need "Can access general and security settings"; teammates, invites and roles need "Can
manage teammates, seats and permissions"; the teammate's own account is everyone's. A refusal is a 403 page
naming the missing permission, and writes nothing; the navigation shows only what the viewer may open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from activitylog.accounts.signin import token_hash
from activitylog.app import create_app
from activitylog.domain.permissions import PERMISSIONS, SETTINGS, TEAMMATES
from activitylog.service import ActivityLog
from activitylog.settings import Settings
from activitylog.web import templating
from tests.support import people
from tests.support.console import Browser, Servers, entries
from tests.support.factories import event

PREFIX = "/a/{workspace_id}"
ANYONE = "anyone signed in"
PUBLIC = "public"
OPEN = "a redirect for everyone"

#: What each area needs, by its path under /a/{workspace}/ (a route belongs to the longest that prefixes it).
NEEDS: dict[str, str] = {
    "sign-in": PUBLIC,
    "join": PUBLIC,
    "sign-out": ANYONE,
    "settings": ANYONE,
    "settings/account": ANYONE,
    "settings/activity-logs": SETTINGS,
    "settings/workspace": SETTINGS,
    "settings/security": SETTINGS,
    "settings/api-tokens": SETTINGS,
    "settings/teammates": TEAMMATES,
    "settings/invites": TEAMMATES,
    "settings/roles": TEAMMATES,
}
#: The activity log's page is being added: it is in the matrix whether or not this build serves it yet.
EXPECTED_ROUTES = {("GET", f"{PREFIX}/settings/activity-logs")}
#: The navigation each role sees, in order.
NAV_PAGES = [
    ("settings/workspace", SETTINGS),
    ("settings/security", SETTINGS),
    ("settings/activity-logs", SETTINGS),
    ("settings/api-tokens", SETTINGS),
    ("settings/teammates", TEAMMATES),
    ("settings/roles", TEAMMATES),
    ("settings/account", ANYONE),
]
ROLES = {tid: people.ROLES[role][1] for tid, _, role in people.PEOPLE}
SAMPLE_PARAMS = {"teammate_id": "tm_support", "role_id": "role_nope", "invite_id": "inv_nope", "token_id": "tok_nope"}

APP = create_app(Settings(database_url="sqlite:///never-opened.db"))  # for its routes only: never started


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI keeps an included router as one route of the app
            yield from _walk(included.routes, prefix + getattr(getattr(route, "include_context", None), "prefix", ""))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route.methods


def served_routes() -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, methods in _walk(APP.routes)
        if path == PREFIX or path.startswith(PREFIX + "/")
        for method in methods - {"HEAD"}
    }


def relative(path: str) -> str:
    return path.removeprefix(PREFIX).strip("/")


def needs(path: str) -> str:
    rel = relative(path)
    if not rel:
        return OPEN
    areas = [area for area in NEEDS if rel == area or rel.startswith(area + "/")]
    if not areas:
        raise LookupError(f"{path} belongs to no area of the permission matrix: add it to NEEDS")
    return NEEDS[max(areas, key=len)]


def concrete(path: str, workspace_id: str, entry_id: str = "nope") -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "entry_id":  # a real entry: its details are a read like any page
            return entry_id
        return workspace_id if name == "workspace_id" else SAMPLE_PARAMS.get(name, "nope")

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


CASES = sorted(served_routes() | EXPECTED_ROUTES)
WHO = ["anonymous", *ROLES]


def test_every_console_route_belongs_to_an_area_of_the_matrix() -> None:
    for _, path in served_routes():
        needs(path)  # raises for a route nobody decided the permission of


def test_the_navigation_needs_what_the_matrix_says() -> None:
    assert [(path, needed or ANYONE) for _, _, path, needed in templating.NAVIGATION] == NAV_PAGES


@pytest.fixture(scope="module")
def matrix_org(servers: Servers) -> people.Org:
    """One workspace for the whole matrix, with one entry: its requests change nothing (each test checks that)."""
    org = people.org(servers.log.store)
    servers.log.record(org.id, [event("app_name_change")])
    return org


@pytest.fixture
def visitor(request: pytest.FixtureRequest, servers: Servers, matrix_org: people.Org) -> Iterator[Browser]:
    who: str = request.param
    opened = Browser(servers.console, matrix_org)
    if who != "anonymous":
        opened.as_teammate(who, servers.log)
    yield opened
    opened.close()


def _is_sign_in_redirect(response: httpx.Response, workspace_id: str) -> bool:
    return response.status_code == 303 and response.headers["location"].startswith(f"/a/{workspace_id}/sign-in")


@pytest.mark.parametrize("visitor", WHO, indirect=True)
@pytest.mark.parametrize(("method", "path"), CASES, ids=[f"{m} {relative(p) or '/'}" for m, p in CASES])
def test_matrix(visitor: Browser, method: str, path: str, servers: Servers) -> None:
    if (method, path) not in served_routes():
        pytest.skip(f"{method} {path} is not served by this build yet; it is checked as soon as it is")
    log: ActivityLog = servers.log
    workspace_id = visitor.org.id
    before = [e.id for e in entries(log, workspace_id)]
    url = concrete(path, workspace_id, entry_id=before[-1])
    needed = needs(path)
    granted = ROLES[_teammate(visitor, log)] if visitor.session else None

    response = visitor.get(url) if method == "GET" else visitor.post(url, {})

    status = response.status_code
    if needed == OPEN:
        assert status == 303
        assert response.headers["location"] == f"/a/{workspace_id}/settings"
        return
    if needed == PUBLIC:
        # Before any session: no permission applies (an empty form is refused for its missing CSRF token).
        assert "permission to open this page" not in response.text
        assert [e.id for e in entries(log, workspace_id)] == before
        return
    if granted is None:
        # Nobody signed in: every other page sends to the sign-in page (a GET comes back after), writing nothing.
        assert _is_sign_in_redirect(response, workspace_id), status
        if method == "GET":
            assert response.headers["location"] == f"/a/{workspace_id}/sign-in?" + urlencode({"next": url})
        assert [e.id for e in entries(log, workspace_id)] == before
        return
    if needed == ANYONE or needed in granted:
        assert status != 403, response.text
        if relative(path) == "sign-out":
            assert response.headers["location"] == f"/a/{workspace_id}/sign-in?done=signed_out"
            return
        assert not _is_sign_in_redirect(response, workspace_id), response.headers
        if method == "GET":
            assert status in (200, 303), response.text
    else:
        assert status == 403, (status, response.text[:500])
        assert "You don&#39;t have access to this page" in response.text
        assert PERMISSIONS[needed] in response.text
        assert f'href="/a/{workspace_id}/settings/account"' in response.text  # the navigation stays
        assert [e.id for e in entries(log, workspace_id)] == before  # a refusal writes nothing at all
        return
    # Allowed: an empty form changes nothing; a read logs at most its own export of the log.
    written = [e.type for e in entries(log, workspace_id) if e.id not in before]
    assert set(written) <= {"data_export_run"}, written


def _teammate(visitor: Browser, log: ActivityLog) -> str:
    row = log.store.read("SELECT teammate_id FROM sessions WHERE token_hash = ?", (token_hash(visitor.session),))
    return str(row[0][0])


_NAV = re.compile(r'<nav class="sidebar".*?</nav>', re.S)


@pytest.mark.parametrize("visitor", list(ROLES), indirect=True)
def test_the_navigation_shows_only_what_the_viewer_may_open(visitor: Browser, servers: Servers) -> None:
    granted = ROLES[_teammate(visitor, servers.log)]
    page = visitor.get("settings/account")
    assert page.status_code == 200
    nav = _NAV.search(page.text)
    assert nav is not None
    shown = re.findall(rf'href="/a/{visitor.org.id}/([^"]+)"', nav.group(0))
    assert shown == [path for path, needed in NAV_PAGES if needed == ANYONE or needed in granted]


@pytest.mark.parametrize("visitor", list(ROLES), indirect=True)
def test_settings_leads_to_the_first_page_the_viewer_may_open(visitor: Browser, servers: Servers) -> None:
    granted = ROLES[_teammate(visitor, servers.log)]
    first = "settings/activity-logs" if SETTINGS in granted else "settings/teammates" if granted else "settings/account"
    response = visitor.get("settings")
    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{visitor.org.id}/{first}"
