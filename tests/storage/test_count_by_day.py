"""Per-day counts in a workspace's time zone (the activity page's histogram), on every backend.

Entries sit on both sides of local midnights, of a day when the clocks change (23 or 25 hours long), and of a
stretch of ordinary days, so both plans (a count per day, and grouped passes for an IP block) are checked
against counting the same entries one by one in Python.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from activitylog.domain.days import bounds, day_of, days_between, hours_of, midnight_us
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage.base import Store, Workspace
from activitylog.timeutil import DAY_US, MICROS, iso, now_us
from tests.support import factories

ZONE = "Europe/Dublin"  # a zone with two clock changes a year
HOUR_US = 3600 * MICROS
TYPES = ("app_name_change", "admin_login_success", "role_creation")
IPS = ("203.0.113.7", "203.0.113.200", "198.51.100.20", "2001:db8::5")


def clock_change_day() -> date:
    """A day in the last 300 days on which Dublin's clocks changed."""
    today = day_of(now_us(), ZONE)
    for back in range(2, 300):
        day = today - timedelta(days=back)
        since, until = bounds(day, ZONE)
        if until - since != DAY_US:
            return day
    raise AssertionError("no clock change in Dublin for 300 days")


@pytest.fixture
def dublin(store: Store) -> Workspace:
    return factories.workspace(store, timezone=ZONE)


@pytest.fixture
def moments(log: ActivityLog, dublin: Workspace) -> tuple[date, date, list[tuple[int, str, str, str]]]:
    """Entries from three days before a clock change to three days after: every midnight's last and first
    microsecond, and random moments. Answers the first and last day, and (time, type, teammate, ip)."""
    change = clock_change_day()
    first, last = change - timedelta(days=3), change + timedelta(days=3)
    rng = random.Random(5)
    times: list[int] = []
    for n in range((last - first).days + 2):
        midnight = midnight_us(first + timedelta(days=n), ZONE)
        times += [midnight - 1, midnight, midnight + 1]
    start, end = midnight_us(first, ZONE), midnight_us(last + timedelta(days=1), ZONE)
    times += [rng.randrange(start, end) for _ in range(150)]
    # The transition itself (01:00 UTC in Dublin) and an hour either side.
    change_start = midnight_us(change, ZONE)
    times += [change_start + h * HOUR_US + d for h in (0, 1, 2) for d in (-1, 0, 1)]
    rows = [(t, rng.choice(TYPES), f"tm{rng.randrange(3)}", rng.choice(IPS)) for t in times]
    events = [
        factories.event(type_, actor_id=actor, name=actor, ip=ip, occurred_at=iso(t)) for t, type_, actor, ip in rows
    ]
    for chunk in range(0, len(events), 100):
        log.record(dublin.id, events[chunk : chunk + 100])
    return first, last, rows


CASES = [
    {},
    {"types": ["role_creation"]},
    {"types": ["role_creation", "app_name_change"]},
    {"teammates": ["tm1"]},
    {"teammates": ["tm1", "tm2"], "types": ["admin_login_success"]},
    {"ip": "203.0.113.7"},  # one address: its index, per day
    {"ip": "203.0.113.0/24"},  # a block alone: grouped passes between clock changes
    {"ip": "2001:db8::/32", "types": ["role_creation", "admin_login_success"]},  # a block and types
    {"ip": "10.0.0.0/8"},  # nothing
]


def expected(rows: list[tuple[int, str, str, str]], where: ActivityFilter, since: int, until: int) -> dict[date, int]:
    counts: dict[date, int] = {}
    for moment, type_, actor, ip in rows:
        if not since <= moment < until:
            continue
        if where.types and type_ not in where.types:
            continue
        if where.teammates and actor not in where.teammates:
            continue
        if where.ip is not None:
            probe = ActivityFilter.parse(ip=ip).ip
            assert probe is not None
            if not where.ip.low <= probe.low <= where.ip.high:
                continue
        day = day_of(moment, ZONE)
        counts[day] = counts.get(day, 0) + 1
    return counts


