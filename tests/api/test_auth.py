"""Tokens over HTTP: 401 without a valid token, 403 without the scope, and nothing of another workspace."""

from __future__ import annotations

import time

import httpx
import pytest

from activitylog import tokens
from activitylog.service import ActivityLog
from activitylog.settings import Settings
from tests.support.factories import event
from tests.support.servers import Tenant, new_tenant

READS = [
    ("GET", "/v1/events"),
    ("GET", "/v1/events.csv"),
    ("GET", "/v1/activity-types"),
    ("GET", "/v1/teammates"),
    ("GET", "/admins/activity_logs?created_at_after=0"),
    ("GET", "/admins/activity_log_event_types"),
    ("POST", "/admins/activity_logs/search"),
]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer al_nope", "Basic dXNlcjpwYXNz", "al_x"])
@pytest.mark.parametrize(("method", "path"), [*READS, ("POST", "/v1/events")])
def test_missing_or_bad_token_is_401(http: httpx.Client, method: str, path: str, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = http.request(method, path, headers=headers, json={"created_at_after": 0})
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    body = answer.json()
    if path.startswith("/admins"):
        assert body["type"] == "error.list"
        assert body["errors"] == [{"code": "unauthorized", "message": "Access Token Invalid", "field": None}]
    else:
        assert body["error"]["code"] == "unauthorized"


def test_a_revoked_token_is_401_within_the_token_cache_time(
    http: httpx.Client, api_log: ActivityLog, tenant: Tenant
) -> None:
    issued = tokens.create_token(api_log, tenant.workspace.id, name="short-lived", scopes="read")
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert http.get("/v1/events", headers=headers).status_code == 200  # now cached by the server
    tokens.revoke_token(api_log, tenant.workspace.id, issued.token.id)
    revoked_at = time.monotonic()
    while http.get("/v1/events", headers=headers).status_code != 401:
        assert time.monotonic() - revoked_at < Settings().token_cache_seconds + 1
        time.sleep(0.05)


@pytest.mark.parametrize(("method", "path"), READS)
def test_a_write_only_token_may_not_read(http: httpx.Client, tenant: Tenant, method: str, path: str) -> None:
    answer = http.request(method, path, headers=tenant.headers("write"), json={"created_at_after": 0})
    assert answer.status_code == 403
    if path.startswith("/admins"):
        assert answer.json()["errors"][0]["code"] == "forbidden"
    else:
        assert answer.json()["error"]["code"] == "forbidden"


def test_a_read_only_token_may_not_write(http: httpx.Client, tenant: Tenant) -> None:
    answer = http.post("/v1/events", json=event(), headers=tenant.headers("read"))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert http.post("/v1/events", json=event(), headers=tenant.headers("write")).status_code == 201


def test_another_workspace_sees_nothing_of_this_one(http: httpx.Client, api_log: ActivityLog, tenant: Tenant) -> None:
    mine = http.post("/v1/events", json=event(key="shared-key"), headers=tenant.headers()).json()["items"][0]["id"]
    other = new_tenant(api_log, name="Other")
    # The same idempotency key in another workspace is another entry, not a duplicate.
    theirs = http.post("/v1/events", json=event(key="shared-key"), headers=other.headers()).json()["items"][0]
    assert theirs["status"] == "created"
    assert theirs["id"] != mine

    assert http.get(f"/v1/events/{mine}", headers=other.headers()).status_code == 404
    listed = http.get("/v1/events", params={"limit": 500}, headers=other.headers()).json()["data"]
    assert mine not in {e["id"] for e in listed}
    assert {e["id"] for e in listed} >= {theirs["id"]}
    assert mine not in http.get("/v1/events.csv", headers=other.headers()).text
    logs = http.get(
        "/admins/activity_logs", params={"created_at_after": 0, "per_page": 250}, headers=other.headers()
    ).json()["activity_logs"]
    assert mine not in {e["id"] for e in logs}
    people = http.get("/v1/teammates", headers=other.headers()).json()["data"]
    assert all(p["id"] != "tm1" or p["name"] == "Teammate 1" for p in people)  # its own teammates only
    assert len(people) == 4
