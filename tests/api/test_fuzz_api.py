"""Schemathesis over the OpenAPI document, against a real server: no 5xx, every answer as documented, no
partial write. Hypothesis over the opaque tokens (cursors) every surface takes back, the console included:
a token this service would not issue is a 4xx naming the parameter, never a 5xx."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from schemathesis import Case, checks

from activitylog.app import create_app
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import BadRequest
from activitylog.settings import load
from tests.support import people
from tests.support.activity_page import PageServer, Visitor
from tests.support.factories import ago, event
from tests.support.opaque import cursor_tokens
from tests.support.running import Running
from tests.support.servers import Tenant

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))


@pytest.fixture(scope="module")
def fuzzed(module_server: Running) -> Tenant:
    tenant = module_server.tenant()
    module_server.log.record(tenant.workspace.id, [event(occurred_at=ago(minutes=i)) for i in range(30)])
    return tenant


# The document as the app builds it (no server needed to build it); requests go to the module's server.
schema = schemathesis.openapi.from_dict(create_app(load(database_url="sqlite:///:memory:")).openapi())
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, database="none", allow_extra_parameters=False, with_security_parameters=False
)
# Left out on purpose:
# - positive_data_acceptance: some rules cannot be said in JSON Schema (known type codes, IP syntax, `until`
#   after `since`, cursors this service issued), so a schema-valid request may rightly get a 4xx;
# - negative_data_rejection: the API is lenient where the README says so (unknown query parameters are
#   ignored, an empty parameter is no filter, Intercom's numbers may come as strings).
EXCLUDED = [checks.positive_data_acceptance, checks.negative_data_rejection]


@schema.parametrize()
def test_the_api_keeps_its_document(case: Case, module_server: Running, fuzzed: Tenant) -> None:
    count = module_server.log.store.count
    before = count(fuzzed.workspace.id, ActivityFilter())
    response = case.call_and_validate(
        base_url=module_server.base_url, headers=fuzzed.headers(), excluded_checks=EXCLUDED
    )
    after = count(fuzzed.workspace.id, ActivityFilter())
    if case.method == "POST" and case.path == "/v1/events" and response.status_code == 201:
        assert after - before == response.json()["created"]
    elif case.path.endswith(".csv") and response.status_code == 200:
        assert after == before + 1  # the download's own data_export_run entry
    else:
        assert after == before, (response.status_code, response.text[:300])


def test_a_wrong_method_names_every_method_of_the_path(module_server: Running, fuzzed: Tenant) -> None:
    """Found by the fuzzing: `Allow` named only the first route's methods (POST for /v1/events), or none."""
    with httpx.Client(base_url=module_server.base_url, headers=fuzzed.headers()) as http:
        for method, path, allowed in (
            ("OPTIONS", "/v1/events", "GET, POST"),
            ("DELETE", "/v1/events/some-id", "GET"),
            ("PUT", "/admins/activity_logs/search", "POST"),
        ):
            answer = http.request(method, path)
            assert answer.status_code == 405
            assert answer.headers["allow"] == allowed


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        ("/admins/activity_logs", {"created_at_after": "2214719075268462379008"}, 400, "created_at_after"),  # was 500
        ("/v1/events", {"since": "²"}, 422, "since"),  # str.isdigit: was a 500
        ("/v1/events.csv", {"since": "-99999999999"}, 422, "since"),  # year 0 in the file name: was a 500
        ("/v1/events", {"teammate": "a\x00b"}, 422, "teammate"),  # PostgreSQL refuses NUL: was a 500 there
        ("/v1/events/a%00b", {}, 404, "id"),  # the same, in a path
    ],
)
def test_what_the_fuzzing_found_stays_fixed(
    module_server: Running, fuzzed: Tenant, path: str, params: dict[str, str], status: int, field: str
) -> None:
    answer = httpx.get(f"{module_server.base_url}{path}", params=params, headers=fuzzed.headers())
    assert answer.status_code == status, answer.text[:300]
    body = answer.json()
    fields = [e["field"] for e in body["errors"]] if "errors" in body else [body["error"]["field"]]
    assert field in fields


def test_an_empty_cursor_is_no_cursor(module_server: Running, fuzzed: Tenant) -> None:
    answer = httpx.get(f"{module_server.base_url}/v1/events", params={"cursor": ""}, headers=fuzzed.headers())
    assert answer.status_code == 200


def test_an_entry_id_with_nul_is_a_404_for_a_proof_on_both_backends(module_server: Running, fuzzed: Tenant) -> None:
    """Found by the fuzzing: PostgreSQL refuses to compare text holding NUL, and the proof route let it try."""
    answer = httpx.get(
        f"{module_server.base_url}/v1/integrity/proof",
        params={"entry_id": "\u009b\U000ac3e3\x00"},
        headers=fuzzed.headers(),
        timeout=10,
    )
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["field"] == "entry_id"


# --- Opaque tokens, on every surface that takes one back ------------------------------------------------------


@pytest.fixture(scope="module")
def console(module_server: Running) -> Iterator[Visitor]:
    """An admin of a workspace with entries, signed in to the module's server's console."""
    org = people.org(module_server.log.store)
    module_server.log.record(org.id, [event(occurred_at=ago(minutes=i)) for i in range(30)])
    visitor = Visitor(PageServer(module_server.base_url, module_server.log), org).signed_in("tm_admin")
    yield visitor
    visitor.http.close()


def issued(token: str) -> bool:
    """Whether the service takes the token as a cursor (the empty one is no cursor, as an empty filter is none)."""
    if not token:
        return True
    try:
        Cursor.decode(token)
    except BadRequest:
        return False
    return True


def named(answer: httpx.Response, field: str) -> bool:
    body = answer.json()
    errors = body["errors"] if "errors" in body else body["error"]["errors"]
    return field in [e["field"] for e in errors]


@settings(max_examples=max(100, MAX_EXAMPLES), deadline=None, suppress_health_check=list(HealthCheck))
@given(token=cursor_tokens)
@example(token=Cursor(10**22, "abc").encode())  # issue 12: past 64 bits, a 500 on SQLite everywhere
@example(token=Cursor(-1, "abc").encode())
@example(token=Cursor(2**63, "01a23b24-3dd6-7163-aa0a-e42558f8d8d8").encode())
def test_any_cursor_is_taken_or_refused_naming_it_on_every_surface(
    module_server: Running, fuzzed: Tenant, console: Visitor, token: str
) -> None:
    good = issued(token)
    with httpx.Client(base_url=module_server.base_url, headers=fuzzed.headers(), timeout=30) as http:
        native = http.get("/v1/events", params={"cursor": token})
        listed = http.get("/admins/activity_logs", params={"created_at_after": 0, "starting_after": token})
        searched = http.post(
            "/admins/activity_logs/search", params={"starting_after": token}, json={"created_at_after": 0}
        )
    page = console.get("", params={"cursor": token})
    entries = console.get("/entries", params={"cursor": token})
    answers = {"native": native, "list": listed, "search": searched, "page": page, "entries": entries}
    if good:
        assert all(a.status_code == 200 for a in answers.values()), {k: a.status_code for k, a in answers.items()}
        return
    assert native.status_code == 400, native.text[:300]
    assert named(native, "cursor")
    for intercom in (listed, searched):
        assert intercom.status_code == 400, intercom.text[:300]
        assert intercom.json()["errors"][0] == {
            "code": "parameter_invalid",
            "field": "starting_after",
            "message": "starting_after is not a cursor this service issued",
        }
    for html in (page, entries):
        assert html.status_code == 422, html.text[:300]
        assert "<strong>cursor</strong>" in html.text or "cursor: " in html.text
