"""Migrations on both backends: an empty database reaches head, again is a no-op, old data survives upgrades."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from activitylog.cli import main
from activitylog.domain.channel import CONSOLE
from activitylog.domain.filters import ActivityFilter
from activitylog.export.csv import stream
from activitylog.integrity.keys import load_or_create
from activitylog.integrity.service import Integrity
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.integrity import IntegrityRepository
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


def old_entry(url: str, *, ip: str) -> None:
    """Workspace `ws_old` (retention 3650 days) and one entry of January 2025 in it, with plain SQL, in an old schema
    (`ip` is an SQL literal)."""
    run = plain_sql(url)
    if not url.startswith("sqlite:"):
        # Old revisions left each month's partition to the application; so does this, with plain SQL.
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
        f"'teammate', 'tm1', 'Beth-Ann Sher', 1736000000000000, 1736000000000001, {ip}, "
        """'{"before": "Acme", "after": "Acme Inc."}', NULL)"""
    )


def test_data_written_at_the_first_released_schema_survives_the_upgrade_to_head(empty_url: str) -> None:
    upgrade(empty_url, FIRST_RELEASED)
    assert current_revision(empty_url) == FIRST_RELEASED
    old_entry(empty_url, ip="'203.0.113.7'")
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


def test_the_teammates_only_events_named_become_actors_and_the_console_s_stay_members(empty_url: str) -> None:
    """Revision 0005: a row recording made (active, nothing but a name and email) is an actor known from events;
    one with a password, a role, own permissions, another status, a session or an invitation sent is a member."""
    upgrade(empty_url, "0004")
    run = plain_sql(empty_url)
    run(
        "INSERT INTO workspaces (id, name, timezone, retention_days, created_us) "
        "VALUES ('ws_old', 'Old', 'UTC', 365, 1)"
    )
    rows = {
        "tm_ghost": "'Ghost', 'ciaran@acme.test', NULL, 'active', NULL, NULL",
        "tm_password": "'Ciaran', 'ciaran@acme.test', NULL, 'active', NULL, 'argon2-hash'",
        "tm_role": "'Rolf', 'rolf@acme.test', 'role_x', 'active', NULL, NULL",
        "tm_own": "'Owen', 'owen@acme.test', NULL, 'active', 'can_manage_teammates', NULL",
        "tm_gone": "'Gone', 'gone@acme.test', NULL, 'deleted', NULL, NULL",
        "tm_inviter": "'Ines', 'ines@acme.test', NULL, 'active', NULL, NULL",
        "tm_session": "'Sean', 'sean@acme.test', NULL, 'active', NULL, NULL",
    }
    for teammate_id, values in rows.items():
        run(
            "INSERT INTO teammates (workspace_id, id, name, email, role, status, permissions, password_hash) "
            f"VALUES ('ws_old', '{teammate_id}', {values})"
        )
    run(
        "INSERT INTO invites (workspace_id, id, email, token_hash, invited_by, created_us, expires_us) "
        "VALUES ('ws_old', 'inv_1', 'new@acme.test', 'hash', 'tm_inviter', 1, 2)"
    )
    run(
        "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, last_seen_us) "
        "VALUES ('session-hash', 'ws_old', 'tm_session', 'csrf', 'complete', 1, 1)"
    )
    store = open_store(empty_url)  # upgrades to head
    try:
        kinds = {t.id: t.kind for t in store.list_teammates("ws_old")}
        assert kinds == {"tm_ghost": "actor", **{t: "member" for t in rows if t != "tm_ghost"}}
    finally:
        store.close()


def test_an_entry_written_before_revision_0007_verifies_after_it(empty_url: str, tmp_path: Path) -> None:
    upgrade(empty_url, "0002")
    old_entry(empty_url, ip="NULL")
    upgrade(empty_url, "0006")  # 0003 chains the entry with the frozen form al1
    store = open_store(empty_url)  # and to head: 0007 adds the column
    try:
        log = ActivityLog(store)
        log.record_one("ws_old", {"type": "admin_logout", "actor": {"id": "tm1", "name": "Beth"}}, channel=CONSOLE)
        old, new = sorted(log.iter_entries("ws_old", ActivityFilter()), key=lambda e: e.occurred_us)
        assert (old.via, new.via) == (None, "console")
        assert old.as_dict()["via"] is None
        rows = list(csv.DictReader(io.StringIO("".join(stream([old, new])))))
        assert [row["Channel"] for row in rows] == ["", "console"]
        integrity = Integrity(IntegrityRepository(store), load_or_create(tmp_path / "signing.key"))
        report = integrity.verify("ws_old")
        assert report.ok, [str(f) for f in report.failures]
        assert report.entries == 2
    finally:
        store.close()
