"""Isolation: no token of one workspace reads, writes, exports or even detects another workspace's data.

Two workspaces, A and B, each with entries, teammates, tokens and used idempotency keys. Every route of the app
(enumerated from the app itself, so a new route is in the matrix the day it is added) is called with A's
credential and, in each of its parameters that names workspace data, once with B's value and once with a value
that exists nowhere. The two answers must be identical (status, body and headers, modulo the request id and the
value itself); no answer to A may hold anything of B's; afterwards B holds exactly what it held before.

A parameter this file does not know fails the test (classify it in PARAMETERS); so does a write route without a
body template (add one to BODIES). The console's pages are probed the same way with a signed-in session of an
admin of A (every page that names workspace data, in its path or in the activity log's teammate filter), and
that session is worth nothing on B's pages: every page of B answers it exactly as it answers a stranger.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Mount, Route

from activitylog import ids, tokens
from activitylog.accounts.signin import token_hash
from activitylog.app import create_app
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.permissions import PERMISSIONS, serialise
from activitylog.settings import load
from activitylog.storage.base import Teammate
from activitylog.timeutil import iso, now_us
from tests.support.factories import ago, event
from tests.support.running import Running
from tests.support.servers import Tenant

# The kind of workspace data each parameter names (None: it names none). Path, query and header parameters alike.
PARAMETERS: dict[str, str | None] = {
    "entry_id": "entry",
    "cursor": "cursor",
    "starting_after": "cursor",
    "teammate": "teammate",
    "Idempotency-Key": "idempotency_key",
    "workspace_id": "workspace",
    "teammate_id": "teammate",
    "token_id": "token",
    "invite_id": "invite",
    "role_id": "role",
    "token": "invite_token",
    "workspace": "workspace",
    "q": "search",  # a search for words only B's entries hold must find what a search for nothing's words finds
    **dict.fromkeys(["type", "since", "until", "ip", "limit", "created_at_after", "created_at_before", "page"]),
    **dict.fromkeys(["per_page", "before", "from", "to"]),  # before/from/to: positions in the workspace's chain
}


def neutral_query(world: World) -> dict[str, str]:
    """Values of parameters that name no data: a fixed time window, so that what the probes themselves write
    (a CSV download logs itself) never shows in a later answer."""
    return {
        "until": iso(world.window_end_s * 1_000_000),
        "created_at_after": "0",
        "created_at_before": str(world.window_end_s),
    }


@dataclass
class Probe:
    """What a request names: a value per kind of data (absent kinds get A's own, or nothing)."""

    values: dict[str, str] = field(default_factory=dict)


Body = Callable[[Probe, "World"], dict[str, Any]]  # httpx keyword arguments: json=, data=


def _record_body(probe: Probe, world: World) -> dict[str, Any]:
    teammate = probe.values.get("teammate")
    item = event(key=probe.values.get("idempotency_key") or f"fresh-{secrets.token_hex(6)}")
    if teammate is not None:
        item["actor"] = {"type": "teammate", "id": teammate}  # no name: the workspace's directory is asked
    return {"json": item}


# Write routes: how to build a body, and which kinds of data it can name.
BODIES: dict[tuple[str, str], tuple[set[str], Body]] = {
    ("POST", "/v1/events"): ({"teammate", "idempotency_key"}, _record_body),
    ("POST", "/admins/activity_logs/search"): (
        set(),
        lambda probe, world: {"json": {"created_at_after": 0, "created_at_before": world.window_end_s}},
    ),
}


# --- The two workspaces -------------------------------------------------------------------------------------


@dataclass
class World:
    server: Running
    a: Tenant
    b: Tenant
    b_values: dict[str, str]  # one of B's values per kind of data
    a_values: dict[str, str]  # A's own, for parameters not under test
    b_secrets: set[str]  # strings only B's data holds
    b_count: int
    window_end_s: int  # Unix seconds: after every entry made here, before any the probes make
    b_keys: list[str] = field(default_factory=list)  # B's used idempotency keys: one per probe (A may then use it)

    def b_value(self, kind: str) -> str:
        return self.b_keys.pop() if kind == "idempotency_key" else self.b_values[kind]


B_MARKER = "bravo-private-marker"


def build_world(server: Running) -> World:
    log = server.log
    a = server.tenant("Alpha Co")
    b = server.tenant("Bravo Private Co")
    log.store.upsert_teammates(
        [Teammate(b.workspace.id, "tm_bravo_only", "Bravo Person", "bravo.person@bravo.test", "Admin", "active")]
    )
    a_ids = log.record(a.workspace.id, [event(occurred_at=ago(minutes=i)) for i in range(5)]).inserted
    b_items = [
        event(
            actor_id="tm_bravo_only",
            name="Bravo Person",
            email="bravo.person@bravo.test",
            occurred_at=ago(minutes=i, seconds=7),
            metadata={"before": B_MARKER, "after": f"{B_MARKER}-{i}"},
            key=f"bravo-key-{i}",
            ip="198.51.100.77",
        )
        for i in range(6)
    ]
    b_ids = log.record(b.workspace.id, b_items).inserted
    b_page = log.query(b.workspace.id, ActivityFilter(), limit=2)
    assert b_page.next_cursor is not None
    b_token = tokens.list_tokens(log, b.workspace)[0]
    a_token = tokens.list_tokens(log, a.workspace)[0]
    b_values = {
        "workspace": b.workspace.id,
        "entry": b_ids[0],
        "cursor": b_page.next_cursor.encode(),
        "teammate": "tm_bravo_only",
        "token": b_token.id,
        "search": B_MARKER,  # words of B's metadata; the same in a URL as in a page, so echoes of it are blanked
    }
    a_values = {"workspace": a.workspace.id, "entry": a_ids[0], "teammate": "tm1", "token": a_token.id}
    b_secrets = {
        *b_ids,
        B_MARKER,
        "Bravo Private Co",
        "Bravo Person",
        "bravo.person@bravo.test",
        "198.51.100.77",
        b.workspace.id,
        *(t.id for t in tokens.list_tokens(log, b.workspace)),
    }
    count = log.count(b.workspace.id, ActivityFilter())
    window_end_s = int(time.time()) + 1
    time.sleep(window_end_s - time.time() + 0.01)  # everything the probes write comes after the window
    keys = [f"bravo-key-{i}" for i in range(len(b_items))]
    return World(server, a, b, b_values, a_values, b_secrets, count, window_end_s, keys)


def missing_value(kind: str, world: World) -> str:
    """A value of the same shape as B's that names nothing anywhere."""
    if kind == "entry":
        return ids.entry_id(now_us())
    if kind == "cursor":
        decoded = Cursor.decode(world.b_values["cursor"])
        return Cursor(decoded.occurred_us, ids.entry_id(decoded.occurred_us)).encode()
    if kind == "idempotency_key":
        return f"bravo-key-missing-{secrets.token_hex(4)}"
    if kind == "workspace":
        return f"ws_missing_{secrets.token_hex(4)}"
    if kind == "token":
        return f"tok_{secrets.token_hex(10)}"
    if kind == "search":
        return f"nowhere-{secrets.token_hex(4)}-marker"
    return f"{kind}_missing_{secrets.token_hex(4)}"


# --- The routes ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    header_params: tuple[str, ...]

    @property
    def page(self) -> bool:
        return self.path == "/" or self.path.startswith("/a/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's include_router keeps the router
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def endpoints() -> list[Endpoint]:
    app = create_app(load(database_url="sqlite:///:memory:"))
    document = app.openapi()["paths"]
    found = []
    for route in _routes(app.routes):
        if isinstance(route, Mount):
            assert route.path == "/static", f"a new mount {route.path}: add it to the isolation matrix"
            continue  # the console's static files: the same for everyone
        assert isinstance(route, Route), route
        for method in sorted((route.methods or set()) - {"HEAD"}):
            operation = document.get(route.path, {}).get(method.lower(), {})
            declared = operation.get("parameters", [])
            path_params = tuple(re.findall(r"{(\w+)(?::\w+)?}", route.path))
            query = tuple(p["name"] for p in declared if p["in"] == "query")
            headers = tuple(p["name"] for p in declared if p["in"] == "header")
            found.append(Endpoint(method, route.path, path_params, query, headers))
    return found


ENDPOINTS = endpoints()
API = [e for e in ENDPOINTS if not e.page]
PAGES = [e for e in ENDPOINTS if e.page]
# Credentials of workspace A on the API; the console's (a signed-in session) is `Console` below.
API_CREDENTIALS: dict[str, Callable[[Tenant], dict[str, str]]] = {
    "api token": lambda tenant: tenant.headers("rw"),
}


def test_every_parameter_and_write_route_is_classified() -> None:
    for endpoint in ENDPOINTS:
        for name in (*endpoint.path_params, *endpoint.query_params, *endpoint.header_params):
            assert name in PARAMETERS, f"{endpoint}: classify parameter {name!r} in PARAMETERS"
        if endpoint.method != "GET" and not endpoint.page:
            assert (endpoint.method, endpoint.path) in BODIES, f"{endpoint}: add a body template to BODIES"
    assert {str(e) for e in API} >= {"GET /v1/events/{entry_id}", "POST /v1/events", "GET /admins/activity_logs"}


# --- Probing ------------------------------------------------------------------------------------------------


def slots(endpoint: Endpoint) -> list[tuple[str, str, str]]:
    """(where, name, kind) of each parameter that names workspace data."""
    found = [(where, name, PARAMETERS[name]) for where, names in _places(endpoint) for name in names]
    body = BODIES.get((endpoint.method, endpoint.path))
    found += [("body", kind, kind) for kind in sorted(body[0])] if body else []
    return [(where, name, kind) for where, name, kind in found if kind is not None]


def _places(endpoint: Endpoint) -> list[tuple[str, tuple[str, ...]]]:
    return [("path", endpoint.path_params), ("query", endpoint.query_params), ("header", endpoint.header_params)]


def filled_path(endpoint: Endpoint, world: World, probe: Probe) -> str:
    """The endpoint's path with each parameter set to the probed value of its kind, else A's own, else nothing's."""
    path = endpoint.path
    for name in endpoint.path_params:
        kind = PARAMETERS[name] or ""
        value = probe.values.get(kind) or world.a_values.get(kind) or missing_value(kind, world)
        path = path.replace("{" + name + "}", value)
    return path


def request(
    http: httpx.Client, world: World, endpoint: Endpoint, credential: dict[str, str], probe: Probe
) -> httpx.Response:
    path = filled_path(endpoint, world, probe)
    query = {k: v for k, v in neutral_query(world).items() if k in endpoint.query_params}
    headers = dict(credential)
    for where, name, kind in slots(endpoint):
        if kind in probe.values and where == "query":
            query[name] = probe.values[kind]
        elif kind in probe.values and where == "header":
            headers[name] = probe.values[kind]
    body = BODIES.get((endpoint.method, endpoint.path))
    extra = body[1](probe, world) if body else {}
    return http.request(endpoint.method, path, params=query, headers=headers, **extra)


_ENTRY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_REQUEST_ID = re.compile(r'"request_id":\s*"[^"]*"')
COMPARED_HEADERS = ("content-type", "content-disposition", "x-total-count", "retry-after", "allow", "www-authenticate")


def normalised(answer: httpx.Response, value: str, *, new_ids: bool) -> tuple[Any, ...]:
    """The answer with the probed value (and the request id, and ids this request created) blanked out."""
    text = answer.text.replace(value, "<probed>")
    text = _REQUEST_ID.sub('"request_id": "<rid>"', text).replace(answer.headers.get("x-request-id", "-"), "<rid>")
    if new_ids:
        text = _ENTRY_ID.sub("<new id>", text)
    headers = {name: answer.headers.get(name, "").replace(value, "<probed>") for name in COMPARED_HEADERS}
    location = answer.headers.get("location", "").replace(value, "<probed>")
    if new_ids:
        location = _ENTRY_ID.sub("<new id>", location)
    replayed = answer.headers.get("idempotent-replayed")
    return answer.status_code, text, headers, location, replayed


def assert_nothing_of_b(answer: httpx.Response, world: World, probed: str | None, where: str) -> None:
    shown = answer.text + "\n" + "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
    if probed is not None:
        shown = shown.replace(probed, "<probed>")
    leaked = sorted(secret for secret in world.b_secrets if secret in shown)
    assert not leaked, f"{where}: B's data in an answer to A: {leaked}\n{answer.text[:500]}"


@pytest.fixture(scope="module")
def world(module_server: Running) -> World:
    return build_world(module_server)


@pytest.fixture(scope="module")
def http(module_server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=module_server.base_url, timeout=30, follow_redirects=False) as client:
        yield client


@pytest.mark.parametrize("credential", sorted(API_CREDENTIALS))
@pytest.mark.parametrize("endpoint", API, ids=str)
def test_a_credential_of_a_never_reaches_b(
    world: World, http: httpx.Client, endpoint: Endpoint, credential: str
) -> None:
    headers = API_CREDENTIALS[credential](world.a)
    plain = request(http, world, endpoint, headers, Probe())
    assert_nothing_of_b(plain, world, None, f"{endpoint} (A's own values)")
    for where, name, kind in slots(endpoint):
        b_value = world.b_value(kind)
        control = missing_value(kind, world)
        with_b = request(http, world, endpoint, headers, Probe({kind: b_value}))
        with_missing = request(http, world, endpoint, headers, Probe({kind: control}))
        label = f"{endpoint}, {where} {name} = B's {kind}"
        assert_nothing_of_b(with_b, world, b_value, label)
        writes = endpoint.method != "GET"
        assert normalised(with_b, b_value, new_ids=writes) == normalised(with_missing, control, new_ids=writes), label
    assert world.server.log.count(world.b.workspace.id, ActivityFilter()) == world.b_count


def test_b_sees_none_of_what_a_wrote(world: World, http: httpx.Client) -> None:
    """After every probe (some wrote to A with B's keys and teammates), B's log and B's token see only B's."""
    answer = http.get("/v1/events", params={"limit": 500}, headers=world.b.headers())
    assert answer.status_code == 200
    before = {entry.id for entry in world.server.log.query(world.b.workspace.id, ActivityFilter(), limit=500).entries}
    assert len(before) == world.b_count
    assert {e["id"] for e in answer.json()["data"]} == before
    assert world.server.log.store.get_entry(world.b.workspace.id, world.a_values["entry"]) is None


# --- The console ---------------------------------------------------------------------------------------------

# Page forms, by route: what each posts besides its CSRF token, with the kinds of data the form names.
PAGE_FORMS: dict[str, tuple[set[str], Callable[[Probe, World], dict[str, str]]]] = {
    "/a/{workspace_id}/settings/teammates/{teammate_id}": (set(), lambda probe, world: {"action": "delete"}),
    "/a/{workspace_id}/settings/invites/{invite_id}": (set(), lambda probe, world: {"action": "delete"}),
    "/a/{workspace_id}/settings/roles/{role_id}": (set(), lambda probe, world: {"action": "delete"}),
    "/a/{workspace_id}/settings/teammates/invite": (
        {"role"},
        lambda probe, world: {"email": f"new-{secrets.token_hex(3)}@alpha.test", "role_id": probe.values["role"]},
    ),
    "/a/{workspace_id}/settings/activity-logs/download": (set(), lambda probe, world: {"format": "csv"}),
    "/a/{workspace_id}/join/{token}": (
        set(),
        lambda probe, world: {"name": "New", "password": "a long new password 7"},
    ),
}
# The activity log's filter names teammates in the query string of its page, its batches, histogram and CSV.
ACTIVITY_PAGES = ("", "/entries", "/histogram", "/download")
_NONCE = re.compile(r"nonce-[A-Za-z0-9+/=_-]+|nonce=\"[^\"]*\"")
_CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


@dataclass
class Console:
    """A signed-in session of an admin of A (every permission), as a sign-in leaves it."""

    session: str
    csrf: str

    def headers(self, world: World) -> dict[str, str]:
        return {"Cookie": f"al_session={self.session}", "Origin": world.server.base_url}


@pytest.fixture(scope="module")
def console(world: World) -> Console:
    store = world.server.log.store
    a, b = world.a.workspace.id, world.b.workspace.id
    session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.transaction(a) as tx:
        tx.execute(
            "INSERT INTO teammates (workspace_id, id, name, email, status, permissions, kind) "
            "VALUES (?, ?, ?, ?, ?, ?, 'member')",
            (a, "tm_alpha_admin", "Alpha Admin", "admin@alpha.test", "active", serialise(PERMISSIONS)),
        )
        tx.execute(
            "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, "
            "last_seen_us) VALUES (?, ?, ?, ?, 'complete', ?, ?)",
            (token_hash(session), a, "tm_alpha_admin", csrf, now_us(), now_us()),
        )
    # B gets a role and an open invite (with its link's token) for A's session to aim at.
    invite_token = f"bravo-invite-{secrets.token_hex(8)}"
    with store.transaction(b) as tx:
        tx.execute(
            "INSERT INTO roles (workspace_id, id, name, permissions, created_us) VALUES (?, ?, ?, ?, ?)",
            (b, "role_bravo_only", "Bravo Private Role", serialise(PERMISSIONS), now_us()),
        )
        tx.execute(
            "INSERT INTO invites (workspace_id, id, email, role_id, token_hash, created_us, expires_us) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (b, "inv_bravo_only", "invitee@bravo.test", "role_bravo_only", token_hash(invite_token), now_us(),
             now_us() + 86_400_000_000),
        )  # fmt: skip
    signed_in = Console(session, csrf)
    with httpx.Client(base_url=world.server.base_url, timeout=30) as http:
        own = http.get(f"/a/{a}/settings/activity-logs", headers=signed_in.headers(world))
    assert own.status_code == 200, own.text  # the session is real: A's own log opens
    assert "Alpha Admin" in own.text
    world.b_values.update({"role": "role_bravo_only", "invite": "inv_bravo_only", "invite_token": invite_token})
    world.b_secrets.update({"role_bravo_only", "Bravo Private Role", "inv_bravo_only", "invitee@bravo.test"})
    return signed_in


def page_slots(endpoint: Endpoint) -> list[tuple[str, str, str]]:
    """(where, name, kind) of each parameter of a page that names workspace data other than the workspace."""
    found = [("path", name, PARAMETERS[name]) for name in endpoint.path_params]
    if any(endpoint.path == f"/a/{{workspace_id}}/settings/activity-logs{tail}" for tail in ACTIVITY_PAGES):
        found.append(("query", "teammate", "teammate"))
        found.append(("query", "q", "search"))
    form = PAGE_FORMS.get(endpoint.path)
    if form is not None and endpoint.method == "POST":
        found += [("form", kind, kind) for kind in sorted(form[0])]
    return [(where, name, kind) for where, name, kind in found if kind not in (None, "workspace")]


def page_request(
    http: httpx.Client, world: World, endpoint: Endpoint, headers: dict[str, str], csrf: str, probe: Probe
) -> httpx.Response:
    path = filled_path(endpoint, world, probe)
    query = {"teammate": probe.values["teammate"]} if "teammate" in probe.values else {}
    # B's entries are of this type; the probes' own downloads (logged in A with the search in their sentence,
    # "matching ...") are not, so A's answer to B's words stays what it is for words of nobody's.
    query |= {"q": probe.values["search"], "type": "app_name_change"} if "search" in probe.values else {}
    query |= {"range": "custom", "to": iso(world.window_end_s * 1_000_000)[:10]} if "activity-logs" in path else {}
    if endpoint.method == "GET":
        return http.get(path, params=query, headers=headers)
    form = PAGE_FORMS.get(endpoint.path)
    data = {"csrf_token": csrf, **(form[1](probe, world) if form else {})}
    return http.post(path, params=query, data=data, headers=headers)


def normalised_page(answer: httpx.Response, value: str) -> tuple[Any, ...]:
    """A page's answer with the probed value, the request id, CSP nonces and one-time form tokens blanked out."""
    text = answer.text.replace(value, "<probed>").replace(answer.headers.get("x-request-id", "-"), "<rid>")
    text = _CSRF_VALUE.sub('name="csrf_token" value="<token>"', _NONCE.sub("<nonce>", text))
    text = re.sub(r"new-[0-9a-f]{6}@alpha\.test", "<email>", text)
    location = answer.headers.get("location", "").replace(value, "<probed>")
    return answer.status_code, text, answer.headers.get("content-type"), location


PROBED_PAGES = [endpoint for endpoint in PAGES if page_slots(endpoint)]


def test_the_console_pages_that_name_data_are_probed() -> None:
    assert all(name in PARAMETERS for endpoint in PAGES for name in endpoint.path_params)
    probed = {str(endpoint) for endpoint in PROBED_PAGES}
    assert {
        "GET /a/{workspace_id}/settings/activity-logs",
        "POST /a/{workspace_id}/settings/teammates/{teammate_id}",
        "POST /a/{workspace_id}/settings/roles/{role_id}",
        "POST /a/{workspace_id}/settings/invites/{invite_id}",
        "POST /a/{workspace_id}/settings/api-tokens/{token_id}/revoke",
        "GET /a/{workspace_id}/join/{token}",
    } <= probed


@pytest.mark.parametrize("endpoint", PROBED_PAGES, ids=str)
def test_a_console_session_of_a_never_reaches_b(
    world: World, console: Console, http: httpx.Client, endpoint: Endpoint
) -> None:
    headers = console.headers(world)
    for where, name, kind in page_slots(endpoint):
        b_value = world.b_values[kind]
        control = missing_value(kind, world)
        with_b = page_request(http, world, endpoint, headers, console.csrf, Probe({kind: b_value}))
        with_missing = page_request(http, world, endpoint, headers, console.csrf, Probe({kind: control}))
        label = f"{endpoint}, {where} {name} = B's {kind}"
        # Answered as for a value that names nothing: refused as unknown (404, 422), or an empty log (200).
        assert with_b.status_code in (200, 404, 422), label
        assert_nothing_of_b(with_b, world, b_value, label)
        assert normalised_page(with_b, b_value) == normalised_page(with_missing, control), label
    b = world.b.workspace.id
    still = world.server.log.store.read(
        "SELECT (SELECT count(*) FROM teammates WHERE workspace_id = ? AND id = 'tm_bravo_only' AND status = 'active'),"
        " (SELECT count(*) FROM roles WHERE workspace_id = ? AND id = 'role_bravo_only'),"
        " (SELECT count(*) FROM invites WHERE workspace_id = ? AND id = 'inv_bravo_only' AND revoked_us IS NULL"
        " AND accepted_us IS NULL)",
        (b, b, b),
    )
    assert still == [(1, 1, 1)], f"{endpoint} changed B's teammate, role or invite"
    assert world.server.log.count(b, ActivityFilter()) == world.b_count


@pytest.mark.parametrize("endpoint", [e for e in PAGES if "workspace_id" in e.path_params], ids=str)
def test_a_session_of_a_opens_nothing_of_b(
    world: World, console: Console, http: httpx.Client, endpoint: Endpoint
) -> None:
    """On B's pages, A's session (and A's CSRF token) gets exactly what a stranger gets."""
    probe = Probe({"workspace": world.b.workspace.id, **{k: world.b_values[k] for k in ("teammate", "role")}})
    with_session = page_request(http, world, endpoint, console.headers(world), console.csrf, probe)
    stranger = page_request(http, world, endpoint, {"Origin": world.server.base_url}, console.csrf, probe)
    assert with_session.status_code < 500, endpoint
    assert normalised_page(with_session, "-") == normalised_page(stranger, "-"), endpoint
    assert world.server.log.count(world.b.workspace.id, ActivityFilter()) == world.b_count
