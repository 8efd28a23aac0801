"""The native API over real HTTP: record (single, batch, idempotent), query with every filter, get one entry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from activitylog.api.schemas import EventOut, EventPage, RecordResponse
from tests.support.factories import ago, event
from tests.support.servers import Tenant


def post(http: httpx.Client, tenant: Tenant, body: Any, **headers: str) -> httpx.Response:
    return http.post("/v1/events", json=body, headers={**tenant.headers(), **headers})


def ids(http: httpx.Client, tenant: Tenant, **params: Any) -> list[str]:
    answer = http.get("/v1/events", params={"limit": 500, **params}, headers=tenant.headers())
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["data"]]


def test_record_one_and_read_it_back(http: httpx.Client, tenant: Tenant) -> None:
    answer = post(http, tenant, event(ip="2001:DB8::1"))
    assert answer.status_code == 201
    body = RecordResponse.model_validate(answer.json())
    assert body.created == 1
    assert body.duplicates == 0
    [item] = body.items
    assert (item.index, item.status) == (0, "created")
    assert answer.headers["location"] == f"/v1/events/{item.id}"

    one = http.get(f"/v1/events/{item.id}", headers=tenant.headers())
    assert one.status_code == 200
    entry = EventOut.model_validate(one.json())
    assert entry.sentence == "Beth-Ann Sher changed the workspace name from Acme to Acme Inc."
    assert entry.ip == "2001:db8::1"
    assert entry.request_id == answer.headers["x-request-id"]  # the API request's id, stored on the entry


def test_single_retry_with_idempotency_key_answers_the_first_id(http: httpx.Client, tenant: Tenant) -> None:
    first = post(http, tenant, event(), **{"Idempotency-Key": "retry-1"})
    again = post(http, tenant, event(), **{"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert again.json()["items"][0]["id"] == first.json()["items"][0]["id"]
    assert again.json()["items"][0]["status"] == "duplicate"
    assert again.headers["idempotent-replayed"] == "true"
    assert len(ids(http, tenant, type="app_name_change")) == 1


def test_batch_is_written_whole_and_a_retry_writes_nothing(http: httpx.Client, tenant: Tenant) -> None:
    batch = {"events": [event(key=f"b{i}", occurred_at=ago(minutes=i)) for i in range(5)]}
    first = post(http, tenant, batch)
    assert first.status_code == 201
    assert [i["status"] for i in first.json()["items"]] == ["created"] * 5
    again = post(http, tenant, batch)
    assert again.status_code == 201
    assert again.json()["items"] == [{**i, "status": "duplicate"} for i in first.json()["items"]]
    assert again.json()["created"] == 0
    assert again.json()["duplicates"] == 5
    assert len(ids(http, tenant, type="app_name_change")) == 5


def test_a_batch_may_be_a_json_array_and_a_header_key_covers_every_item(http: httpx.Client, tenant: Tenant) -> None:
    batch = [event(), event(key="own")]
    first = post(http, tenant, batch, **{"Idempotency-Key": "whole"})
    again = post(http, tenant, batch, **{"Idempotency-Key": "whole"})
    assert [i["id"] for i in again.json()["items"]] == [i["id"] for i in first.json()["items"]]
    stored = http.get(f"/v1/events/{first.json()['items'][0]['id']}", headers=tenant.headers()).json()
    assert stored["idempotency_key"] == "whole:0"


def test_a_batch_of_a_thousand_is_accepted(http: httpx.Client, tenant: Tenant) -> None:
    answer = post(http, tenant, {"events": [event(type="admin_login_success") for _ in range(1000)]})
    assert answer.status_code == 201
    assert answer.json()["created"] == 1000


def test_every_filter(http: httpx.Client, tenant: Tenant) -> None:
    rows = [
        event("app_name_change", actor_id="tm1", name="Teammate 1", ip="203.0.113.7", occurred_at=ago(hours=5)),
        event("admin_login_success", actor_id="tm2", name="Teammate 2", ip="198.51.100.20", occurred_at=ago(hours=4)),
        event("role_creation", actor_id="tm3", name="Teammate 3", ip="2001:db8::5", occurred_at=ago(hours=3)),
        event("app_name_change", actor_id="tm2", name="Teammate 2", ip="203.0.113.9", occurred_at=ago(hours=2)),
    ]
    written = [i["id"] for i in post(http, tenant, {"events": rows}).json()["items"]]
    newest_first = list(reversed(written))
    assert ids(http, tenant, type="app_name_change") == [written[3], written[0]]
    assert ids(http, tenant, type="app_name_change,role_creation") == [written[3], written[2], written[0]]
    assert ids(http, tenant, teammate="tm2") == [written[3], written[1]]
    both = http.get("/v1/events", params=[("teammate", "tm1"), ("teammate", "tm3")], headers=tenant.headers()).json()[
        "data"
    ]
    assert [e["id"] for e in both] == [written[2], written[0]]
    assert ids(http, tenant, ip="203.0.113.0/24") == [written[3], written[0]]
    assert ids(http, tenant, ip="2001:db8::/32") == [written[2]]
    in_range = ids(http, tenant, since=ago(hours=4, minutes=30), until=ago(hours=2, minutes=30))
    assert in_range == [written[2], written[1]]
    assert ids(http, tenant, since=ago(hours=6), type="app_name_change,admin_login_success,role_creation") == (
        newest_first
    )


def test_pages_by_cursor_without_gaps_or_repeats(http: httpx.Client, tenant: Tenant) -> None:
    same_time = ago(hours=1)
    post(http, tenant, {"events": [event("admin_logout", occurred_at=same_time) for _ in range(25)]})
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"type": "admin_logout", "limit": 7, **({"cursor": cursor} if cursor else {})}
        page = EventPage.model_validate(http.get("/v1/events", params=params, headers=tenant.headers()).json())
        seen += [e.id for e in page.data]
        pages += 1
        assert page.has_more == (page.next_cursor is not None)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 4
    assert len(seen) == len(set(seen)) == 25


def test_entries_carry_their_sentence_and_reference_data_lists(http: httpx.Client, tenant: Tenant) -> None:
    data = http.get("/v1/events", headers=tenant.headers()).json()["data"]
    assert all(item["sentence"] for item in data)
    types = http.get("/v1/activity-types", headers=tenant.headers()).json()["data"]
    assert {"app_name_change", "api_token_creation", "data_export_run"} <= {t["code"] for t in types}
    people = http.get("/v1/teammates", headers=tenant.headers()).json()["data"]
    assert {p["id"] for p in people} >= {"tm1", "tm2", "tm3", "tm9"}
    assert next(p for p in people if p["id"] == "tm9")["status"] == "deleted"


def test_teammates_known_only_from_events_are_listed_as_actors(http: httpx.Client, tenant: Tenant) -> None:
    actor = {"type": "teammate", "id": "a_from_events", "name": "Eve Vents", "email": "tm1@acme.test"}
    recorded = http.post("/v1/events", json={"type": "admin_logout", "actor": actor}, headers=tenant.headers("write"))
    assert recorded.status_code == 201, recorded.text
    people = {p["id"]: p for p in http.get("/v1/teammates", headers=tenant.headers()).json()["data"]}
    assert (people["a_from_events"]["kind"], people["a_from_events"]["name"]) == ("actor", "Eve Vents")
    assert people["tm1"]["kind"] == "member"


@pytest.mark.parametrize("path", ["/v1/events", "/v1/nope", "/admins/activity_logs", "/healthz", "/metrics"])
def test_every_response_has_a_request_id(http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert len(answer.headers["x-request-id"]) >= 16


def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(http: httpx.Client, tenant: Tenant) -> None:
    kept = http.get("/v1/events", headers={**tenant.headers(), "X-Request-ID": "trace-abc.123"})
    assert kept.headers["x-request-id"] == "trace-abc.123"
    replaced = http.get("/v1/events", headers={**tenant.headers(), "X-Request-ID": "<script>"})
    assert replaced.headers["x-request-id"] != "<script>"
    error = http.get("/v1/events?limit=0", headers={**tenant.headers(), "X-Request-ID": "err-1"})
    assert error.headers["x-request-id"] == error.json()["request_id"] == "err-1"
