"""Querying on every backend: newest first, every filter alone and combined, keyset pages without gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import BadRequest
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.support.factories import event

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)


def at(hours: float) -> str:
    return (BASE + timedelta(hours=hours)).isoformat()


@pytest.fixture
def seeded(log: ActivityLog, ws: Workspace) -> list[str]:
    """Twelve entries an hour apart: three types, three teammates, IPv4 and IPv6 addresses."""
    types = ["app_name_change", "admin_login_success", "role_creation"]
    ips = ["203.0.113.7", "198.51.100.20", "2001:db8::5"]
    batch = [
        event(types[i % 3], actor_id=f"tm{i % 3}", name=f"Teammate {i % 3}", ip=ips[i % 3], occurred_at=at(i))
        for i in range(12)
    ]
    return log.record(ws.id, batch).inserted


def ids(log: ActivityLog, ws: Workspace, **filters) -> list[str]:
    return [e.id for e in log.iter_entries(ws.id, ActivityFilter.parse(**filters))]


def test_newest_first(log: ActivityLog, ws: Workspace, seeded: list[str]) -> None:
    assert ids(log, ws) == list(reversed(seeded))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"types": ["role_creation"]}, [2, 5, 8, 11]),
        ({"types": ["role_creation", "app_name_change"]}, [0, 2, 3, 5, 6, 8, 9, 11]),
        ({"types": "role_creation,app_name_change"}, [0, 2, 3, 5, 6, 8, 9, 11]),
        ({"teammates": ["tm1"]}, [1, 4, 7, 10]),
        ({"teammates": ["tm1", "tm2"]}, [1, 2, 4, 5, 7, 8, 10, 11]),
        ({"since": at(3), "until": at(6)}, [3, 4, 5]),
        ({"ip": "203.0.113.7"}, [0, 3, 6, 9]),
        ({"ip": "198.51.100.0/24"}, [1, 4, 7, 10]),
        ({"ip": "2001:db8::/32"}, [2, 5, 8, 11]),
        ({"ip": "10.0.0.0/8"}, []),
        ({"types": ["admin_login_success"], "teammates": ["tm1"], "since": at(4)}, [4, 7, 10]),
        (
            {"types": ["admin_login_success", "role_creation"], "teammates": ["tm1", "tm2"], "until": at(7)},
            [1, 2, 4, 5],
        ),
        ({"types": ["app_name_change"], "ip": "198.51.100.0/24"}, []),
    ],
)
def test_filters_combine_freely(log, ws, seeded, filters, expected) -> None:
    assert ids(log, ws, **filters) == [seeded[i] for i in reversed(expected)]
    assert log.count(ws.id, ActivityFilter.parse(**filters)) == len(expected)


def test_many_values_in_a_filter_still_page_correctly(log, ws, seeded) -> None:
    from activitylog.catalog import REGISTRY

    every_type = [t.code for t in REGISTRY]  # more than the UNION limit: the timeline plan
    assert ids(log, ws, types=every_type) == list(reversed(seeded))
    teammates = [f"tm{i}" for i in range(40)]
    assert ids(log, ws, teammates=teammates, types=["role_creation", "app_name_change"]) == [
        seeded[i] for i in (11, 9, 8, 6, 5, 3, 2, 0)
    ]


def test_pages_through_many_entries_with_the_same_timestamp(log: ActivityLog, ws: Workspace) -> None:
    same = at(0)
    written = []
    for start in range(0, 230, 100):
        batch = [event(occurred_at=same) for _ in range(min(100, 230 - start))]
        written += log.record(ws.id, batch).inserted
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        page = log.query(ws.id, ActivityFilter(), limit=7, cursor=cursor)
        seen += [e.id for e in page.entries]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor.encode()
    assert len(seen) == 230
    assert sorted(seen) == sorted(written)
    assert seen == sorted(seen, reverse=True)  # same time: id breaks the tie, descending


def test_union_plan_pages_through_equal_timestamps(log: ActivityLog, ws: Workspace) -> None:
    same = at(1)
    batch = [event("role_creation" if i % 2 else "app_name_change", occurred_at=same) for i in range(40)]
    written = log.record(ws.id, batch).inserted
    where = ActivityFilter.parse(types=["role_creation", "app_name_change"])
    seen, cursor = [], None
    while True:
        page = log.query(ws.id, where, limit=6, cursor=cursor)
        seen += [e.id for e in page.entries]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(written)
    assert len(seen) == 40


def test_last_page_has_no_cursor(log, ws, seeded) -> None:
    page = log.query(ws.id, ActivityFilter(), limit=12)
    assert len(page.entries) == 12
    assert page.next_cursor is None
    page = log.query(ws.id, ActivityFilter(), limit=11)
    assert page.next_cursor is not None


def test_a_cursor_we_did_not_issue_is_a_400(log, ws) -> None:
    for bad in ["nonsense!", "", "Zm9v", Cursor(1, "a b").encode()]:
        with pytest.raises(BadRequest) as raised:
            log.query(ws.id, ActivityFilter(), cursor=bad or "=")
        assert raised.value.errors[0].field == "cursor"


def test_workspaces_never_see_each_other(log, store, ws, seeded) -> None:
    other = store.create_workspace(Workspace(ws.id + "_b", "Globex"))
    log.record_one(other.id, event())
    assert len(ids(log, ws)) == 12
    assert len(list(log.iter_entries(other.id, ActivityFilter()))) == 1
    with pytest.raises(Exception, match="no entry"):
        log.get_entry(other.id, seeded[0])


@pytest.fixture
def ties(log: ActivityLog, ws: Workspace) -> list[str]:
    """53 entries, newest first, many sharing a timestamp, of three types (the union plan) and two teammates."""
    types = ["app_name_change", "admin_login_success", "role_creation"]
    batch = [
        event(types[i % 3], actor_id=f"tm{i % 2}", name=f"Teammate {i % 2}", occurred_at=at(i // 4)) for i in range(53)
    ]
    log.record(ws.id, batch)
    return [e.id for e in log.iter_entries(ws.id, ActivityFilter())]


def walked(log: ActivityLog, ws: Workspace, where: ActivityFilter, per_page: int) -> list[list[str]]:
    """Every page, by following cursors from the top."""
    pages, cursor = [], None
    while True:
        page = log.query(ws.id, where, limit=per_page, cursor=cursor)
        pages.append([e.id for e in page.entries])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize(
    "filters",
    [{}, {"types": ["role_creation", "app_name_change"]}, {"teammates": ["tm1"]}, {"since": at(3), "until": at(11)}],
)
@pytest.mark.parametrize("per_page", [1, 4, 7, 20])
def test_seek_finds_each_page_where_walking_the_pages_does(log, ws, ties, filters, per_page) -> None:
    where = ActivityFilter.parse(**filters)
    pages = walked(log, ws, where, per_page)
    total = log.count(ws.id, where)
    assert sum(map(len, pages)) == total
    for number in range(2, len(pages) + 1):
        skip = (number - 1) * per_page
        for given in (None, total):  # from the newest end; from whichever end is nearer
            found = log.query(ws.id, where, limit=per_page, cursor=log.seek(ws.id, where, skip, total=given))
            assert [e.id for e in found.entries] == pages[number - 1], (number, given)
            assert (found.next_cursor is None) == (number == len(pages))


@pytest.mark.parametrize("filters", [{}, {"types": ["role_creation", "app_name_change"]}])
def test_seek_from_either_end_and_with_a_stale_total(log, ws, ties, filters) -> None:
    """Exact with the true total; a stale one moves a position found from the oldest end by the difference
    (and one past what is there is looked for from the newest end instead)."""
    where = ActivityFilter.parse(**filters)
    keys = [Cursor(e.occurred_us, e.id) for e in log.iter_entries(ws.id, where)]
    total = len(keys)
    for skip in range(1, total + 1):
        assert log.seek(ws.id, where, skip) == keys[skip - 1]
        assert log.seek(ws.id, where, skip, total=total) == keys[skip - 1]
        for stale in (total - 2, total + 3):
            from_oldest = skip < stale and stale - skip < skip - 1 and stale - skip < total
            expected = skip - 1 + (total - stale) if from_oldest else skip - 1
            assert log.seek(ws.id, where, skip, total=stale) == keys[expected], (skip, stale)
    assert log.seek(ws.id, where, total + 1) is None
    assert log.seek(ws.id, where, total + 1, total=total) is None


def test_seek_needs_something_to_skip(log, ws) -> None:
    with pytest.raises(ValueError, match="skip"):
        log.seek(ws.id, ActivityFilter(), 0)
