"""Retention on every backend: expired entries are never returned, purges remove only them, changes are logged."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from activitylog.domain.channel import CLI
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import Conflict
from activitylog.retention_schedule import RetentionScheduler, run_once
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from activitylog.timeutil import DAY_US
from tests.support.factories import event

ALL = ActivityFilter()


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def test_a_retention_change_is_logged_with_before_and_after(log: ActivityLog, store, ws: Workspace) -> None:
    actor = {"type": "teammate", "id": "tm1", "name": "Beth-Ann Sher", "email": "beth@acme.test"}
    assert log.set_retention(ws.id, 90, actor=actor, ip="203.0.113.7", request_id="req-42") == 365
    assert log.workspace(ws.id).retention_days == 90
    [entry] = log.query(ws.id, ActivityFilter(types=("app_data_retention_change",))).entries
    assert entry.metadata == {"before": {"retention_days": 365}, "after": {"retention_days": 90}}
    assert (entry.actor.id, entry.ip, entry.request_id) == ("tm1", "203.0.113.7", "req-42")
    assert entry.sentence() == "Beth-Ann Sher changed how long the activity log keeps entries from 365 days to 90 days."
    # The same period again is no change: nothing is written or logged.
    assert log.set_retention(ws.id, 90) == 90
    assert log.count(ws.id, ALL) == 1
    # Without an actor, the system made the change, and it came through the system's channel (issue 17).
    log.set_retention(ws.id, 400)
    assert log.query(ws.id, ALL).entries[0].actor.type == "system"
    assert log.query(ws.id, ALL).entries[0].via == "system"


def test_a_purge_records_nothing_and_keeps_the_channels_of_what_it_keeps(log: ActivityLog, ws: Workspace) -> None:
    """Retention writes no entry of its own; what survives a purge keeps the channel it was recorded with."""
    log.set_retention(ws.id, 30)  # the system's entry, through the system channel
    log.record(ws.id, [event(occurred_at=days_ago(10))], channel=CLI)
    log.record(ws.id, [event(occurred_at=days_ago(20))])
    run_once(log, ws.id)
    assert [e.via for e in log.iter_entries(ws.id, ALL)] == ["system", "cli", None]


def test_a_retention_change_that_lost_a_race_writes_nothing(log: ActivityLog, store, ws: Workspace) -> None:
    [entry] = log.prepare(ws, [event("app_data_retention_change")])
    with pytest.raises(Conflict):
        store.set_retention(ws.id, 60, expected=100, entry=entry)
    assert log.workspace(ws.id).retention_days == 365
    assert log.count(ws.id, ALL) == 0


def test_expired_entries_are_never_returned_even_before_the_purge(log: ActivityLog, store, ws: Workspace) -> None:
    fresh, older, oldest = (log.record_one(ws.id, event(occurred_at=days_ago(d))) for d in (10, 50, 100))
    log.set_retention(ws.id, 30)
    visible = [fresh, log.query(ws.id, ActivityFilter(types=("app_data_retention_change",))).entries[0].id]
    assert sorted(e.id for e in log.iter_entries(ws.id, ALL)) == sorted(visible)
    assert log.count(ws.id, ALL) == 2
    assert [e.id for e in log.query(ws.id, ActivityFilter.parse(until=days_ago(40))).entries] == []
    for entry_id in (older, oldest):
        with pytest.raises(Exception, match="no entry"):
            log.get_entry(ws.id, entry_id)
    assert store.count(ws.id, ALL) == 4  # still stored: hidden, not yet purged
    [result] = run_once(log, ws.id)
    assert (result.workspace_id, result.removed) == (ws.id, 2)
    assert store.count(ws.id, ALL) == 2
    assert [r.removed for r in run_once(log, ws.id)] == [0]


def test_purge_goes_in_batches_and_touches_no_other_workspace(log: ActivityLog, store, ws, monkeypatch) -> None:
    import activitylog.storage.postgres.purge as postgres_purge
    import activitylog.storage.sqlite.store as sqlite_store

    monkeypatch.setattr(sqlite_store, "PURGE_BATCH", 3)
    monkeypatch.setattr(postgres_purge, "DELETE_BATCH", 3)
    other = store.create_workspace(Workspace(ws.id + "_other", "Globex"))
    for workspace in (ws, other):
        log.record(workspace.id, [event(occurred_at=days_ago(60 + i / 10)) for i in range(10)])
        log.record_one(workspace.id, event())
    result = store.purge(ws.id, log.clock() - 45 * DAY_US)
    assert result.removed == 10
    assert store.count(ws.id, ALL) == 1
    assert store.count(other.id, ALL) == 11


def test_purge_releases_the_idempotency_keys_of_expired_entries(log: ActivityLog, store, ws: Workspace) -> None:
    first = log.record_one(ws.id, event(key="k-old", occurred_at=days_ago(50)))
    assert log.record_one(ws.id, event(key="k-old")) == first
    store.purge(ws.id, log.clock() - 40 * DAY_US)
    assert log.record_one(ws.id, event(key="k-old")) != first


def test_run_once_logs_what_it_removed(log: ActivityLog, ws: Workspace, caplog) -> None:
    log.record_one(ws.id, event(occurred_at=days_ago(40)))
    log.set_retention(ws.id, 30)
    with caplog.at_level(logging.INFO, logger="activitylog.retention"):
        results = run_once(log, ws.id)
    assert [r.removed for r in results] == [1]
    assert f"workspace {ws.id}: removed 1 entries older than" in caplog.text


def test_the_scheduler_runs_repeatedly_and_survives_a_failing_run(log: ActivityLog, ws: Workspace, caplog) -> None:
    failures = []

    class Flaky(ActivityLog):
        def purge_expired(self, workspace_id=None):
            if not failures:
                failures.append(1)
                raise RuntimeError("the database went away")
            return super().purge_expired(workspace_id)

    log.record_one(ws.id, event(occurred_at=days_ago(40)))
    log.set_retention(ws.id, 30)
    scheduler = RetentionScheduler(Flaky(log.store), interval_s=0.02, first_run_after_s=0)
    with caplog.at_level(logging.INFO, logger="activitylog.retention"):
        scheduler.start()
        deadline = time.monotonic() + 10
        while scheduler.runs < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        scheduler.stop()
    assert scheduler.runs >= 3
    assert "retention run failed" in caplog.text
    assert f"workspace {ws.id}: removed 1 entries" in caplog.text
    assert not [t for t in threading.enumerate() if t.name == "activitylog-retention"]