@pytest.mark.parametrize("filters", CASES, ids=[str(c) or "all" for c in CASES])
def test_counts_by_local_day_across_a_clock_change(store: Store, dublin: Workspace, moments, filters) -> None:
    first, last, rows = moments
    since, until = midnight_us(first, ZONE), midnight_us(last + timedelta(days=1), ZONE)
    where = ActivityFilter.parse(**filters)
    found = store.count_by_day(dublin.id, ActivityFilter(where.types, where.teammates, since, until, where.ip), ZONE)
    want = expected(rows, where, since, until)
    assert [day for day, _ in found] == [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert dict(found) == {day: want.get(day, 0) for day, _ in found}


@pytest.mark.parametrize("filters", [{}, {"ip": "203.0.113.0/24"}], ids=["per day", "grouped"])
def test_a_range_that_starts_and_ends_within_days_counts_only_inside_it(store, dublin, moments, filters) -> None:
    first, last, rows = moments
    since = midnight_us(first, ZONE) + 7 * HOUR_US + 123
    until = midnight_us(last, ZONE) + 5 * HOUR_US
    where = ActivityFilter.parse(**filters)
    found = store.count_by_day(dublin.id, ActivityFilter(ip=where.ip, since_us=since, until_us=until), ZONE)
    want = expected(rows, where, since, until)
    assert [day for day, _ in found] == [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert dict(found) == {day: want.get(day, 0) for day, _ in found}
    assert sum(count for _, count in found) == sum(want.values())


def test_days_without_entries_and_other_workspaces(store: Store, log: ActivityLog, dublin: Workspace) -> None:
    other = factories.workspace(store, timezone=ZONE)
    today = day_of(now_us(), ZONE)
    noon = midnight_us(today - timedelta(days=5), ZONE) + 12 * HOUR_US
    log.record_one(dublin.id, factories.event(occurred_at=iso(noon)))
    log.record_one(other.id, factories.event(occurred_at=iso(noon)))
    since, until = midnight_us(today - timedelta(days=9), ZONE), midnight_us(today - timedelta(days=1), ZONE)
    found = store.count_by_day(dublin.id, ActivityFilter(since_us=since, until_us=until), ZONE)
    assert len(found) == 8
    assert [count for _, count in found] == [0, 0, 0, 0, 1, 0, 0, 0]
    assert found[4][0] == today - timedelta(days=5)


def test_the_same_moments_fall_on_other_days_in_another_zone(store: Store, log: ActivityLog) -> None:
    tokyo = factories.workspace(store, timezone="Asia/Tokyo")
    today = day_of(now_us(), "UTC")
    late = midnight_us(today - timedelta(days=3), "UTC") + 20 * HOUR_US  # 05:00 the next day in Tokyo
    log.record_one(tokyo.id, factories.event(occurred_at=iso(late)))
    since = midnight_us(today - timedelta(days=5), "UTC")
    where = ActivityFilter(since_us=since, until_us=since + 5 * DAY_US)
    in_utc = dict(store.count_by_day(tokyo.id, where, "UTC"))
    in_tokyo = dict(store.count_by_day(tokyo.id, where, "Asia/Tokyo"))
    assert in_utc[today - timedelta(days=3)] == 1
    assert in_tokyo[today - timedelta(days=2)] == 1
    assert sum(in_tokyo.values()) == 1


def test_a_range_is_required(store: Store, dublin: Workspace) -> None:
    with pytest.raises(ValueError, match="both ends"):
        store.count_by_day(dublin.id, ActivityFilter(since_us=now_us()), ZONE)
    assert store.count_by_day(dublin.id, ActivityFilter(since_us=10, until_us=10), ZONE) == []


def test_the_service_cuts_to_retention_and_now(log: ActivityLog, store: Store) -> None:
    short = factories.workspace(store, timezone=ZONE, retention_days=30)
    log.record_one(short.id, factories.event())
    found = log.count_by_day(short.id, ActivityFilter())
    assert len(found) in (31, 32)  # the retention period's first (partial) day to today
    assert found[-1] == (day_of(now_us(), ZONE), 1)
    tomorrow = midnight_us(day_of(now_us(), ZONE) + timedelta(days=1), ZONE)
    assert log.count_by_day(short.id, ActivityFilter(since_us=tomorrow)) == []


def test_days_between_cuts_its_ends() -> None:
    since = midnight_us(date(2026, 3, 28), ZONE) + HOUR_US
    until = midnight_us(date(2026, 3, 30), ZONE) + 2
    days = days_between(since, until, ZONE)
    assert [d for d, _, _ in days] == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert days[0][1] == since
    assert days[-1][2] == until
    assert days[1][2] - days[1][1] == 23 * HOUR_US  # the clocks go forward in Dublin on 29 March 2026


@pytest.mark.parametrize("filters", CASES, ids=[str(c) or "all" for c in CASES])
def test_counts_by_hour_of_the_day_the_clocks_change(store: Store, dublin: Workspace, moments, filters) -> None:
    """A one-day chart: an hour per bar, 23 or 25 of them on the day the clocks change, every filter kept."""
    change = clock_change_day()
    hours = hours_of(change, ZONE)
    assert len(hours) in (23, 25)
    assert hours[0][0] == midnight_us(change, ZONE)
    assert hours[-1][1] == midnight_us(change + timedelta(days=1), ZONE)
    _, _, rows = moments
    where = ActivityFilter.parse(**filters)
    found = store.count_in_ranges(dublin.id, where, hours)
    want = [
        sum(expected(rows, where, since, until).values())  # the entries inside that hour, counted one by one
        for since, until in hours
    ]
    assert found == want


def test_the_service_counts_a_days_hours_up_to_now(log: ActivityLog, store: Store) -> None:
    workspace = factories.workspace(store, timezone=ZONE)
    now = now_us()
    today = day_of(now, ZONE)
    log.record(workspace.id, [factories.event(occurred_at=iso(now - n * MICROS)) for n in range(3)])
    counted = log.count_by_hour(workspace, ActivityFilter(), today)
    assert [start for start, _ in counted] == [since for since, _ in hours_of(today, ZONE)]
    assert sum(count for _, count in counted) == 3
    assert all(count == 0 for start, count in counted if start > now)  # the hours still to come
