"""Every producer writes a type's metadata in the one shape of its schema: the console (through its real HTTP
path), the command line and the demo. Issue 17, bug 6: security settings changes came in three shapes
(hours from the demo, minutes from the console, a retention period from the command line).

A schema leaves `before` / `after` open, so old entries and imports stay valid; a producer of ours must write
exactly the fields the schema declares there, no more and no fewer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import fastjsonschema
import pyotp
import pytest
from click.testing import CliRunner

from activitylog.catalog import REGISTRY
from activitylog.catalog.security import FIELDS
from activitylog.cli import main
from activitylog.demo import generate
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.timeutil import now_us
from tests.support import people
from tests.support.console import Browser, Server, entries
from tests.support.servers import start_server, stop_server

_VALIDATORS = {t.code: fastjsonschema.compile(dict(t.schema)) for t in REGISTRY}


def assert_in_shape(code: str, metadata: Mapping[str, Any]) -> None:
    """The metadata satisfies its type's schema, and where the schema declares the fields of `before` /
    `after`, it carries exactly those."""
    schema = REGISTRY[code].schema
    _VALIDATORS[code](dict(metadata))
    for side in ("before", "after"):
        declared = schema.get("properties", {}).get(side, {}).get("properties")
        if declared and metadata.get(side) is not None:
            assert set(metadata[side]) == set(declared), (code, side, metadata)


def test_the_security_shape_is_the_one_the_schema_declares() -> None:
    schema = REGISTRY["security_settings_change"].schema
    assert (
        set(schema["properties"]["before"]["properties"])
        == set(FIELDS)
        == {
            "session_timeout_minutes",
            "require_two_factor",
        }
    )
    assert_in_shape("security_settings_change", REGISTRY["security_settings_change"].example)


# The console -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, ActivityLog]]:
    """`activitylog serve` over a temp SQLite file, shared with the test process, as the web tests run it."""
    folder = tmp_path_factory.mktemp("producers")
    database_url = f"sqlite:///{folder / 'console.db'}"
    open_store(database_url).close()  # migrate before the server starts, so the two do not race
    env = (
        ("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"),
        ("ACTIVITYLOG_COOKIE_SECURE", "false"),
        ("ACTIVITYLOG_TRUSTED_PROXIES", ""),
    )
    process, base_url = start_server(database_url, folder / "server.log", *env)
    store = open_store(database_url, migrate=False)
    try:
        yield Server(base_url), ActivityLog(store)
    finally:
        stop_server(process)
        store.close()


def test_the_security_page_writes_the_catalog_shape(console: tuple[Server, ActivityLog]) -> None:
    server, log = console
    org = people.org(log.store)
    # Requiring two-factor sign-in needs it on the admin's own account first.
    with log.store.transaction(org.id) as tx:
        tx.execute(
            "UPDATE teammates SET totp_secret = ? WHERE workspace_id = ? AND id = ?",
            (pyotp.random_base32(), org.id, "tm_admin"),
        )
    admin = Browser(server, org).as_teammate("tm_admin", log)
    try:
        for form in (
            {"session_timeout_minutes": "30", "require_two_factor": "1"},
            {"session_timeout_minutes": "240"},
        ):
            saved = admin.post("settings/security", {**form, "sign_in_methods": ["email_and_password"]})
            assert saved.status_code == 303, saved.text
    finally:
        admin.close()
    logged = entries(log, org.id, "security_settings_change", "app_authentication_method_change")
    assert [e.type for e in logged].count("security_settings_change") == 2
    for entry in logged:
        assert_in_shape(entry.type, entry.metadata)
    assert logged[-1].metadata["after"] == {"session_timeout_minutes": 240, "require_two_factor": False}


# The command line and the demo -------------------------------------------------------------------------


def test_the_command_line_logs_retention_as_its_own_type(sqlite_url: str) -> None:
    runner = CliRunner()
    workspace = runner.invoke(main, ["--database-url", sqlite_url, "workspace", "create", "Acme", "--id", "ws_r"])
    assert workspace.exit_code == 0, workspace.output
    changed = runner.invoke(main, ["--database-url", sqlite_url, "retention", "set", "90", "--workspace", "ws_r"])
    assert changed.exit_code == 0, changed.output
    store = open_store(sqlite_url, migrate=False)
    try:
        [entry] = entries(ActivityLog(store), "ws_r")
    finally:
        store.close()
    assert entry.type == "app_data_retention_change"
    assert_in_shape(entry.type, entry.metadata)
    assert (
        entry.sentence() == "The command line changed how long the activity log keeps entries from 365 days to 90 days."
    )


def test_every_demo_entry_is_in_its_types_shape() -> None:
    drafts = generate(events=600, seed=7, now_us=now_us(), window_days=364)
    assert {"security_settings_change", "app_data_retention_change"} <= {d.code for d in drafts}
    for draft in drafts:
        assert_in_shape(draft.code, draft.metadata)
