"""`q` on GET /v1/events and /v1/events.csv: the one search language, and a bad search a 422 naming `q`."""

from __future__ import annotations

import csv
import io

import httpx

from tests.support.factories import ago, event
from tests.support.servers import Tenant


def record(http: httpx.Client, tenant: Tenant) -> dict[str, str]:
    events = {
        "rename": event(name="Beth-Ann Sher", metadata={"before": "Acme", "after": "Tomás Inc."}, ip="203.0.113.9"),
        "failure": event("admin_login_failure", actor_id="tm2", name="Samuel Adeyemi", email="sam@acme.test"),
        "logout": event("admin_logout", name="Beth-Ann Sher", ip="198.51.100.4"),
    }
    for n, item in enumerate(events.values()):
        item["occurred_at"] = ago(minutes=10 - n)
    answer = http.post("/v1/events", json={"events": list(events.values())}, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return dict(zip(events, [item["id"] for item in answer.json()["items"]], strict=True))


def listed(http: httpx.Client, tenant: Tenant, **params: str) -> list[str]:
    answer = http.get("/v1/events", params=params, headers=tenant.headers("read"))
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["data"]]


def test_q_searches_words_phrases_and_fields_with_the_other_filters(http: httpx.Client, tenant: Tenant) -> None:
    made = record(http, tenant)
    assert listed(http, tenant, q="tomas") == [made["rename"]]
    assert listed(http, tenant, q='"acme to tomas inc"') == [made["rename"]]
    assert set(listed(http, tenant, q="actor:beth")) == {made["rename"], made["logout"]}
    assert listed(http, tenant, q="actor:beth", type="admin_logout") == [made["logout"]]
    assert listed(http, tenant, q="actor:beth ip:198.51.100.0/24") == [made["logout"]]
    assert listed(http, tenant, q="type:admin_login_failure adeyemi") == [made["failure"]]
    assert listed(http, tenant, q="quokka") == []
    assert listed(http, tenant, q="") == listed(http, tenant)  # an empty search is no search
    # Pages by cursor like any filter.
    first = http.get("/v1/events", params={"q": "beth", "limit": 1}, headers=tenant.headers()).json()
    rest = http.get("/v1/events", params={"q": "beth", "cursor": first["next_cursor"]}, headers=tenant.headers())
    assert [first["data"][0]["id"], *(item["id"] for item in rest.json()["data"])] == [made["logout"], made["rename"]]


def test_the_csv_holds_what_the_search_finds(http: httpx.Client, tenant: Tenant) -> None:
    made = record(http, tenant)
    answer = http.get("/v1/events.csv", params={"q": "actor:beth"}, headers=tenant.headers())
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["Entry ID"] for row in rows] == [made["logout"], made["rename"]]
    exported = listed(http, tenant, type="data_export_run")
    assert len(exported) == 1
    logged = http.get(f"/v1/events/{exported[0]}", headers=tenant.headers()).json()
    assert logged["metadata"]["filters"]["q"] == "actor:beth"
    assert "matching “actor:beth”" in logged["sentence"]


def test_a_bad_search_is_a_422_naming_q(http: httpx.Client, tenant: Tenant) -> None:
    for q, reason in [
        ('"unclosed', "quote is not closed"),
        ("colour:red", "unknown field"),
        ("type:nope", "unknown activity type"),
        ("ip:999.1.1.1", "not an IP address"),
        ("!!!", "no words to search for"),
    ]:
        for path in ("/v1/events", "/v1/events.csv"):
            answer = http.get(path, params={"q": q}, headers=tenant.headers())
            assert answer.status_code == 422, (path, q, answer.text)
            error = answer.json()["error"]
            assert error["field"] == "q", error
            assert reason in error["message"], error
    too_long = http.get("/v1/events", params={"q": "x" * 3000}, headers=tenant.headers())
    assert too_long.status_code == 422
    assert too_long.json()["error"]["field"] == "q"
