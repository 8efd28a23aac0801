"""The Intercom-compatible API: Intercom's shapes field by field, its paging, its errors, and its own client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from intercom import Intercom
from intercom.core.unchecked_base_model import construct_type
from intercom.types import ActivityLogList as IntercomActivityLogList

from activitylog.api.schemas import ActivityLogList, IntercomErrorList
from activitylog.catalog import REGISTRY
from tests.api.conftest import Server
from tests.support.factories import event
from tests.support.servers import Tenant

NOW = datetime.now(UTC).replace(microsecond=0)


def at(minutes: float) -> str:
    return (NOW - timedelta(minutes=minutes)).isoformat()


def seconds(minutes: float) -> int:
    return int((NOW - timedelta(minutes=minutes)).timestamp())


@pytest.fixture
def seeded(http: httpx.Client, tenant: Tenant) -> list[dict[str, Any]]:
    """45 entries a minute apart, 2 to 46 minutes ago (oldest first), plus the 3 token creations of `tenant`."""
    types = ["app_name_change", "admin_login_success", "app_team_creation"]
    batch = [
        event(types[i % 3], actor_id=f"tm{i % 3 + 1}", name=f"Teammate {i % 3 + 1}", occurred_at=at(46 - i))
        for i in range(45)
    ]
    answer = http.post("/v1/events", json={"events": batch}, headers=tenant.headers())
    assert answer.status_code == 201
    return [{**e, "id": item["id"]} for e, item in zip(batch, answer.json()["items"], strict=True)]


def get(http: httpx.Client, tenant: Tenant, path: str = "/admins/activity_logs", **params: Any) -> httpx.Response:
    return http.get(path, params=params, headers=tenant.headers())


def error(answer: httpx.Response, status: int, code: str, field: str | None) -> IntercomErrorList:
    assert answer.status_code == status, answer.text
    body = IntercomErrorList.model_validate(answer.json())
    assert set(answer.json()) == {"type", "request_id", "errors"}
    assert body.type == "error.list"
    assert body.request_id == answer.headers["x-request-id"]
    assert (body.errors[0].code, body.errors[0].field) == (code, field)
    return body


def test_the_list_shape_field_by_field(http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]) -> None:
    answer = get(http, tenant, created_at_after=seconds(60), per_page=5)
    assert answer.status_code == 200
    body = answer.json()
    ActivityLogList.model_validate(body)
    assert set(body) == {"type", "pages", "activity_logs"}
    assert body["type"] == "activity_log.list"
    pages = body["pages"]
    assert set(pages) == {"type", "page", "per_page", "total_pages", "next"}
    assert (pages["type"], pages["page"], pages["per_page"], pages["total_pages"]) == ("pages", 1, 5, 10)
    assert pages["next"].startswith(str(http.base_url).rstrip("/") + "/admins/activity_logs?")

    newest = next(e for e in body["activity_logs"] if e["activity_type"] != "api_token_creation")
    assert set(newest) == {"id", "performed_by", "metadata", "created_at", "activity_type", "activity_description"}
    source = seeded[-1]
    assert newest["id"] == source["id"]
    assert isinstance(newest["id"], str)
    assert newest["performed_by"] == {"type": "admin", "id": "tm3", "email": "beth@acme.test", "ip": "203.0.113.7"}
    assert newest["metadata"] == REGISTRY["app_team_creation"].example
    assert newest["created_at"] == seconds(2)
    assert isinstance(newest["created_at"], int)
    assert newest["activity_type"] == "app_team_creation"
    assert newest["activity_description"].startswith("Teammate 3 created a new team")
    tokens = [e for e in body["activity_logs"] if e["activity_type"] == "api_token_creation"]
    assert tokens
    assert all(e["performed_by"]["id"] == "system" for e in tokens)


def test_paging_through_every_entry_by_pages_next(
    http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]
) -> None:
    url: str | None = f"/admins/activity_logs?created_at_after={seconds(50)}&per_page=10"
    seen: list[dict[str, Any]] = []
    page_numbers = []
    while url is not None:
        body = http.get(url, headers=tenant.headers()).json()
        page_numbers.append(body["pages"]["page"])
        seen += body["activity_logs"]
        url = body["pages"]["next"]
        if url is not None:
            query = parse_qs(urlsplit(url).query)
            assert query["created_at_after"] == [str(seconds(50))]  # the same query string, page moved on
            assert query["page"] == [str(body["pages"]["page"] + 1)]
            assert query["per_page"] == ["10"]
    assert page_numbers == [1, 2, 3, 4, 5]
    assert len(seen) == len({e["id"] for e in seen}) == 48
    keys = [(e["created_at"], e["id"]) for e in seen]
    assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)  # newest first
    assert {e["id"] for e in seen} >= {e["id"] for e in seeded}


def test_a_page_number_without_a_cursor_is_the_same_page(
    http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]
) -> None:
    first = get(http, tenant, created_at_after=seconds(50), per_page=10).json()
    by_cursor = http.get(first["pages"]["next"], headers=tenant.headers()).json()
    by_number = get(http, tenant, created_at_after=seconds(50), per_page=10, page=2).json()
    assert by_number["activity_logs"] == by_cursor["activity_logs"]
    beyond = get(http, tenant, created_at_after=seconds(50), per_page=10, page=99).json()
    assert beyond["activity_logs"] == []
    assert beyond["pages"]["next"] is None


def test_time_window_after_inclusive_before_exclusive(
    http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]
) -> None:
    body = get(http, tenant, created_at_after=str(seconds(10)), created_at_before=seconds(5), per_page=50).json()
    assert [e["created_at"] for e in body["activity_logs"]] == [seconds(m) for m in (6, 7, 8, 9, 10)]
    assert body["pages"]["total_pages"] == 1
    assert body["pages"]["next"] is None


def test_defaults_are_page_one_of_twenty(http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]) -> None:
    pages = get(http, tenant, created_at_after=0).json()["pages"]
    assert (pages["page"], pages["per_page"], pages["total_pages"]) == (1, 20, 3)


def test_search_by_event_types_and_follow_next_with_the_same_body(
    http: httpx.Client, tenant: Tenant, seeded: list[dict[str, Any]]
) -> None:
    body = {
        "created_at_after": str(seconds(60)),
        "event_types": ["app_name_change", "app_team_creation"],
        "per_page": 8,
    }
    url: str | None = "/admins/activity_logs/search"
    seen = []
    while url is not None:
        answer = http.post(url, json=body, headers=tenant.headers())
        assert answer.status_code == 200, answer.text
        ActivityLogList.model_validate(answer.json())
        seen += answer.json()["activity_logs"]
        url = answer.json()["pages"]["next"]
    assert len(seen) == 30
    assert {e["activity_type"] for e in seen} == {"app_name_change", "app_team_creation"}


def test_event_types_lists_every_code(http: httpx.Client, tenant: Tenant) -> None:
    body = get(http, tenant, "/admins/activity_log_event_types").json()
    assert body["type"] == "activity_log_event_type.list"
    assert body["event_types"] == REGISTRY.codes()


def test_created_at_after_is_required(http: httpx.Client, tenant: Tenant) -> None:
    body = error(get(http, tenant), 400, "parameter_not_found", "created_at_after")
    assert body.errors[0].message == "Please provide the following parameters: created_at_after"
    search = http.post("/admins/activity_logs/search", json={}, headers=tenant.headers())
    error(search, 400, "parameter_not_found", "created_at_after")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"created_at_after": "yesterday"}, "created_at_after"),
        ({"created_at_after": "0", "created_at_before": "soon"}, "created_at_before"),
        ({"created_at_after": "0", "per_page": "251"}, "per_page"),
        ({"created_at_after": "0", "per_page": "0"}, "per_page"),
        ({"created_at_after": "0", "page": "-1"}, "page"),
        ({"created_at_after": "0", "starting_after": "garbage"}, "starting_after"),
    ],
)
def test_bad_parameters_are_parameter_invalid(
    http: httpx.Client, tenant: Tenant, params: dict[str, str], field: str
) -> None:
    error(get(http, tenant, **params), 400, "parameter_invalid", field)


def test_search_rejects_unknown_event_types_and_bad_bodies(http: httpx.Client, tenant: Tenant) -> None:
    search = "/admins/activity_logs/search"
    unknown = http.post(search, json={"created_at_after": 0, "event_types": ["nope"]}, headers=tenant.headers())
    error(unknown, 400, "parameter_invalid", "event_types")
    wrong = http.post(search, json={"created_at_after": 0, "event_types": "x"}, headers=tenant.headers())
    error(wrong, 400, "parameter_invalid", "event_types")
    error(http.post(search, content=b"{", headers=tenant.headers()), 400, "bad_request", "body")
    error(http.post(search, json=[1], headers=tenant.headers()), 400, "parameter_invalid", "body")


@pytest.fixture
def intercom_client(server: Server, tenant: Tenant) -> Iterator[Intercom]:
    with httpx.Client(timeout=10) as transport:
        yield Intercom(base_url=server.base_url, token=tenant.rw, httpx_client=transport)


def test_intercoms_own_client_lists_and_parses_every_entry(
    http: httpx.Client, intercom_client: Intercom, tenant: Tenant, seeded: list[dict[str, Any]]
) -> None:
    listed = intercom_client.admins.list_all_activity_logs(created_at_after=str(seconds(60)))
    assert listed.type == "activity_log.list"
    assert listed.pages is not None
    assert listed.pages.total_pages == 3
    assert listed.activity_logs is not None
    assert len(listed.activity_logs) == 20
    parsed = [log for log in listed.activity_logs if log is not None]
    # The rest, by following pages.next, parsed the way the client parses its answers.
    url = str(listed.pages.next) if listed.pages.next else None
    while url:
        page = construct_type(type_=IntercomActivityLogList, object_=http.get(url, headers=tenant.headers()).json())
        assert isinstance(page, IntercomActivityLogList)
        assert page.activity_logs is not None
        assert page.pages
        parsed += [log for log in page.activity_logs if log is not None]
        url = str(page.pages.next) if page.pages.next else None
    assert len(parsed) == 48
    by_id = {log.id: log for log in parsed}
    source = seeded[0]
    log = by_id[source["id"]]
    assert log.activity_type == "app_name_change"
    assert log.performed_by is not None
    assert log.performed_by.id == "tm1"
    assert log.performed_by.type == "admin"
    assert log.created_at == seconds(46)
    assert log.metadata is not None
    assert log.metadata.before == "Acme"
    assert log.metadata.after == "Acme Inc."
    assert log.activity_description == "Teammate 1 changed the workspace name from Acme to Acme Inc."


def test_intercoms_own_client_sees_a_bad_token_as_unauthorized(server: Server) -> None:
    from intercom.errors import UnauthorizedError

    with httpx.Client(timeout=10) as transport:
        client = Intercom(base_url=server.base_url, token="al_wrong", httpx_client=transport)
        with pytest.raises(UnauthorizedError) as raised:
            client.admins.list_all_activity_logs(created_at_after=str(int(time.time())))
    assert raised.value.status_code == 401
