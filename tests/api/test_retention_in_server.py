"""The server purges expired entries by itself: its lifespan starts the retention scheduler and stops it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from activitylog.app import create_app
from activitylog.domain.filters import ActivityFilter
from activitylog.retention_schedule import RetentionScheduler
from activitylog.service import ActivityLog
from activitylog.settings import Settings
from activitylog.storage.base import Store, Workspace
from tests.support.factories import event


def test_the_server_runs_retention_and_stops_it(store: Store) -> None:
    log = ActivityLog(store)
    workspace = store.create_workspace(Workspace("ws_server_retention_" + str(id(store)), "Acme"))
    old = (datetime.now(UTC) - timedelta(days=100)).isoformat()
    log.record(workspace.id, [event(occurred_at=old), event()])
    log.set_retention(workspace.id, 90)  # the old entry is now past the period: hidden, not yet purged
    assert store.count(workspace.id, ActivityFilter()) == 3  # two events and the logged retention change

    app = create_app(Settings(retention_interval_hours=1), store=store)

    async def serve_briefly() -> RetentionScheduler:
        async with app.router.lifespan_context(app):
            scheduler = app.state.retention
            assert isinstance(scheduler, RetentionScheduler)
            scheduler.first_run_after_s = 0  # no need to wait a minute in a test
            scheduler.stop()
            scheduler.start()
            deadline = time.monotonic() + 10
            while scheduler.runs == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return scheduler

    scheduler = asyncio.run(serve_briefly())
    assert scheduler.runs >= 1
    assert scheduler._thread is None  # stopped with the server
    assert store.count(workspace.id, ActivityFilter()) == 2


def test_retention_can_be_left_to_cron(store: Store) -> None:
    app = create_app(Settings(retention_interval_hours=0), store=store)

    async def serve_briefly() -> object:
        async with app.router.lifespan_context(app):
            return app.state.retention

    assert asyncio.run(serve_briefly()) is None
