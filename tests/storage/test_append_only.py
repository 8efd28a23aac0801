"""The database itself refuses to change or delete entries; only retention removes expired ones."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.factories import event


def raw_sqlite(store) -> sqlite3.Connection:
    return sqlite3.connect(store.path, isolation_level=None)


@pytest.mark.parametrize("statement", ["UPDATE activities SET type = 'x'", "DELETE FROM activities"])
def test_sqlite_refuses_update_and_delete(log: ActivityLog, store, ws: Workspace, statement: str) -> None:
    if not hasattr(store, "path"):
        pytest.skip("SQLite only; PostgreSQL has its own test")
    log.record(ws.id, event())
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw_sqlite(store).execute(statement)
    assert len(list(log.iter_entries(ws.id, ActivityFilter()))) == 1


def test_retention_removes_only_expired_entries_and_hides_them_before(log: ActivityLog, store) -> None:
    ws = store.create_workspace(Workspace("ws_retention_" + str(id(store)), "Acme", retention_days=30))
    now = datetime.now(UTC)
    log.record_many(ws.id, [event(occurred_at=(now - timedelta(days=d)).isoformat()) for d in (1, 10, 29)])
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
