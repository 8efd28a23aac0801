"""Migrations on both backends: an empty database reaches head, again is a no-op, old data survives upgrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from activitylog.cli import main
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.migrate import current_revision, head_revision, upgrade
from activitylog.storage.postgres.store import conninfo

FIRST_RELEASED = "0001"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return str(request.getfixturevalue("empty_postgres_url"))


def plain_sql(url: str) -> Callable[[str], None]:
    """Run SQL the way a database created by an older release would have received it."""

    def run(statement: str) -> None:
        if url.startswith("sqlite:"):
            connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            connection.execute(statement)
            connection.close()
        else:
            with psycopg.connect(conninfo(url), autocommit=True) as connection:
                connection.execute(statement)

    return run


def test_an_empty_database_upgrades_to_head_and_again_is_a_no_op(empty_url: str) -> None:
    assert current_revision(empty_url) is None
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    runner = CliRunner()
    status = runner.invoke(main, ["--database-url", empty_url, "db", "status"])
    assert status.exit_code == 0, status.output
    assert f"current: {head_revision()}" in status.output
    again = runner.invoke(main, ["--database-url", empty_url, "db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert f"database at revision {head_revision()} (was {head_revision()})" in again.output


def test_data_written_at_the_first_released_schema_survives_the_upgrade_to_head(empty_url: str) -> None:
    upgrade(empty_url, FIRST_RELEASED)
    assert current_revision(empty_url) == FIRST_RELEASED
    run = plain_sql(empty_url)
    if not empty_url.startswith("sqlite:"):
        # At 0001 the application made each month's partition; so does this test, with plain SQL.
        run(
            "CREATE TABLE activities_p2025_01 PARTITION OF activities "
            "FOR VALUES FROM (1735689600000000) TO (1738368000000000)"
        )
    run(
        "INSERT INTO workspaces (id, name, timezone, retention_days, created_us) "
        "VALUES ('ws_old', 'Old', 'UTC', 3650, 1)"
    )
    run(
        "INSERT INTO activities (workspace_id, id, type, actor_type, actor_id, actor_name, occurred_us, recorded_us, "
        "ip, metadata, idempotency_key) VALUES ('ws_old', '01JGZ0000000000000000000AA', 'app_name_change', "
        "'teammate', 'tm1', 'Beth-Ann Sher', 1736000000000000, 1736000000000001, '203.0.113.7', "
        """'{"before": "Acme", "after": "Acme Inc."}', NULL)"""
    )
    store = open_store(empty_url)  # upgrades to head
    try:
        assert current_revision(empty_url) == head_revision()
        log = ActivityLog(store)
        [entry] = list(log.iter_entries("ws_old", ActivityFilter()))
        assert entry.sentence() == "Beth-Ann Sher changed the workspace name from Acme to Acme Inc."
        assert entry.occurred_us == 1736000000000000
        assert log.workspace("ws_old").retention_days == 3650
    finally:
        store.close()
