"""The database itself refuses to change or delete entries; only retention removes expired ones."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.storage.postgres.store import conninfo
from tests.support.factories import event


def raw_execute(store, statement: str) -> None:
    """Run SQL on the store's database behind its back, as an operator or an attacker with SQL access would."""
    if hasattr(store, "path"):
        sqlite3.connect(store.path, isolation_level=None).execute(statement)
        return
    with psycopg.connect(conninfo(store.url), autocommit=True) as connection:
        connection.execute(statement)


INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE activities SET type = 'x' WHERE workspace_id = '{ws}'",
        "UPDATE activities SET occurred_us = occurred_us - 1 WHERE workspace_id = '{ws}'",
        "DELETE FROM activities WHERE workspace_id = '{ws}'",
    ],
)
def test_database_refuses_update_and_delete(log: ActivityLog, store, ws: Workspace, statement: str) -> None:
    log.record_one(ws.id, event())
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        raw_execute(store, statement.format(ws=ws.id))
    assert len(list(log.iter_entries(ws.id, ActivityFilter()))) == 1


def test_postgres_refuses_truncate_of_the_table_and_of_each_partition(fresh_postgres_url: str) -> None:
    store = open_store(fresh_postgres_url, migrate=False)
    try:
        log = ActivityLog(store)
        ws = store.create_workspace(Workspace("ws_truncate", "Acme"))
        log.record_one(ws.id, event())
        [partition] = [name for name, low, high in store.partitions() if low <= log.clock() < high]
        for target in ("activities", partition):
            with pytest.raises(psycopg.IntegrityError, match="append-only"):
                raw_execute(store, f"TRUNCATE {target}")
        assert log.count(ws.id, ActivityFilter()) == 1
    finally:
        store.close()


def test_retention_deletes_only_below_a_recorded_cut_off(log: ActivityLog, store, ws: Workspace) -> None:
    """Even the retention path's DELETE is refused for rows newer than the workspace's recorded cut-off."""
    old = log.record_one(ws.id, event(occurred_at=(datetime.now(UTC) - timedelta(days=40)).isoformat()))
    new = log.record_one(ws.id, event())
    cutoff = log.clock() - 20 * 86_400_000_000
    raw_execute(
        store, f"INSERT INTO retention_runs (workspace_id, cutoff_us, started_us) VALUES ('{ws.id}', {cutoff}, 0)"
    )
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        raw_execute(store, f"DELETE FROM activities WHERE workspace_id = '{ws.id}'")
    raw_execute(store, f"DELETE FROM activities WHERE workspace_id = '{ws.id}' AND occurred_us < {cutoff}")
    assert [e.id for e in log.iter_entries(ws.id, ActivityFilter())] == [new]
    assert old != new


def test_retention_removes_only_expired_entries_and_hides_them_before(log: ActivityLog, store) -> None:
    ws = store.create_workspace(Workspace("ws_retention_" + str(id(store)), "Acme", retention_days=30))
    now = datetime.now(UTC)
    log.record(ws.id, [event(occurred_at=(now - timedelta(days=d)).isoformat()) for d in (1, 10, 29)])
    # Shorten the period: the older entries are hidden at once, before any purge.
    store.set_retention(ws.id, 30)
    log.set_retention(ws.id, 30)
    assert len(list(log.iter_entries(ws.id, ActivityFilter()))) == 3
    short = ActivityLog(store, clock=lambda: log.clock() + 5 * 86_400_000_000)  # five days later
    assert len(list(short.iter_entries(ws.id, ActivityFilter()))) == 2
    assert short.count(ws.id, ActivityFilter()) == 2
    [result] = short.purge_expired(ws.id)
    assert result.removed == 1
    assert len(list(log.iter_entries(ws.id, ActivityFilter()))) == 2


def test_retention_days_are_bounded(log: ActivityLog, ws: Workspace) -> None:
    from activitylog.errors import InvalidInput

    for days in (29, 3651):
        with pytest.raises(InvalidInput, match="retention_days"):
            log.set_retention(ws.id, days)
