"""How each entry arrived, through the API on both backends (issue 17): a POST records `api` and the token that
sent it, whatever the body claims; `GET /v1/events` and the CSV show it with the token's current name (renamed,
revoked, escaped for spreadsheets); entries without a channel read as null; Intercom's routes keep their shape."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from activitylog import tokens
from activitylog.domain.channel import CONSOLE
from activitylog.domain.filters import ActivityFilter
from activitylog.export.csv import COLUMNS
from activitylog.storage.base import ApiToken
from tests.support.factories import event
from tests.support.formulas import formula_starts
from tests.support.running import Running
from tests.support.servers import Tenant

# After "API · " no value starts a cell, but a spreadsheet splitting on `;` starts one inside the name.
INJECTION = "Bot;=HYPERLINK(1)"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def http(module_server: Running) -> Any:
    with httpx.Client(base_url=module_server.base_url, timeout=10) as client:
        yield client


@pytest.fixture
def tenant(module_server: Running) -> Tenant:
    return module_server.tenant()


def token_of(module_server: Running, secret: str) -> ApiToken:
    found = tokens.authenticate(module_server.log, secret)
    assert found is not None
    return found


def listed(http: httpx.Client, tenant: Tenant, **params: Any) -> list[dict[str, Any]]:
    answer = http.get("/v1/events", params={"limit": 500, **params}, headers=tenant.headers())
    assert answer.status_code == 200, answer.text
    data: list[dict[str, Any]] = answer.json()["data"]
    return data


def test_a_post_records_the_api_and_the_token_that_sent_it(
    http: httpx.Client, tenant: Tenant, module_server: Running
) -> None:
    writer = token_of(module_server, tenant.write)
    single = http.post("/v1/events", json=event(), headers=tenant.headers("write"))
    batch = http.post("/v1/events", json={"events": [event(), event("admin_logout")]}, headers=tenant.headers("write"))
    assert single.status_code == batch.status_code == 201, (single.text, batch.text)
    ids = [single.json()["items"][0]["id"], *(item["id"] for item in batch.json()["items"])]
    for entry_id in ids:
        stored = module_server.log.get_entry(tenant.workspace.id, entry_id)
        assert stored.via == f"api:{writer.id}"
        one = http.get(f"/v1/events/{entry_id}", headers=tenant.headers()).json()
        assert one["via"] == {"kind": "api", "token": {"id": writer.id, "name": "write token", "revoked": False}}


@pytest.mark.parametrize(
    "body",
    [
        {**event(), "via": "console"},
        {**event(), "via": {"kind": "console"}},
        {"events": [event(), {**event(), "via": "system"}]},
        {**event(), "channel": "console"},
    ],
    ids=["via as text", "via as the API's shape", "in a batch", "channel"],
)
def test_a_client_cannot_claim_another_channel_in_the_body(
    http: httpx.Client, tenant: Tenant, module_server: Running, body: dict[str, Any]
) -> None:
    answer = http.post("/v1/events", json=body, headers=tenant.headers())
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["error"]["errors"]
    assert problem["field"] in ("via", "channel")
    assert problem["message"] == "is not a known field"
    assert module_server.log.count(tenant.workspace.id, ActivityFilter(types=("app_name_change",))) == 0


def test_the_token_is_shown_by_its_current_name_and_revocation(
    http: httpx.Client, tenant: Tenant, module_server: Running
) -> None:
    issued = tokens.create_token(module_server.log, tenant.workspace.id, name="Deploy bot", scopes="write")
    http.post("/v1/events", json=event(), headers={"Authorization": f"Bearer {issued.secret}"})
    [entry] = listed(http, tenant, type="app_name_change")
    assert entry["via"]["token"] == {"id": issued.token.id, "name": "Deploy bot", "revoked": False}
    with module_server.log.transaction(tenant.workspace) as tx:  # no console route renames one yet: as one would
        tx.execute("UPDATE api_tokens SET name = ? WHERE id = ?", (XSS, issued.token.id))
    assert listed(http, tenant, type="app_name_change")[0]["via"]["token"]["name"] == XSS
    tokens.revoke_token(module_server.log, tenant.workspace.id, issued.token.id)
    [entry] = listed(http, tenant, type="app_name_change")
    assert entry["via"] == {"kind": "api", "token": {"id": issued.token.id, "name": XSS, "revoked": True}}


def test_an_entry_without_a_channel_reads_as_null(http: httpx.Client, tenant: Tenant, module_server: Running) -> None:
    """As entries recorded before channels were kept (and by applications embedding the library)."""
    entry_id = module_server.log.record_one(tenant.workspace.id, event())
    assert http.get(f"/v1/events/{entry_id}", headers=tenant.headers()).json()["via"] is None
    [row] = csv_rows(http, tenant)
    assert row["Channel"] == ""


def csv_rows(http: httpx.Client, tenant: Tenant) -> list[dict[str, str]]:
    answer = http.get("/v1/events.csv", params={"type": "app_name_change"}, headers=tenant.headers())
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_csv_ends_with_the_channel_and_guards_the_token_name(
    http: httpx.Client, tenant: Tenant, module_server: Running
) -> None:
    issued = tokens.create_token(module_server.log, tenant.workspace.id, name=INJECTION, scopes="write")
    http.post("/v1/events", json=event(), headers={"Authorization": f"Bearer {issued.secret}"})
    module_server.log.record_one(tenant.workspace.id, event(), channel=CONSOLE)
    answer = http.get("/v1/events.csv", params={"type": "app_name_change"}, headers=tenant.headers())
    header = answer.content.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(",") == list(COLUMNS)
    assert COLUMNS[-1] == "Channel"
    console, api = csv_rows(http, tenant)
    assert console["Channel"] == "console"
    assert api["Channel"] == "API · Bot;'=HYPERLINK(1)"  # a formula no spreadsheet runs
    assert not formula_starts(answer.content.decode("utf-8-sig"))
    # The download itself came through the API, by the reading token.
    downloads = module_server.log.iter_entries(tenant.workspace.id, ActivityFilter(types=("data_export_run",)))
    assert {d.via for d in downloads} == {f"api:{token_of(module_server, tenant.rw).id}"}


def test_intercom_s_shape_has_no_channel(http: httpx.Client, tenant: Tenant) -> None:
    http.post("/v1/events", json=event(), headers=tenant.headers())
    answer = http.get("/admins/activity_logs", params={"created_at_after": 0}, headers=tenant.headers())
    assert answer.status_code == 200, answer.text
    logs = answer.json()["activity_logs"]
    assert logs
    for item in logs:
        assert "via" not in item
        assert "channel" not in item
