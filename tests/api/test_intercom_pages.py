"""Intercom page numbers on both backends, over HTTP: a deep page is the page that walking `pages.next` reaches,
and a page past the last is empty with `pages.next` null (found from the count, without reading the log)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from activitylog.service import ActivityLog
from tests.support.factories import ago, event
from tests.support.running import serving
from tests.support.servers import Tenant, new_tenant

TYPES = ["app_name_change", "admin_login_success", "app_team_creation"]


@pytest.fixture
def served(log: ActivityLog) -> Iterator[tuple[httpx.Client, Tenant]]:
    """The app over the test's store (SQLite, PostgreSQL), and a tenant with 3 + 50 entries, many at one time."""
    tenant = new_tenant(log)
    batch = [event(TYPES[i % 3], occurred_at=ago(minutes=i // 3)) for i in range(50)]
    log.record(tenant.workspace.id, batch)
    with serving(log.store) as base_url, httpx.Client(base_url=base_url, headers=tenant.headers(), timeout=30) as http:
        yield http, tenant


def listing(http: httpx.Client, body: dict[str, Any] | None, **params: Any) -> dict[str, Any]:
    if body is None:
        answer = http.get("/admins/activity_logs", params={"created_at_after": 0, **params})
    else:
        answer = http.post("/admins/activity_logs/search", params=params, json=body)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    assert set(found) == {"type", "pages", "activity_logs"}
    assert set(found["pages"]) == {"type", "page", "per_page", "total_pages", "next"}
    return found


def walk(http: httpx.Client, body: dict[str, Any] | None, per_page: int) -> list[list[str]]:
    first = listing(http, body, per_page=per_page)
    pages, url = [[e["id"] for e in first["activity_logs"]]], first["pages"]["next"]
    while url is not None:
        answer = (http.get(url) if body is None else http.post(url, json=body)).json()
        pages.append([e["id"] for e in answer["activity_logs"]])
        url = answer["pages"]["next"]
    return pages


SEARCH = {"created_at_after": 0, "event_types": ["app_name_change", "app_team_creation"]}


@pytest.mark.parametrize("body", [None, SEARCH], ids=["list", "search"])
@pytest.mark.parametrize("per_page", [1, 6, 20])
def test_a_page_number_is_the_page_walking_reaches(
    served: tuple[httpx.Client, Tenant], body: dict[str, Any] | None, per_page: int
) -> None:
    http, _ = served
    pages = walk(http, body, per_page)
    expected = 53 if body is None else 33  # the 3 token creations; two types of three among the 50
    assert len({i for page in pages for i in page}) == expected == sum(map(len, pages))
    for number in range(1, len(pages) + 1):
        found = listing(http, body, page=number, per_page=per_page)
        assert [e["id"] for e in found["activity_logs"]] == pages[number - 1], number
        assert found["pages"]["page"] == number
        assert found["pages"]["total_pages"] == len(pages)
        assert (found["pages"]["next"] is None) == (number == len(pages)), number
        if found["pages"]["next"] is not None:  # and `next` goes on from there
            assert f"page={number + 1}" in found["pages"]["next"]


@pytest.mark.parametrize("body", [None, SEARCH], ids=["list", "search"])
def test_past_the_last_page_is_empty_with_next_null(served: tuple[httpx.Client, Tenant], body: Any) -> None:
    http, _ = served
    total_pages = len(walk(http, body, 20))
    for page in (total_pages + 1, total_pages + 2, 99_999_999, 10**18 - 1):
        found = listing(http, body, page=page, per_page=20)
        assert found["activity_logs"] == []
        assert found["pages"] == {
            "type": "pages",
            "page": page,
            "per_page": 20,
            "total_pages": total_pages,
            "next": None,
        }
