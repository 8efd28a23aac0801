"""What only PostgreSQL has: monthly partitions made ahead and on demand, whole-month drops, pooled threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.errors import Unavailable
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.storage.postgres import store as postgres_store
from activitylog.storage.postgres.schema import month_bounds, month_of, next_month, partition_name
from activitylog.storage.postgres.store import PostgresStore, conninfo
from activitylog.timeutil import DAY_US, to_us
from tests.support.factories import event

ALL = ActivityFilter()


@pytest.fixture
def pg(fresh_postgres_url: str) -> Iterator[PostgresStore]:
    opened = open_store(fresh_postgres_url, migrate=False)
    assert isinstance(opened, PostgresStore)
    yield opened
    opened.close()


def months_from_now(offset: int) -> tuple[int, int]:
    year, month = month_of(to_us(datetime.now(UTC)))
    for _ in range(offset):
        year, month = next_month(year, month)
    return year, month


def names(store: PostgresStore) -> list[str]:
    return [name for name, _, _ in store.partitions()]


def middle_of(year: int, month: int) -> str:
    low, high = month_bounds(year, month)
    return datetime.fromtimestamp((low + high) / 2 / 1e6, UTC).isoformat()


def test_partitions_for_this_month_and_the_next_two_exist_at_start_up(pg: PostgresStore) -> None:
    assert names(pg) == [partition_name(*months_from_now(i)) for i in range(3)]
    with psycopg.connect(conninfo(pg.url)) as connection:
        default = connection.execute(
            "SELECT count(*) FROM pg_partitioned_table WHERE partdefid <> 0 AND partrelid = 'activities'::regclass"
        ).fetchone()
    assert default == (0,)  # no DEFAULT partition to block a month's partition later


def test_recording_into_a_month_without_a_partition_creates_it(pg: PostgresStore) -> None:
    log = ActivityLog(pg)
    ws = pg.create_workspace(Workspace("ws_backfill", "Acme"))
    now = datetime.now(UTC)
    times = [now - timedelta(days=d) for d in (334, 200, 1)]  # 11 months ago, about 7 months ago, yesterday
    ids = log.record(ws.id, [event(occurred_at=t.isoformat()) for t in times]).inserted
    for moment in times:
        assert partition_name(*month_of(to_us(moment))) in names(pg)
    assert [e.id for e in log.iter_entries(ws.id, ALL)] == list(reversed(ids))
    assert log.get_entry(ws.id, ids[0]).occurred_us == to_us(times[0])


def test_a_partition_dropped_by_another_process_is_made_again(pg: PostgresStore) -> None:
    log = ActivityLog(pg)
    ws = pg.create_workspace(Workspace("ws_a", "Acme"))
    month = month_of(to_us(datetime.now(UTC) - timedelta(days=100)))
    log.record_one(ws.id, event(occurred_at=middle_of(*month)))
    other = open_store(pg.url, migrate=False)  # another server process, whose purge drops the month
    try:
        other.purge(ws.id, month_bounds(*month)[1])
        assert partition_name(*month) not in names(other)
    finally:
        other.close()
    # Our cache still believes the partition exists: the write finds out, makes it again, and succeeds.
    entry_id = log.record_one(ws.id, event(occurred_at=middle_of(*month)))
    assert log.get_entry(ws.id, entry_id) is not None


def test_retention_drops_a_month_only_when_every_workspace_is_past_it(pg: PostgresStore) -> None:
    log = ActivityLog(pg)
    short = pg.create_workspace(Workspace("ws_short", "Short"))
    long = pg.create_workspace(Workspace("ws_long", "Long"))
    month = month_of(to_us(datetime.now(UTC) - timedelta(days=120)))
    _low, high = month_bounds(*month)
    for workspace in (short, long):
        log.record(workspace.id, [event(occurred_at=middle_of(*month)) for _ in range(5)])
        log.record_one(workspace.id, event())
    cutoff = high + DAY_US  # the whole month is expired for whoever purges with this cut-off

    # `long` keeps rows in the month (no cut-off recorded past it): `short`'s rows are trimmed, the month stays.
    assert pg.purge(short.id, cutoff).removed == 5
    assert partition_name(*month) in names(pg)
    assert pg.count(long.id, ALL) == 6
    assert pg.count(short.id, ALL) == 1

    # Now every workspace holding rows there is past it: the month goes in one DROP.
    assert pg.purge(long.id, cutoff).removed == 5
    assert partition_name(*month) not in names(pg)
    assert pg.count(long.id, ALL) == 1
    assert pg.count(short.id, ALL) == 1
    assert log.count(long.id, ALL) == 1


def test_the_boundary_month_is_trimmed_by_rows(pg: PostgresStore) -> None:
    log = ActivityLog(pg)
    ws = pg.create_workspace(Workspace("ws_boundary", "Acme"))
    month = month_of(to_us(datetime.now(UTC) - timedelta(days=120)))
    low, high = month_bounds(*month)
    early = datetime.fromtimestamp((low + DAY_US) / 1e6, UTC).isoformat()
    late = datetime.fromtimestamp((high - DAY_US) / 1e6, UTC).isoformat()
    kept = log.record(ws.id, [event(occurred_at=early), event(occurred_at=late)]).inserted[1]
    assert pg.purge(ws.id, (low + high) // 2).removed == 1
    assert partition_name(*month) in names(pg)
    assert [e.id for e in pg.query(ws.id, ALL, limit=10).entries] == [kept]


def test_one_idempotency_key_from_many_threads_makes_one_entry(pg: PostgresStore) -> None:
    log = ActivityLog(pg)
    ws = pg.create_workspace(Workspace("ws_race", "Acme"))
    answers: list[str] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        barrier.wait()
        answers.append(log.record_one(ws.id, event(key="same-key")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(answers)) == 1
    assert log.count(ws.id, ALL) == 1


def test_an_unreachable_server_is_unavailable() -> None:
    with pytest.raises(Unavailable, match="cannot use PostgreSQL"):
        PostgresStore("postgresql://activitylog:activitylog@127.0.0.1:1/nothing")


def test_a_lock_not_granted_in_time_is_unavailable(fresh_postgres_url: str, monkeypatch) -> None:
    monkeypatch.setattr(postgres_store, "LOCK_TIMEOUT", "100ms")
    pg = PostgresStore(fresh_postgres_url)
    try:
        pg.create_workspace(Workspace("ws_locked", "Acme"))
        with psycopg.connect(conninfo(pg.url)) as blocker:
            blocker.execute("LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(Unavailable):
                pg.set_retention("ws_locked", 90)
        pg.set_retention("ws_locked", 90)
        assert pg.get_workspace("ws_locked").retention_days == 90
    finally:
        pg.close()


def test_page_reads_reuse_one_generic_plan(pg: PostgresStore) -> None:
    """Planning a page over a year of monthly partitions costs several times running it (the Intercom page
    figures of the README): page reads keep one generic plan per statement, and their answers stay exact."""
    pg.create_workspace(Workspace("ws_plans", "Plans"))
    log = ActivityLog(pg)
    log.record("ws_plans", [event(type="admin_login_success") for _ in range(30)])
    pages = [pg.query("ws_plans", ALL, limit=7) for _ in range(3)]
    assert [len(page.entries) for page in pages] == [7, 7, 7]
    assert pg.key_at("ws_plans", ALL, 29, oldest_first=True) == pg.key_at("ws_plans", ALL, 0)
    with pg._page_pool.connection() as connection:
        assert connection.execute("SHOW plan_cache_mode").fetchone() == ("force_generic_plan",)
        plans = connection.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM activities%'"
        ).fetchall()
    assert plans
    assert all(custom == 0 for _, custom in plans)
    assert sum(generic for generic, _ in plans) >= 3
